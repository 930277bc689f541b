package io.teebox.spdm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.teebox.kit.codec.MalformedStructureException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.Test;

public class HandshakeTest {

    private final TestDevice device = new TestDevice();

    /** Passes messages through, changing the response to one request code. */
    private static Transport tamperResponse(Responder r, int requestCode, UnaryOperator<byte[]> change) {
        return req -> {
            Packet rsp = r.exchange(req);
            byte[] b = req.bytes();
            if (!req.secured() && (b[1] & 0xFF) == requestCode) {
                return new Packet(false, change.apply(rsp.bytes()));
            }
            return rsp;
        };
    }

    private static UnaryOperator<byte[]> flip(int offset) {
        return b -> {
            b[offset] ^= 1;
            return b;
        };
    }

    private static Optional<SpdmError> errorOf(Packet p) {
        assertFalse("expected a plain ERROR", p.secured());
        byte[] b = p.bytes();
        assertEquals("expected ERROR, got " + Spdm.name(b[1] & 0xFF), Spdm.ERROR, b[1] & 0xFF);
        return ErrorResponse.parse(b).error();
    }

    private static void assertSecret(byte[] a, byte[] b) {
        assertEquals(48, a.length);
        assertArrayEquals(a, b);
    }

    @Test
    public void fullHandshakeDerivesIdenticalKeysOnBothSides() {
        for (int seq : new int[] {0, 2, 8}) {
            Responder responder = device.responder(seq);
            Session s = device.requester(responder::exchange, seq).connect();
            SessionKeys mine = s.keys();
            SessionKeys theirs = responder.sessionKeys(s.id()).orElseThrow();
            assertEquals(mine.sessionId(), theirs.sessionId());
            assertSecret(mine.handshakeSecret(), theirs.handshakeSecret());
            assertSecret(mine.requestHandshakeSecret(), theirs.requestHandshakeSecret());
            assertSecret(mine.responseHandshakeSecret(), theirs.responseHandshakeSecret());
            assertSecret(mine.masterSecret(), theirs.masterSecret());
            assertSecret(mine.requestDataSecret(), theirs.requestDataSecret());
            assertSecret(mine.responseDataSecret(), theirs.responseDataSecret());
            assertSecret(mine.exportMasterSecret(), theirs.exportMasterSecret());
            assertFalse(Arrays.equals(mine.requestDataSecret(), mine.responseDataSecret()));
            assertEquals(device.chainRootFirst.size(), s.certificateChain().certificates().size());
        }
    }

    @Test
    public void twoSessionsHaveDifferentKeys() {
        Responder responder = device.responder(0);
        Session a = device.requester(responder::exchange, 0).connect();
        Session b = device.requester(responder::exchange, 0).connect();
        assertFalse(Arrays.equals(a.keys().exportMasterSecret(), b.keys().exportMasterSecret()));
    }

    @Test
    public void signedMeasurementsOverTheSession() {
        Responder responder = device.responder(0);
        Session s = device.requester(responder::exchange, 0).connect();
        byte[] nonce = new byte[32];
        nonce[0] = 0x42;
        MeasurementReport r = s.getMeasurements(nonce);
        assertEquals(37, r.request().length);
        assertEquals(4, r.measurements().blocks().size());
        assertArrayEquals(device.blocks.get(2).value(), r.measurements().blocks().get(2).value());
        assertArrayEquals(device.opaque, r.measurements().opaque());
        byte[] report = r.report();
        assertEquals(r.request().length + r.response().length, report.length);
        assertArrayEquals(nonce, Arrays.copyOfRange(report, 4, 36));
        // a second one in the same session works too (sequence numbers advance on both sides)
        assertEquals(4, s.getMeasurements(nonce).measurements().blocks().size());
    }

