package io.teebox.nvidia.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;

import org.junit.Test;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;
import io.teebox.nvidia.testing.NvidiaVectors;
import io.teebox.nvidia.testing.SelfMadeGpu;

/** The genuine H100 report: parsing, encoding, signature, FWID, and malformed input. */
public class AttestationReportTest {

    private static final byte[] GENUINE = NvidiaVectors.report();
    private static final int SIGNATURE_AT = 4021;

    @Test
    public void genuineReportRoundTripsByteExact() {
        assertEquals(4117, GENUINE.length);
        AttestationReport r = AttestationReport.parse(GENUINE);
        assertArrayEquals(GENUINE, r.encode());
        assertArrayEquals(Arrays.copyOf(GENUINE, SIGNATURE_AT), r.signedBytes());
        assertEquals(SIGNATURE_AT, r.signatureOffset());
        assertArrayEquals(Arrays.copyOf(GENUINE, 37), r.request().encode());
        assertArrayEquals(Arrays.copyOfRange(GENUINE, 37, GENUINE.length), r.response().encode());
        assertEquals(r, AttestationReport.parse(r.encode()));
        assertEquals(r.response(), MeasurementsResponse.parse(r.response().encode()));
        assertEquals(r.request(), GetMeasurementsRequest.parse(r.request().encode()));
    }

    @Test
    public void genuineReportFields() {
        AttestationReport r = AttestationReport.parse(GENUINE);
        GetMeasurementsRequest q = r.request();
        assertEquals(0x11, q.version());
        assertEquals(0x01, q.param1());
        assertEquals(0xFF, q.param2());
        assertEquals(0, q.slotId());
        assertEquals(NvidiaVectors.NONCE_HEX, Hex.encode(q.nonce()));
        assertEquals(GetMeasurementsRequest.of(NvidiaVectors.nonce()), q);

        MeasurementsResponse m = r.response();
        assertEquals(0x11, m.version());
        assertEquals(64, m.blocks().size());
        for (int i = 0; i < 64; i++) {
            MeasurementBlock b = m.blocks().get(i);
            assertEquals(i + 1, b.index());
            assertEquals(0x01, b.valueType());
            assertEquals(48, b.value().length);
        }
        assertEquals(26, m.blocks().stream().filter(b -> !b.isZero()).count());
        assertTrue(Hex.encode(m.nonce()).startsWith("b4b8a06a"));
        assertTrue(Hex.encode(m.nonce()).endsWith("cf640985"));

        OpaqueData o = r.opaqueData();
        assertEquals(List.of(6, 14, 15, 16, 17, 18, 19, 3, 4, 12, 13, 11, 20, 21), o.types());
        assertEquals(422, o.encode().length);
        assertEquals("550.90.07", o.driverVersion());
        assertEquals("009f009601000000", Hex.encode(o.vbiosVersionBytes()));
        assertEquals("96.00.9f.00.01", o.vbiosVersion());
        assertEquals("96.00.9F.00.01", o.vbiosVersion().toUpperCase(java.util.Locale.ROOT));
        assertArrayEquals(o.vbiosVersionBytes(), OpaqueData.vbiosVersionBytes("96.00.9F.00.01"));
        assertEquals("882", o.chipSku().orElseThrow());
        assertEquals("1010", o.project().orElseThrow());
        assertEquals("0200", o.projectSku().orElseThrow());
        assertFalse(o.nvdec0Enabled().orElseThrow());
        assertTrue(Hex.encode(o.fwid().orElseThrow()).startsWith("f5c384ae"));
        assertTrue(Hex.encode(o.fwid().orElseThrow()).endsWith("62b1f75d"));
        assertEquals("FWID", o.fields().get(12).name());
        assertEquals("NVDEC0_STATUS", OpaqueField.name(OpaqueField.NVDEC0_STATUS));
        assertEquals("UNKNOWN_99", OpaqueField.name(99));
        assertEquals(256, o.get(OpaqueField.MSRSCNT).orElseThrow().length);
        long[] counts = o.measurementCounts().orElseThrow();
        assertEquals(64, counts.length);
        assertEquals(0, counts[0]);
        assertEquals(1, counts[1]);
        assertEquals(4, counts[2]);
    }

    @Test
    public void genuineSignatureVerifiesWithTheLeafAndNothingElse() {
        List<X509Certificate> chain = NvidiaVectors.chain();
        AttestationReport r = AttestationReport.parse(GENUINE);
        assertTrue(r.verify(chain.get(0).getPublicKey()));
        assertFalse(r.verify(chain.get(1).getPublicKey()));
        assertFalse(r.verify(EcKeys.generate("P-384").getPublic()));
        for (int at : new int[] {0x04, 37 + 8, 3565, 3599, SIGNATURE_AT - 1, SIGNATURE_AT, GENUINE.length - 1}) {
            byte[] t = GENUINE.clone();
            t[at] ^= 0x01;
            AttestationReport tampered = AttestationReport.parse(t);
            assertFalse("byte " + at + " flipped", tampered.verify(chain.get(0).getPublicKey()));
        }
    }

