package io.teebox.spdm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import io.teebox.kit.codec.MalformedStructureException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.Test;

public class MessagesTest {

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /** Every message, encoded, with the parser that reads it back. */
    private static Map<byte[], Function<byte[], byte[]>> samples() {
        Map<byte[], Function<byte[], byte[]>> m = new LinkedHashMap<>();
        m.put(GetVersion.of().encode(), b -> GetVersion.parse(b).encode());
        m.put(new Version(List.of(0x1000, 0x1100)).encode(), b -> Version.parse(b).encode());
        m.put(new Capabilities(true, 0x11, 0, Requester.CAPABILITIES).encode(),
                b -> Capabilities.parse(true, b).encode());
        m.put(new Capabilities(false, 0x11, 12, Responder.CAPABILITIES).encode(),
                b -> Capabilities.parse(false, b).encode());
        m.put(new Algorithms(true, 0x11, 1, 0, Spdm.ASYM_ECDSA_P384, Spdm.HASH_SHA_384, List.of(0x01020304),
                List.of(), List.of(AlgorithmStructure.of(2, 0x10), new AlgorithmStructure(3, 2, List.of(7)),
                        AlgorithmStructure.of(5, 1))).encode(), b -> Algorithms.parse(true, b).encode());
        m.put(new Algorithms(false, 0x11, 1, Spdm.MEAS_HASH_SHA_384, Spdm.ASYM_ECDSA_P384, Spdm.HASH_SHA_384,
                List.of(), List.of(5), List.of(AlgorithmStructure.of(2, 0x10), AlgorithmStructure.of(3, 2),
                        AlgorithmStructure.of(4, 0), AlgorithmStructure.of(5, 1))).encode(),
                b -> Algorithms.parse(false, b).encode());
        m.put(new GetDigests(0x11).encode(), b -> GetDigests.parse(b).encode());
        m.put(new Digests(0x11, 0x05, List.of(filled(48, 1), filled(48, 2))).encode(), b -> Digests.parse(b).encode());
        m.put(new GetCertificate(0x11, 0, 0x123, 0x400).encode(), b -> GetCertificate.parse(b).encode());
        m.put(new Certificate(0x11, 0, filled(100, 0x30), 900).encode(), b -> Certificate.parse(b).encode());
        m.put(new KeyExchange(0x11, 0, 0, 0xBEEF, filled(32, 3), filled(96, 4), filled(5, 6)).encode(),
                b -> KeyExchange.parse(b).encode());
        m.put(new KeyExchangeResponse(0x11, 0, 0xCAFE, 0, 0, filled(32, 7), filled(96, 8), new byte[0],
                filled(3, 9), filled(96, 10), filled(48, 11)).encode(),
                b -> KeyExchangeResponse.parse(b, false, true).encode());
        m.put(new KeyExchangeResponse(0x11, 0, 0xCAFE, 0, 0, filled(32, 7), filled(96, 8), filled(48, 12),
                new byte[0], filled(96, 10), filled(48, 11)).encode(),
                b -> KeyExchangeResponse.parse(b, true, true).encode());
        m.put(new Finish(0x11, 0, 0, new byte[0], filled(48, 13)).encode(), b -> Finish.parse(b).encode());
        m.put(new Finish(0x11, 1, 0, filled(96, 14), filled(48, 13)).encode(), b -> Finish.parse(b).encode());
        m.put(new FinishResponse(0x11, new byte[0]).encode(), b -> FinishResponse.parse(b, false).encode());
        m.put(new FinishResponse(0x11, filled(48, 15)).encode(), b -> FinishResponse.parse(b, true).encode());
        m.put(new GetMeasurements(0x11, 1, 0xFF, filled(32, 16), 0).encode(), b -> GetMeasurements.parse(b).encode());
        m.put(new GetMeasurements(0x11, 0, 0, new byte[0], 0).encode(), b -> GetMeasurements.parse(b).encode());
        m.put(new Measurements(0x11, 0, 0, List.of(new MeasurementBlock(1, 1, filled(48, 17)),
                new MeasurementBlock(2, 0x81, filled(7, 18))), filled(32, 19), filled(4, 20), filled(96, 21)).encode(),
                b -> Measurements.parse(b, true).encode());
        m.put(ErrorResponse.of(0x11, SpdmError.DECRYPT_ERROR).encode(), b -> ErrorResponse.parse(b).encode());
        m.put(CertificateChain.of(new TestDevice().chainRootFirst).encode(), b -> CertificateChain.parse(b).encode());
        return m;
    }

    @Test
    public void everyMessageRoundTripsBitExact() {
        for (Map.Entry<byte[], Function<byte[], byte[]>> e : samples().entrySet()) {
            assertArrayEquals(e.getKey(), e.getValue().apply(e.getKey()));
        }
    }