    @Test
    public void wrongKeyExchangeSignatureIsRefused() {
        Responder responder = device.responder(0);
        // Signature starts after header 4, RspSessionID 2, MutAuth 1, SlotID 1, Random 32, ExchangeData 96,
        // OpaqueDataLength 2, OpaqueData 16 (the secured message version selection)
        Transport t = tamperResponse(responder, Spdm.KEY_EXCHANGE, flip(154 + 10));
        try {
            device.requester(t, 0).connect();
            fail("bad signature accepted");
        } catch (SpdmException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("signature"));
        }
    }

    @Test
    public void wrongResponderVerifyDataIsRefused() {
        Responder responder = device.responder(0);
        Transport t = tamperResponse(responder, Spdm.KEY_EXCHANGE, flip(154 + 96 + 5));
        try {
            device.requester(t, 0).connect();
            fail("bad ResponderVerifyData accepted");
        } catch (SpdmException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("ResponderVerifyData"));
        }
    }

    @Test
    public void chainNotMatchingItsDigestIsRefused() {
        Responder responder = device.responder(0);
        Transport t = tamperResponse(responder, Spdm.GET_DIGESTS, flip(4 + 17));
        try {
            device.requester(t, 0).connect();
            fail("digest mismatch accepted");
        } catch (SpdmException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("digest"));
        }
    }

    @Test
    public void chainFromAnUntrustedRootIsRefused() {
        Responder responder = device.responder(0);
        TestDevice other = new TestDevice();
        Requester r = new Requester(responder::exchange, new java.security.SecureRandom(), 0,
                List.of(other.root.certificate()), 1024);
        try {
            r.connect();
            fail("untrusted root accepted");
        } catch (SpdmException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("trusted root"));
        }
    }

    private static void vca(Responder r) {
        r.exchange(Packet.plain(GetVersion.of().encode()));
        r.exchange(Packet.plain(new Capabilities(true, 0x11, 0, Requester.CAPABILITIES).encode()));
        r.exchange(Packet.plain(new Algorithms(true, 0x11, 1, 0, Spdm.ASYM_ECDSA_P384, Spdm.HASH_SHA_384, List.of(),
                List.of(), List.of(AlgorithmStructure.of(2, Spdm.DHE_SECP384R1), AlgorithmStructure.of(3, 2),
                        AlgorithmStructure.of(5, 1))).encode()));
    }

    @Test
    public void finishBeforeKeyExchangeIsAnUnexpectedRequest() {
        Responder r = device.responder(0);
        byte[] finish = new Finish(0x11, 0, 0, new byte[0], new byte[48]).encode();
        assertEquals(Optional.of(SpdmError.UNEXPECTED_REQUEST), errorOf(r.exchange(Packet.plain(finish))));
        vca(r);
        assertEquals(Optional.of(SpdmError.UNEXPECTED_REQUEST), errorOf(r.exchange(Packet.plain(finish))));
        // and capabilities before version, algorithms twice
        Responder fresh = device.responder(0);
        assertEquals(Optional.of(SpdmError.UNEXPECTED_REQUEST), errorOf(fresh.exchange(Packet.plain(
                new Capabilities(true, 0x11, 0, 0).encode()))));
    }

    @Test
    public void wrongVersionIsAVersionMismatch() {
        Responder r = device.responder(0);
        vca(r);
        byte[] digests = new GetDigests(0x12).encode();
        assertEquals(Optional.of(SpdmError.VERSION_MISMATCH), errorOf(r.exchange(Packet.plain(digests))));
    }

    /** Records the secured requests it passes on. */
    private static final class Recorder implements Transport {
        final Responder r;
        final List<Packet> secured = new ArrayList<>();
        UnaryOperator<Packet> onRequest = p -> p;
        UnaryOperator<Packet> onResponse = p -> p;

        Recorder(Responder r) {
            this.r = r;
        }

        @Override
        public Packet exchange(Packet request) {
            if (request.secured()) {
                secured.add(request);
            }
            Packet rsp = r.exchange(onRequest.apply(request));
            return rsp.secured() ? onResponse.apply(rsp) : rsp;
        }
    }

    private static Packet flipPacket(Packet p, int offset) {
        byte[] b = p.bytes();
        b[offset] ^= 0x01;
        return new Packet(p.secured(), b);
    }

    @Test
    public void tamperedSecuredRequestIsADecryptErrorAndEndsTheSession() {
        for (int fromEnd : new int[] {1, 16, 17, 25}) { // in the MAC, its first byte, the ciphertext before it
            Responder responder = device.responder(0);
            Recorder rec = new Recorder(responder);
            Session s = device.requester(rec, 0).connect();
            rec.onRequest = p -> flipPacket(p, p.bytes().length - fromEnd);
            try {
                s.getMeasurements(new byte[32]);
                fail("tampered request accepted");
            } catch (SpdmException e) {
                assertEquals(Optional.of(SpdmError.DECRYPT_ERROR), e.error());
            }
            assertFalse(s.isOpen());
            assertFalse(responder.sessions().contains(s.id()));
        }
    }

    @Test
    public void tamperedHeaderIsRefused() {
        Responder responder = device.responder(0);
        Recorder rec = new Recorder(responder);
        Session s = device.requester(rec, 0).connect();
        rec.onRequest = p -> flipPacket(p, 4); // the Length field (no sequence number in the header)
        try {
            s.getMeasurements(new byte[32]);
            fail("tampered Length accepted");
        } catch (SpdmException e) {
            assertEquals(Optional.of(SpdmError.DECRYPT_ERROR), e.error());
        }
        assertFalse(responder.sessions().contains(s.id()));
    }

    @Test
    public void replayedSecuredRequestIsADecryptError() {
        for (int seq : new int[] {0, 2}) {
            Responder responder = device.responder(seq);
            Recorder rec = new Recorder(responder);
            Session s = device.requester(rec, seq).connect();
            s.getMeasurements(new byte[32]);
            Packet last = rec.secured.get(rec.secured.size() - 1);
            assertEquals(Optional.of(SpdmError.DECRYPT_ERROR), errorOf(responder.exchange(last)));
            assertFalse(responder.sessions().contains(s.id()));
            // the session is gone: the requester's next message meets InvalidSession
            try {
                s.getMeasurements(new byte[32]);
                fail("ended session still answered");
            } catch (SpdmException e) {
                assertEquals(Optional.of(SpdmError.INVALID_SESSION), e.error());
            }
        }
    }

    @Test
    public void tamperedSecuredResponseIsADecryptErrorForTheRequester() {
        Responder responder = device.responder(0);
        Recorder rec = new Recorder(responder);
        Session s = device.requester(rec, 0).connect();
        rec.onResponse = p -> flipPacket(p, p.bytes().length - 30);
        try {
            s.getMeasurements(new byte[32]);
            fail("tampered response accepted");
        } catch (SpdmException e) {
            assertEquals(Optional.of(SpdmError.DECRYPT_ERROR), e.error());
        }
        assertFalse(s.isOpen());
    }

    @Test
    public void tamperedFinishIsADecryptError() {
        Responder responder = device.responder(0);
        Recorder rec = new Recorder(responder);
        rec.onRequest = p -> p.secured() ? flipPacket(p, p.bytes().length - 1) : p;
        try {
            device.requester(rec, 0).connect();
            fail("tampered FINISH accepted");
        } catch (SpdmException e) {
            assertEquals(Optional.of(SpdmError.DECRYPT_ERROR), e.error());
        }
        assertTrue(responder.sessions().isEmpty());
    }

    @Test
    public void truncatedRequestsGetInvalidRequestNeverAnException() {
        Responder r = device.responder(0);
        Session s = device.requester(r::exchange, 0).connect();
        List<byte[]> requests = List.of(new Capabilities(true, 0x11, 0, Requester.CAPABILITIES).encode(),
                new GetDigests(0x11).encode(), new GetCertificate(0x11, 0, 0, 100).encode(),
                new KeyExchange(0x11, 0, 0, 7, new byte[32], new byte[96], new byte[0]).encode(),
                new GetMeasurements(0x11, 1, 0xFF, new byte[32], 0).encode());
        for (byte[] full : requests) {
            for (int n = 0; n < full.length; n++) {
                Packet rsp = r.exchange(Packet.plain(Arrays.copyOf(full, n)));
                byte[] b = rsp.bytes();
                assertEquals(Spdm.ERROR, b[1] & 0xFF);
                SpdmError e = ErrorResponse.parse(b).error().orElseThrow();
                assertTrue(n + " bytes of " + Spdm.name(full[1] & 0xFF) + ": " + e,
                        e == SpdmError.INVALID_REQUEST || e == SpdmError.UNEXPECTED_REQUEST);
            }
        }
        // an invalid point in KEY_EXCHANGE is an InvalidRequest too
        assertEquals(Optional.of(SpdmError.INVALID_REQUEST), errorOf(r.exchange(Packet.plain(requests.get(3)))));
        // and truncated secured messages are refused without an exception
        for (int n = 0; n < 30; n++) {
            byte[] b = new byte[n];
            Packet rsp = r.exchange(new Packet(true, b));
            assertFalse(rsp.secured());
        }
        assertTrue(s.isOpen());
    }

    @Test
    public void malformedResponsesAreMalformedStructures() {
        Responder responder = device.responder(0);
        Transport t = tamperResponse(responder, Spdm.NEGOTIATE_ALGORITHMS, b -> Arrays.copyOf(b, b.length - 1));
        try {
            device.requester(t, 0).connect();
            fail("truncated ALGORITHMS accepted");
        } catch (MalformedStructureException e) {
            assertEquals("ALGORITHMS", e.structName());
        }
    }

    @Test
    public void certificateIsReadInChunks() {
        Responder responder = device.responder(0);
        List<Integer> lengths = new ArrayList<>();
        Transport t = req -> {
            byte[] b = req.bytes();
            if (!req.secured() && (b[1] & 0xFF) == Spdm.GET_CERTIFICATE) {
                lengths.add(GetCertificate.parse(b).offset());
            }
            return responder.exchange(req);
        };
        new Requester(t, new java.security.SecureRandom(), 0, List.of(), 100).connect();
        int total = responder.certificateChain().encode().length;
        assertEquals((total + 99) / 100, lengths.size());
        assertEquals(Integer.valueOf(100), lengths.get(1));
    }
}