    @Test
    public void leafFwidEqualsTheOpaqueFwid() {
        byte[] leafFwid = DiceFwid.of(NvidiaVectors.chain().get(0));
        assertArrayEquals(AttestationReport.parse(GENUINE).opaqueData().fwid().orElseThrow(), leafFwid);
        // NVIDIA's verifier takes the extension's last 48 bytes: in NVIDIA's shape that is the parsed digest
        byte[] ext = org.bouncycastle.asn1.ASN1OctetString.getInstance(NvidiaVectors.chain().get(0)
                .getExtensionValue(DiceFwid.OID)).getOctets();
        assertArrayEquals(Arrays.copyOfRange(ext, ext.length - 48, ext.length), leafFwid);
        try {
            DiceFwid.of(NvidiaVectors.chain().get(1));
            fail("the BROM certificate has no FWID extension");
        } catch (MalformedStructureException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(DiceFwid.OID));
        }
    }

    @Test
    public void diceExtensionRoundTripsAndRejectsOtherShapes() {
        byte[] fwid = new byte[48];
        Arrays.fill(fwid, (byte) 0x5A);
        byte[] ext = DiceFwid.extensionValue(EcKeys.generate("P-384").getPublic(), fwid);
        assertArrayEquals(fwid, DiceFwid.fromExtensionValue(ext));
        java.security.KeyPair kp = EcKeys.generate("P-384");
        io.teebox.kit.x509.X509Authority ca = io.teebox.kit.x509.X509Authority.builder().subject("CN=ca").keyPair(
                kp).ca().selfSigned();
        X509Certificate alias = ca.issue().subject("CN=leaf").keyPair(EcKeys.generate("P-384")).endEntity()
                .extension(DiceFwid.OID_ALIAS, false, ext).buildCertificate();
        assertArrayEquals(fwid, DiceFwid.of(alias));
        for (byte[] bad : new byte[][] {{}, {0x30}, {0x04, 0x01, 0x00}, {0x30, 0x00}, Arrays.copyOf(ext,
                ext.length - 1)}) {
            try {
                DiceFwid.fromExtensionValue(bad);
                fail("accepted " + Hex.encode(bad));
            } catch (MalformedStructureException e) {
                assertNotNull(e.getMessage());
            }
        }
    }

    @Test
    public void everyTruncationIsMalformedNamingAnOffset() {
        for (int n = 0; n < GENUINE.length; n++) {
            try {
                AttestationReport.parse(Arrays.copyOf(GENUINE, n));
                fail("a report truncated to " + n + " bytes parsed");
            } catch (MalformedStructureException e) {
                assertTrue(n + ": " + e.getMessage(), e.getMessage().contains("offset") || n < 37);
            }
        }
        byte[] longer = Arrays.copyOf(GENUINE, GENUINE.length + 1);
        try {
            AttestationReport.parse(longer);
            fail("trailing byte accepted");
        } catch (MalformedStructureException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("4117"));
        }
    }

    @Test
    public void randomlyMutatedReportsParseOrAreMalformed() {
        java.util.Random rnd = new java.util.Random(13);
        int[] hot = {41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 3597, 3598, 3599, 3600, 3601, 3602};
        for (int i = 0; i < 20_000; i++) {
            byte[] t = GENUINE.clone();
            for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                int at = rnd.nextBoolean() ? hot[rnd.nextInt(hot.length)] : rnd.nextInt(t.length);
                t[at] = (byte) rnd.nextInt(256);
            }
            try {
                AttestationReport r = AttestationReport.parse(t);
                assertArrayEquals(t, r.encode());
                r.opaqueData().text(OpaqueField.PROJECT);
            } catch (MalformedStructureException e) {
                assertNotNull(e.getMessage());
            }
        }
    }

    @Test
    public void overflowingLengthsAreMalformed() {
        // MeasurementRecordLength (abs 42..44), OpaqueLength (abs 3597), a block's MeasurementSize (abs 47) and a
        // DMTF value size (abs 50), an opaque field's size (abs 3601): all set to their maximum
        int[][] fields = {{42, 3}, {3597, 2}, {47, 2}, {50, 2}, {3601, 2}};
        for (int[] f : fields) {
            byte[] t = GENUINE.clone();
            for (int i = 0; i < f[1]; i++) {
                t[f[0] + i] = (byte) 0xFF;
            }
            expectMalformed(t, "length at " + f[0]);
        }
        byte[] t = GENUINE.clone();
        t[41] = 65; // NumberOfBlocks says 65
        expectMalformed(t, "NumberOfBlocks");
        t = GENUINE.clone();
        t[46] = 2; // block 1's MeasurementSpecification not DMTF
        expectMalformed(t, "MeasurementSpecification");
        t = GENUINE.clone();
        t[1] = 0x60; // not GET_MEASUREMENTS
        expectMalformed(t, "RequestResponseCode");
        t = GENUINE.clone();
        t[38] = (byte) 0xE0; // response code
        expectMalformed(t, "RequestResponseCode");
        t = GENUINE.clone();
        t[0] = 0x12;
        expectMalformed(t, "SPDMVersion");
    }

    private static void expectMalformed(byte[] report, String what) {
        try {
            AttestationReport.parse(report);
            fail(what + ": accepted");
        } catch (MalformedStructureException e) {
            assertTrue(what + ": " + e.getMessage(), e.getMessage().contains("offset")
                    || e.getMessage().contains("ends at"));
        }
    }

    @Test
    public void opaqueFieldReadersRejectWrongValues() {
        OpaqueData o = new OpaqueData(List.of(new OpaqueField(OpaqueField.VBIOS_VERSION, new byte[7]),
                new OpaqueField(OpaqueField.NVDEC0_STATUS, new byte[] {0x12}),
                new OpaqueField(OpaqueField.FWID, new byte[47]),
                new OpaqueField(OpaqueField.MSRSCNT, new byte[6]),
                new OpaqueField(OpaqueField.PROJECT, new byte[] {'1', 0x07, 0})));
        for (Runnable r : List.<Runnable>of(o::vbiosVersion, o::nvdec0Enabled, o::fwid, o::project,
                o::driverVersion, o::measurementCounts)) {
            try {
                r.run();
                fail("accepted");
            } catch (MalformedStructureException e) {
                assertNotNull(e.field());
            }
        }
        try {
            OpaqueData.parse(new byte[] {3, 0, 5, 0, 'a'});
            fail("a field running past the end parsed");
        } catch (MalformedStructureException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("DRIVER_VERSION.value at offset 4"));
        }
    }

    @Test
    public void signerMakesReportsTheLeafVerifies() {
        AttestationReport genuine = AttestationReport.parse(GENUINE);
        byte[] fwid = new byte[48];
        Arrays.fill(fwid, (byte) 0x11);
        SelfMadeGpu gpu = new SelfMadeGpu(fwid);
        byte[] nonce = new byte[32];
        nonce[0] = 7;
        AttestationReport made = gpu.sign(genuine, nonce, fwid);
        AttestationReport back = AttestationReport.parse(made.encode());
        assertEquals(made, back);
        assertEquals(GENUINE.length, back.encode().length);
        assertTrue(back.verify(gpu.chain().get(0).getPublicKey()));
        assertFalse(back.verify(NvidiaVectors.chain().get(0).getPublicKey()));
        assertArrayEquals(nonce, back.nonce());
        assertArrayEquals(fwid, DiceFwid.of(gpu.chain().get(0)));
        assertArrayEquals(fwid, back.opaqueData().fwid().orElseThrow());
        try {
            new ReportSigner(EcKeys.generate("P-256").getPrivate());
            fail("a P-256 key was taken");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("P-384"));
        }
    }

    @Test
    public void jsonCarrierRoundTrips() {
        GpuEvidenceJson j = new GpuEvidenceJson(GpuEvidenceJson.HOPPER, NvidiaVectors.nonce(), GENUINE,
                NvidiaVectors.chainPem());
        String text = j.toJson();
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(text).getAsJsonObject();
        assertEquals("HOPPER", o.get("arch").getAsString());
        assertEquals(NvidiaVectors.NONCE_HEX, o.get("nonce").getAsString());
        assertArrayEquals(GENUINE, java.util.Base64.getDecoder().decode(o.get("evidence").getAsString()));
        GpuEvidenceJson back = GpuEvidenceJson.parse(text);
        assertArrayEquals(GENUINE, back.evidence());
        assertArrayEquals(NvidiaVectors.nonce(), back.nonce());
        assertEquals(NvidiaVectors.chainPem(), back.certificatePem());
        assertEquals(5, io.teebox.kit.x509.X509Authority.certificatesFromPem(back.certificatePem()).size());
        GpuEvidenceJson noNonce = GpuEvidenceJson.parse("{\"arch\":\"HOPPER\",\"evidence\":\"AAE=\","
                + "\"certificate\":\"\"}");
        assertEquals(null, noNonce.nonce());
        for (String bad : new String[] {"[]", "{", "{\"arch\":1,\"evidence\":\"\",\"certificate\":\"\"}",
            "{\"arch\":\"HOPPER\",\"evidence\":\"!!\",\"certificate\":\"\"}",
            "{\"arch\":\"HOPPER\",\"certificate\":\"\"}",
            "{\"arch\":\"HOPPER\",\"nonce\":\"xyz\",\"evidence\":\"\",\"certificate\":\"\"}"}) {
            try {
                GpuEvidenceJson.parse(bad);
                fail("accepted " + bad);
            } catch (MalformedStructureException e) {
                assertNotNull(e.getMessage());
            }
        }
    }
}