    @Test
    public void layoutsMatchDsp0274() {
        assertArrayEquals(new byte[] {0x10, (byte) 0x84, 0, 0}, GetVersion.of().encode());
        assertArrayEquals(new byte[] {0x10, 0x04, 0, 0, 0, 2, 0x00, 0x10, 0x00, 0x11},
                new Version(List.of(0x1000, 0x1100)).encode());
        byte[] caps = new Capabilities(false, 0x11, 0, Responder.CAPABILITIES).encode();
        assertEquals(12, caps.length);
        assertArrayEquals(new byte[] {(byte) 0xF2, 0x42, 0, 0}, Arrays.copyOfRange(caps, 8, 12));
        assertEquals(36 + 4 * 4, new Algorithms(false, 0x11, 1, 4, 0x80, 2, List.of(), List.of(),
                List.of(AlgorithmStructure.of(2, 0x10), AlgorithmStructure.of(3, 2), AlgorithmStructure.of(4, 0),
                        AlgorithmStructure.of(5, 1))).encode().length);
        assertEquals(4 + 4 + 32 + 96 + 2, new KeyExchange(0x11, 0, 0, 1, filled(32, 0), filled(96, 0), new byte[0])
                .encode().length);
        assertEquals(37, new GetMeasurements(0x11, 1, 0xFF, filled(32, 0), 0).encode().length);
    }

    @Test
    public void everyTruncationIsAMalformedStructure() {
        for (Map.Entry<byte[], Function<byte[], byte[]>> e : samples().entrySet()) {
            byte[] full = e.getKey();
            for (int n = 0; n < full.length; n++) {
                byte[] cut = Arrays.copyOf(full, n);
                try {
                    byte[] again = e.getValue().apply(cut);
                    // a few messages have valid shorter forms (ERROR without extended data): they must round trip
                    assertArrayEquals(cut, again);
                } catch (MalformedStructureException expected) {
                    // the only other outcome allowed
                }
            }
            byte[] longer = Arrays.copyOf(full, full.length + 1);
            try {
                e.getValue().apply(longer);
                if (full[1] != Spdm.ERROR) {
                    fail("a byte after " + Spdm.name(full[1] & 0xFF) + " was accepted");
                }
            } catch (MalformedStructureException expected) {
                // too long
            }
        }
    }

    @Test
    public void reservedBytesMustBeZero() {
        byte[] b = new GetDigests(0x11).encode();
        b[3] = 1;
        try {
            GetDigests.parse(b);
            fail("reserved Param2 accepted");
        } catch (MalformedStructureException e) {
            assertEquals("GET_DIGESTS", e.structName());
        }
    }

    /** The genuine H100 report (NVIDIA nvtrust sample, see the README next to it) parses and re-encodes bit-exact. */
    @Test
    public void genuineHopperMeasurementsRoundTrip() throws IOException {
        byte[] report;
        try (InputStream in = getClass().getResourceAsStream("hopperAttestationReport.bin")) {
            report = in.readAllBytes();
        }
        assertEquals(4117, report.length);
        byte[] req = Arrays.copyOf(report, 37);
        byte[] rsp = Arrays.copyOfRange(report, 37, report.length);
        GetMeasurements g = GetMeasurements.parse(req);
        assertEquals(0x11, g.version());
        assertEquals(0xFF, g.operation());
        assertArrayEquals(req, g.encode());
        Measurements m = Measurements.parse(rsp, true);
        assertEquals(64, m.blocks().size());
        assertEquals(422, m.opaque().length);
        assertEquals(48, m.blocks().get(0).value().length);
        assertArrayEquals(rsp, m.encode());
        for (int n = 0; n < rsp.length; n += 7) {
            try {
                Measurements.parse(Arrays.copyOf(rsp, n), true);
                fail("truncated MEASUREMENTS of " + n + " bytes accepted");
            } catch (MalformedStructureException expected) {
                // truncated
            }
        }
    }

    /** DSP0277 version negotiation in OpaqueData, laid out as libspdm's spdm_secured_message.h structures. */
    @Test
    public void securedMessageVersionOpaqueData() {
        assertArrayEquals(io.teebox.kit.hex.Hex.decode("46544d4401010000000005000101010010000000"),
                io.teebox.spdm.internal.SecuredMessageOpaque.supportedVersions());
        assertArrayEquals(io.teebox.kit.hex.Hex.decode("46544d44010100000000040001000010"),
                io.teebox.spdm.internal.SecuredMessageOpaque.versionSelection());
        assertArrayEquals(new int[] {0x1000}, io.teebox.spdm.internal.SecuredMessageOpaque.versions(
                io.teebox.spdm.internal.SecuredMessageOpaque.supportedVersions(), 1));
        byte[] sel = io.teebox.spdm.internal.SecuredMessageOpaque.versionSelection();
        for (int n = 0; n < sel.length; n++) {
            try {
                io.teebox.spdm.internal.SecuredMessageOpaque.versions(Arrays.copyOf(sel, n), 0);
                fail("truncated opaque data accepted");
            } catch (MalformedStructureException expected) {
                // truncated
            }
        }
    }

    @Test
    public void messagesAreImmutableAndEqualByEncoding() {
        Certificate c = new Certificate(0x11, 0, filled(10, 1), 5);
        c.portion()[0] = 9;
        assertArrayEquals(filled(10, 1), c.portion());
        assertEquals(c, Certificate.parse(c.encode()));
        assertEquals(c.hashCode(), Certificate.parse(c.encode()).hashCode());
        Digests d = new Digests(0x11, 1, List.of(filled(48, 2)));
        d.digests().get(0)[0] = 0;
        assertArrayEquals(filled(48, 2), d.digests().get(0));
        assertEquals(d, Digests.parse(d.encode()));
    }
}
