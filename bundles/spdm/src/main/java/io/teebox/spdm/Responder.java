package io.teebox.spdm;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.spdm.internal.KeySchedule;
import io.teebox.spdm.internal.SecuredMessageOpaque;
import io.teebox.spdm.internal.SecuredMessages;
import io.teebox.spdm.internal.Writer;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An SPDM 1.1 responder: answers VCA, GET_DIGESTS, GET_CERTIFICATE, KEY_EXCHANGE, FINISH (inside the session) and
 * GET_MEASUREMENTS (plain or inside the session) with one certificate slot (0), ECDSA P-384 and ECDHE secp384r1,
 * AES-256-GCM sessions. Capabilities: CERT, MEAS_SIG, MEAS_FRESH, ENCRYPT, MAC, KEY_EX, KEY_UPD. Every request,
 * however malformed, gets a response: a bad one the ERROR a device returns (InvalidRequest, UnexpectedRequest,
 * DecryptError, ...). A secured message that does not authenticate (tampered, replayed, out of sequence) ends its
 * session. Thread-safe (one request at a time).
 */
public final class Responder {

    /** The capability flags this responder reports. */
    public static final int CAPABILITIES = Spdm.CAP_CERT | Spdm.CAP_MEAS_SIG | Spdm.CAP_MEAS_FRESH
            | Spdm.CAP_ENCRYPT | Spdm.CAP_MAC | Spdm.CAP_KEY_EX | Spdm.CAP_KEY_UPD;
    /** The most bytes of the chain one CERTIFICATE carries (libspdm's LIBSPDM_MAX_CERT_CHAIN_BLOCK_LEN). */
    public static final int MAX_PORTION = 1024;
    /** The most sessions open at once. */
    public static final int MAX_SESSIONS = 4;

    private enum Connection { START, AFTER_VERSION, AFTER_CAPABILITIES, NEGOTIATED }

    private static final class Session {
        final int id;
        final byte[] handshakeSecret;
        final byte[] reqHs;
        final byte[] rspHs;
        final ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        final ByteArrayOutputStream measurements = new ByteArrayOutputStream();
        SecuredMessages.Direction in;
        SecuredMessages.Direction out;
        SessionKeys keys;

        Session(int id, byte[] handshakeSecret, byte[] reqHs, byte[] rspHs) {
            this.id = id;
            this.handshakeSecret = handshakeSecret;
            this.reqHs = reqHs;
            this.rspHs = rspHs;
            this.in = new SecuredMessages.Direction(reqHs);
            this.out = new SecuredMessages.Direction(rspHs);
        }
    }

    /** A failed request: the ERROR to answer with. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final SpdmError error;
        final int data;

        Failure(SpdmError error, int data) {
            super(error.name(), null, false, false);
            this.error = error;
            this.data = data;
        }
    }

    private final KeyPair key;
    private final CertificateChain chain;
    private final byte[] chainBytes;
    private final Supplier<List<MeasurementBlock>> measurements;
    private final byte[] measurementOpaque;
    private final SecureRandom random;
    private final int sequenceSize;

    private Connection state = Connection.START;
    private final ByteArrayOutputStream messageA = new ByteArrayOutputStream();
    private final ByteArrayOutputStream plainMeasurements = new ByteArrayOutputStream();
    private int requesterFlags;
    private boolean suiteAgreed;
    private final Map<Integer, Session> sessions = new LinkedHashMap<>();

    /**
     * Creates a responder.
     *
     * @param key the device's P-384 key pair (the leaf certificate's)
     * @param chainRootFirst the DER certificates of slot 0 in SPDM order: root first, leaf last
     * @param measurements the measurement blocks, asked for afresh for each GET_MEASUREMENTS (MEAS_FRESH)
     * @param measurementOpaque the OpaqueData of MEASUREMENTS (e.g. a device's TLVs), may be empty
     * @param random the randomness for nonces, session IDs and ephemeral keys
     * @param sequenceSize bytes of the sequence number in secured messages' headers (0..8: the transport binding's
     *        choice; 0 for PCI DOE and the H100, 2 for MCTP)
     * @throws IllegalArgumentException if the key is not P-384, the chain is empty or too long, or sequenceSize is
     *         out of range
     */
    public Responder(KeyPair key, List<byte[]> chainRootFirst, Supplier<List<MeasurementBlock>> measurements,
            byte[] measurementOpaque, SecureRandom random, int sequenceSize) {
        this.key = Objects.requireNonNull(key, "key");
        if (!"P-384".equals(EcKeys.curveOf(key.getPublic()))) {
            throw new IllegalArgumentException("responder key must be P-384");
        }
        this.chain = CertificateChain.of(Objects.requireNonNull(chainRootFirst, "chainRootFirst"));
        this.chainBytes = chain.encode();
        this.measurements = Objects.requireNonNull(measurements, "measurements");
        Writer.fit("OpaqueLength", measurementOpaque.length, 16);
        this.measurementOpaque = measurementOpaque.clone();
        this.random = Objects.requireNonNull(random, "random");
        if (sequenceSize < 0 || sequenceSize > 8) {
            throw new IllegalArgumentException("sequenceSize is " + sequenceSize + ", expected 0..8");
        }
        this.sequenceSize = sequenceSize;
    }

    /** @return slot 0's certificate chain */
    public CertificateChain certificateChain() {
        return chain;
    }

    /**
     * The keys of an established session.
     *
     * @param sessionId the session ID
     * @return the keys, empty if no such session has finished its handshake
     */
    public synchronized Optional<SessionKeys> sessionKeys(int sessionId) {
        Session s = sessions.get(sessionId);
        return s == null ? Optional.empty() : Optional.ofNullable(s.keys);
    }

    /** @return the IDs of the open sessions (handshaking or established) */
    public synchronized List<Integer> sessions() {
        return List.copyOf(sessions.keySet());
    }

    /**
     * Answers one request.
     *
     * @param request a plain SPDM message or a secured message
     * @return the response: plain for a plain request, and for a secured one that cannot be authenticated
     */
    public synchronized Packet exchange(Packet request) {
        byte[] b = request.bytes();
        return request.secured() ? secured(b) : Packet.plain(plain(b));
    }

    private int version() {
        return state == Connection.START || state == Connection.AFTER_VERSION ? Spdm.VERSION_10 : Spdm.VERSION_11;
    }

    private byte[] error(int version, SpdmError e, int data) {
        return new ErrorResponse(version, e.code(), data, new byte[0]).encode();
    }

    private byte[] plain(byte[] b) {
        try {
            return plainOrFail(b);
        } catch (Failure f) {
            return error(version(), f.error, f.data);
        } catch (IllegalArgumentException e) {
            return error(version(), SpdmError.INVALID_REQUEST, 0);
        }
    }

    private byte[] plainOrFail(byte[] b) throws Failure {
        if (b.length < 4) {
            throw new Failure(SpdmError.INVALID_REQUEST, 0);
        }
        int code = b[1] & 0xFF;
        if (code == Spdm.GET_VERSION) {
            GetVersion.parse(b);
            if ((b[0] & 0xFF) != Spdm.VERSION_10) {
                throw new Failure(SpdmError.VERSION_MISMATCH, 0);
            }
            byte[] rsp = new Version(List.of(Spdm.VERSION_ENTRY_10, Spdm.VERSION_ENTRY_11)).encode();
            sessions.clear();
            messageA.reset();
            plainMeasurements.reset();
            messageA.writeBytes(b);
            messageA.writeBytes(rsp);
            state = Connection.AFTER_VERSION;
            return rsp;
        }
        if (state == Connection.START) {
            throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
        }
        if ((b[0] & 0xFF) != Spdm.VERSION_11) {
            throw new Failure(SpdmError.VERSION_MISMATCH, 0);
        }
        switch (code) {
            case Spdm.GET_CAPABILITIES -> {
                if (state != Connection.AFTER_VERSION) {
                    throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
                }
                Capabilities req = Capabilities.parse(true, b);
                byte[] rsp = new Capabilities(false, Spdm.VERSION_11, 0, CAPABILITIES).encode();
                requesterFlags = req.flags();
                messageA.writeBytes(b);
                messageA.writeBytes(rsp);
                state = Connection.AFTER_CAPABILITIES;
                return rsp;
            }
            case Spdm.NEGOTIATE_ALGORITHMS -> {
                if (state != Connection.AFTER_CAPABILITIES) {
                    throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
                }
                byte[] rsp = algorithms(Algorithms.parse(true, b)).encode();
                messageA.writeBytes(b);
                messageA.writeBytes(rsp);
                state = Connection.NEGOTIATED;
                return rsp;
            }
            default -> {
                if (state != Connection.NEGOTIATED) {
                    throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
                }
                return negotiated(code, b);
            }
        }
    }

    private Algorithms algorithms(Algorithms req) {
        int spec = req.measurementSpecification() & Spdm.MEAS_SPEC_DMTF;
        int asym = req.baseAsymAlgo() & Spdm.ASYM_ECDSA_P384;
        int hash = req.baseHashAlgo() & Spdm.HASH_SHA_384;
        List<AlgorithmStructure> structs = new ArrayList<>();
        int dhe = 0;
        int aead = 0;
        int schedule = 0;
        for (AlgorithmStructure s : req.structures()) {
            switch (s.type()) {
                case Spdm.ALG_TYPE_DHE -> structs.add(AlgorithmStructure.of(s.type(),
                        dhe = s.supported() & Spdm.DHE_SECP384R1));
                case Spdm.ALG_TYPE_AEAD -> structs.add(AlgorithmStructure.of(s.type(),
                        aead = s.supported() & Spdm.AEAD_AES_256_GCM));
                case Spdm.ALG_TYPE_REQ_BASE_ASYM -> structs.add(AlgorithmStructure.of(s.type(), 0));
                case Spdm.ALG_TYPE_KEY_SCHEDULE -> structs.add(AlgorithmStructure.of(s.type(),
                        schedule = s.supported() & Spdm.KEY_SCHEDULE_SPDM));
                default -> { }
            }
        }
        suiteAgreed = spec != 0 && asym != 0 && hash != 0 && dhe != 0 && aead != 0 && schedule != 0;
        return new Algorithms(false, Spdm.VERSION_11, spec, spec != 0 ? Spdm.MEAS_HASH_SHA_384 : 0, asym, hash,
                List.of(), List.of(), structs);
    }

    private byte[] negotiated(int code, byte[] b) throws Failure {
        switch (code) {
            case Spdm.GET_DIGESTS -> {
                GetDigests.parse(b);
                return new io.teebox.spdm.Digests(Spdm.VERSION_11, 1, List.of(chain.digest())).encode();
            }
            case Spdm.GET_CERTIFICATE -> {
                GetCertificate req = GetCertificate.parse(b);
                if (req.slot() != 0 || req.offset() >= chainBytes.length) {
                    throw new Failure(SpdmError.INVALID_REQUEST, 0);
                }
                int n = Math.min(Math.min(req.length(), MAX_PORTION), chainBytes.length - req.offset());
                return new Certificate(Spdm.VERSION_11, 0,
                        Arrays.copyOfRange(chainBytes, req.offset(), req.offset() + n),
                        chainBytes.length - req.offset() - n).encode();
            }
            case Spdm.KEY_EXCHANGE -> {
                return keyExchange(KeyExchange.parse(b), b);
            }
            case Spdm.GET_MEASUREMENTS -> {
                return measurements(b, plainMeasurements);
            }
            case Spdm.FINISH -> throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
            default -> throw new Failure(SpdmError.UNSUPPORTED_REQUEST, code);
        }
    }

    private byte[] keyExchange(KeyExchange req, byte[] raw) throws Failure {
        int needed = Spdm.CAP_KEY_EX | Spdm.CAP_ENCRYPT | Spdm.CAP_MAC;
        if (!suiteAgreed || (requesterFlags & needed) != needed
                || (requesterFlags & Spdm.CAP_HANDSHAKE_IN_THE_CLEAR) != 0) {
            throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
        }
        if (req.slot() != 0 || (req.summaryHashType() != Spdm.SUMMARY_HASH_NONE
                && req.summaryHashType() != Spdm.SUMMARY_HASH_ALL)) {
            throw new Failure(SpdmError.INVALID_REQUEST, 0);
        }
        if (sessions.size() >= MAX_SESSIONS) {
            throw new Failure(SpdmError.SESSION_LIMIT_EXCEEDED, 0);
        }
        if (req.opaque().length > 0 && Arrays.stream(SecuredMessageOpaque.versions(req.opaque(), 1))
                .noneMatch(v -> (v & 0xFF00) == SecuredMessageOpaque.VERSION_1_0)) {
            throw new Failure(SpdmError.INVALID_REQUEST, 0);
        }
        byte[] opaque = SecuredMessageOpaque.versionSelection();
        byte[] ex = req.exchangeData();
        var theirs = EcKeys.publicKey("P-384", new BigInteger(1, Arrays.copyOfRange(ex, 0, 48)),
                new BigInteger(1, Arrays.copyOfRange(ex, 48, 96)));
        KeyPair eph = EcKeys.generate("P-384");
        byte[] dhe = EcKeys.ecdh(eph.getPrivate(), theirs);
        int rspId;
        int sessionId;
        do {
            rspId = 1 + random.nextInt(0xFFFF);
            sessionId = rspId << 16 | req.reqSessionId();
        } while (sessions.containsKey(sessionId));
        byte[] summary = new byte[0];
        if (req.summaryHashType() == Spdm.SUMMARY_HASH_ALL) {
            MessageDigest md = Digests.newSha384();
            measurements.get().forEach(m -> md.update(m.encode()));
            summary = md.digest();
        }
        BigInteger[] point = EcKeys.publicPoint(eph.getPublic());
        byte[] exchange = new Writer().bytes(Signatures.toRaw(point[0], point[1], 48)).toByteArray();
        byte[] rnd = new byte[Spdm.NONCE_SIZE];
        random.nextBytes(rnd);
        KeyExchangeResponse unsigned = new KeyExchangeResponse(Spdm.VERSION_11, 0, rspId, 0, 0, rnd, exchange,
                summary, opaque, new byte[Spdm.SIGNATURE_SIZE], new byte[0]);
        ByteArrayOutputStream th = new ByteArrayOutputStream();
        th.writeBytes(messageA.toByteArray());
        th.writeBytes(chain.digest());
        th.writeBytes(raw);
        th.writeBytes(unsigned.signedPart());
        BigInteger[] rs = Signatures.ecdsaSign(key.getPrivate(), "SHA-384", th.toByteArray());
        byte[] sig = Signatures.toRaw(rs[0], rs[1], 48);
        th.writeBytes(sig);
        byte[] th1 = Digests.sha384(th.toByteArray());
        byte[] hs = KeySchedule.handshakeSecret(dhe);
        byte[] reqHs = KeySchedule.expandLabel(hs, "req hs data", th1, Spdm.HASH_SIZE);
        byte[] rspHs = KeySchedule.expandLabel(hs, "rsp hs data", th1, Spdm.HASH_SIZE);
        byte[] verify = KeySchedule.hmac("HmacSHA384", KeySchedule.finishedKey(rspHs), th1);
        KeyExchangeResponse rsp = new KeyExchangeResponse(Spdm.VERSION_11, 0, rspId, 0, 0, rnd, exchange, summary,
                opaque, sig, verify);
        Session s = new Session(sessionId, hs, reqHs, rspHs);
        s.transcript.writeBytes(th.toByteArray());
        s.transcript.writeBytes(verify);
        sessions.put(sessionId, s);
        return rsp.encode();
    }

    private byte[] measurements(byte[] b, ByteArrayOutputStream transcript) throws Failure {
        GetMeasurements req = GetMeasurements.parse(b);
        if (!suiteAgreed) {
            throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
        }
        if (req.signatureRequested() && req.slotIdParam() != 0) {
            throw new Failure(SpdmError.INVALID_REQUEST, 0);
        }
        List<MeasurementBlock> all = measurements.get();
        List<MeasurementBlock> blocks;
        int param1 = 0;
        if (req.operation() == Spdm.MEAS_OP_COUNT) {
            blocks = List.of();
            param1 = all.size();
        } else if (req.operation() == Spdm.MEAS_OP_ALL) {
            blocks = all;
        } else {
            blocks = all.stream().filter(m -> m.index() == req.operation()).toList();
            if (blocks.isEmpty()) {
                throw new Failure(SpdmError.INVALID_REQUEST, 0);
            }
        }
        byte[] nonce = new byte[Spdm.NONCE_SIZE];
        random.nextBytes(nonce);
        Measurements unsigned = new Measurements(Spdm.VERSION_11, param1, 0, blocks, nonce, measurementOpaque,
                new byte[0]);
        byte[] part = unsigned.signedPart();
        if (!req.signatureRequested()) {
            transcript.writeBytes(b);
            transcript.writeBytes(part);
            return part;
        }
        ByteArrayOutputStream l1 = new ByteArrayOutputStream();
        l1.writeBytes(transcript.toByteArray());
        l1.writeBytes(b);
        l1.writeBytes(part);
        transcript.reset();
        BigInteger[] rs = Signatures.ecdsaSign(key.getPrivate(), "SHA-384", l1.toByteArray());
        return new Measurements(Spdm.VERSION_11, param1, 0, blocks, nonce, measurementOpaque,
                Signatures.toRaw(rs[0], rs[1], 48)).encode();
    }

    private Packet secured(byte[] b) {
        Session s;
        try {
            s = sessions.get(SecuredMessages.sessionId(b));
        } catch (SecuredMessages.Refused e) {
            return Packet.plain(error(Spdm.VERSION_11, SpdmError.INVALID_REQUEST, 0));
        }
        if (s == null) {
            return Packet.plain(error(Spdm.VERSION_11, SpdmError.INVALID_SESSION, 0));
        }
        byte[] app;
        try {
            app = SecuredMessages.decode(s.id, sequenceSize, s.in, b);
        } catch (SecuredMessages.Refused e) {
            sessions.remove(s.id);
            return Packet.plain(error(Spdm.VERSION_11, SpdmError.DECRYPT_ERROR, 0));
        }
        byte[] rsp;
        SecuredMessages.Direction out = s.out;
        boolean end = false;
        try {
            if (app.length < 4) {
                throw new Failure(SpdmError.INVALID_REQUEST, 0);
            }
            if ((app[0] & 0xFF) != Spdm.VERSION_11) {
                throw new Failure(SpdmError.VERSION_MISMATCH, 0);
            }
            int code = app[1] & 0xFF;
            if (s.keys == null) {
                if (code != Spdm.FINISH) {
                    throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
                }
                rsp = finish(s, app);
            } else if (code == Spdm.GET_MEASUREMENTS) {
                rsp = measurements(app, s.measurements);
            } else if (code == Spdm.FINISH || code == Spdm.KEY_EXCHANGE || code == Spdm.GET_VERSION
                    || code == Spdm.GET_CAPABILITIES || code == Spdm.NEGOTIATE_ALGORITHMS) {
                throw new Failure(SpdmError.UNEXPECTED_REQUEST, 0);
            } else {
                throw new Failure(SpdmError.UNSUPPORTED_REQUEST, code);
            }
        } catch (Failure f) {
            rsp = error(Spdm.VERSION_11, f.error, f.data);
            end = f.error == SpdmError.DECRYPT_ERROR;
        } catch (IllegalArgumentException e) {
            rsp = error(Spdm.VERSION_11, SpdmError.INVALID_REQUEST, 0);
        }
        byte[] sealed = SecuredMessages.encode(s.id, sequenceSize, out, rsp);
        if (end) {
            sessions.remove(s.id);
        }
        return new Packet(true, sealed);
    }

    private byte[] finish(Session s, byte[] b) throws Failure {
        Finish req = Finish.parse(b);
        if ((req.attributes() & 1) != 0 || req.slot() != 0) {
            throw new Failure(SpdmError.INVALID_REQUEST, 0);
        }
        ByteArrayOutputStream th = new ByteArrayOutputStream();
        th.writeBytes(s.transcript.toByteArray());
        th.writeBytes(req.macedPart());
        byte[] expected = KeySchedule.hmac("HmacSHA384", KeySchedule.finishedKey(s.reqHs),
                Digests.sha384(th.toByteArray()));
        if (!MessageDigest.isEqual(expected, req.verifyData())) {
            throw new Failure(SpdmError.DECRYPT_ERROR, 0);
        }
        byte[] rsp = new FinishResponse(Spdm.VERSION_11, new byte[0]).encode();
        th.writeBytes(req.verifyData());
        th.writeBytes(rsp);
        s.keys = KeySchedule.sessionKeys(s.id, s.handshakeSecret, s.reqHs, s.rspHs, Digests.sha384(th.toByteArray()));
        // FINISH_RSP still goes out under the response handshake key, which secured() holds already
        s.in = new SecuredMessages.Direction(s.keys.requestDataSecret());
        s.out = new SecuredMessages.Direction(s.keys.responseDataSecret());
        return rsp;
    }
}
