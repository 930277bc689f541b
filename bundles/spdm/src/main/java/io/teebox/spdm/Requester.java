package io.teebox.spdm;

import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.spdm.internal.KeySchedule;
import io.teebox.spdm.internal.SecuredMessageOpaque;
import io.teebox.spdm.internal.SecuredMessages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An SPDM 1.1 requester: runs GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS (ECDSA P-384, SHA-384, secp384r1,
 * AES-256-GCM, the SPDM key schedule), GET_DIGESTS, GET_CERTIFICATE (slot 0, in chunks), KEY_EXCHANGE with an
 * ephemeral P-384 key, and FINISH inside the session, and refuses a responder whose chain does not hash to its
 * digest, whose certificates do not chain (to a trusted root, when one is given), whose KEY_EXCHANGE_RSP signature or
 * ResponderVerifyData is wrong. Not thread-safe.
 */
public final class Requester {

    /** The capability flags this requester reports. */
    public static final int CAPABILITIES = Spdm.CAP_ENCRYPT | Spdm.CAP_MAC | Spdm.CAP_KEY_EX | Spdm.CAP_KEY_UPD;

    private final Transport transport;
    private final SecureRandom random;
    private final int sequenceSize;
    private final List<X509Certificate> trustedRoots;
    private final int chunk;

    /**
     * Creates a requester.
     *
     * @param transport the way to the responder
     * @param random randomness for RandomData, session IDs, nonces and the ephemeral key
     * @param sequenceSize bytes of the sequence number in secured messages' headers (0..8, as the responder)
     * @param trustedRoots the roots the chain's first certificate must be one of; empty to accept any self-consistent
     *        chain (the caller then appraises {@link Session#certificateChain()} itself)
     * @param chunk the Length asked for in each GET_CERTIFICATE (1..65535)
     */
    public Requester(Transport transport, SecureRandom random, int sequenceSize, List<X509Certificate> trustedRoots,
            int chunk) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.random = Objects.requireNonNull(random, "random");
        if (sequenceSize < 0 || sequenceSize > 8) {
            throw new IllegalArgumentException("sequenceSize is " + sequenceSize + ", expected 0..8");
        }
        this.sequenceSize = sequenceSize;
        this.trustedRoots = List.copyOf(trustedRoots);
        if (chunk < 1 || chunk > 0xFFFF) {
            throw new IllegalArgumentException("chunk is " + chunk + ", expected 1..65535");
        }
        this.chunk = chunk;
    }

    private static SpdmException refused(String message) {
        return new SpdmException(null, message);
    }

    private byte[] send(byte[] request, int expectedCode) {
        Packet rsp = transport.exchange(Packet.plain(request));
        if (rsp.secured()) {
            throw refused("responder answered " + Spdm.name(request[1] & 0xFF) + " with a secured message");
        }
        return expect(rsp.bytes(), expectedCode, request[1] & 0xFF);
    }

    static byte[] expect(byte[] b, int expectedCode, int requestCode) {
        if (b.length >= 2 && (b[1] & 0xFF) == Spdm.ERROR) {
            ErrorResponse e = ErrorResponse.parse(b);
            throw new SpdmException(e.error().orElse(SpdmError.UNSPECIFIED), "responder answered "
                    + Spdm.name(requestCode) + " with ERROR 0x" + Integer.toHexString(e.code())
                    + e.error().map(x -> " (" + x + ")").orElse(""));
        }
        if (b.length < 2 || (b[1] & 0xFF) != expectedCode) {
            throw new SpdmException(SpdmError.INVALID_RESPONSE_CODE, "responder answered " + Spdm.name(requestCode)
                    + " with " + (b.length < 2 ? b.length + " bytes" : Spdm.name(b[1] & 0xFF)) + ", expected "
                    + Spdm.name(expectedCode));
        }
        return b;
    }

    /**
     * Runs the whole connection and session set-up.
     *
     * @return the established session
     * @throws SpdmException if the responder answers with ERROR or fails a check; the message says which
     * @throws io.teebox.kit.codec.MalformedStructureException if a response is malformed
     */
    public Session connect() {
        ByteArrayOutputStream messageA = new ByteArrayOutputStream();
        byte[] req = GetVersion.of().encode();
        byte[] rsp = send(req, Spdm.VERSION);
        if (!Version.parse(rsp).offers(Spdm.VERSION_11)) {
            throw new SpdmException(SpdmError.VERSION_MISMATCH, "responder does not offer SPDM 1.1");
        }
        messageA.writeBytes(req);
        messageA.writeBytes(rsp);

        req = new Capabilities(true, Spdm.VERSION_11, 0, CAPABILITIES).encode();
        rsp = send(req, Spdm.CAPABILITIES);
        int flags = Capabilities.parse(false, rsp).flags();
        int needed = Spdm.CAP_CERT | Spdm.CAP_KEY_EX | Spdm.CAP_ENCRYPT | Spdm.CAP_MAC | Spdm.CAP_MEAS_SIG;
        if ((flags & needed) != needed) {
            throw refused("responder capabilities 0x" + Integer.toHexString(flags) + " lack some of 0x"
                    + Integer.toHexString(needed) + " (CERT, MEAS_SIG, ENCRYPT, MAC, KEY_EX)");
        }
        messageA.writeBytes(req);
        messageA.writeBytes(rsp);

        req = new Algorithms(true, Spdm.VERSION_11, Spdm.MEAS_SPEC_DMTF, 0, Spdm.ASYM_ECDSA_P384, Spdm.HASH_SHA_384,
                List.of(), List.of(), List.of(AlgorithmStructure.of(Spdm.ALG_TYPE_DHE, Spdm.DHE_SECP384R1),
                        AlgorithmStructure.of(Spdm.ALG_TYPE_AEAD, Spdm.AEAD_AES_256_GCM),
                        AlgorithmStructure.of(Spdm.ALG_TYPE_REQ_BASE_ASYM, 0),
                        AlgorithmStructure.of(Spdm.ALG_TYPE_KEY_SCHEDULE, Spdm.KEY_SCHEDULE_SPDM))).encode();
        rsp = send(req, Spdm.ALGORITHMS);
        Algorithms sel = Algorithms.parse(false, rsp);
        if (sel.measurementSpecification() != Spdm.MEAS_SPEC_DMTF || sel.measurementHashAlgo() != Spdm.MEAS_HASH_SHA_384
                || sel.baseAsymAlgo() != Spdm.ASYM_ECDSA_P384 || sel.baseHashAlgo() != Spdm.HASH_SHA_384
                || sel.selected(Spdm.ALG_TYPE_DHE).orElse(0) != Spdm.DHE_SECP384R1
                || sel.selected(Spdm.ALG_TYPE_AEAD).orElse(0) != Spdm.AEAD_AES_256_GCM
                || sel.selected(Spdm.ALG_TYPE_KEY_SCHEDULE).orElse(0) != Spdm.KEY_SCHEDULE_SPDM) {
            throw refused("responder selected algorithms other than DMTF/SHA-384 measurements, ECDSA P-384, SHA-384, "
                    + "secp384r1, AES-256-GCM and the SPDM key schedule");
        }
        messageA.writeBytes(req);
        messageA.writeBytes(rsp);

        Digests digests = Digests.parse(send(new GetDigests(Spdm.VERSION_11).encode(), Spdm.DIGESTS));
        if ((digests.slotMask() & 1) == 0) {
            throw refused("responder has no certificate chain in slot 0 (slot mask 0x"
                    + Integer.toHexString(digests.slotMask()) + ")");
        }
        byte[] chainBytes = certificateChain();
        if (!MessageDigest.isEqual(io.teebox.kit.crypto.Digests.sha384(chainBytes), digests.digests().get(0))) {
            throw refused("slot 0's certificate chain does not hash to the digest of DIGESTS");
        }
        CertificateChain chain = CertificateChain.parse(chainBytes);
        PublicKey leafKey = checkChain(chain);
        return keyExchange(messageA.toByteArray(), chain, leafKey);
    }

    private byte[] certificateChain() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int remainder = -1;
        while (remainder != 0) {
            int ask = remainder < 0 ? chunk : Math.min(chunk, remainder);
            int offset = out.size();
            if (offset > 0xFFFF) {
                throw refused("certificate chain is longer than 65535 bytes");
            }
            byte[] rsp = send(new GetCertificate(Spdm.VERSION_11, 0, offset, ask).encode(), Spdm.CERTIFICATE);
            Certificate c = Certificate.parse(rsp);
            if (c.slot() != 0 || c.portion().length == 0 || c.portion().length > ask
                    || (remainder >= 0 && c.portion().length + c.remainder() != remainder)) {
                throw refused("CERTIFICATE at offset " + offset + " has slot " + c.slot() + ", PortionLength "
                        + c.portion().length + ", RemainderLength " + c.remainder() + " for a request of " + ask
                        + " bytes" + (remainder >= 0 ? " with " + remainder + " left" : ""));
            }
            out.writeBytes(c.portion());
            remainder = c.remainder();
        }
        return out.toByteArray();
    }

    private PublicKey checkChain(CertificateChain chain) {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (byte[] der : chain.certificates()) {
                certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException e) {
            throw refused("certificate chain holds a certificate that does not parse: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(chain.rootHash(), io.teebox.kit.crypto.Digests.sha384(chain.certificates().get(0)))) {
            throw refused("certificate chain RootHash is not the SHA-384 of its first certificate");
        }
        try {
            X509Certificate first = certs.get(0);
            if (!trustedRoots.isEmpty()) {
                boolean trusted = false;
                for (X509Certificate root : trustedRoots) {
                    if (root.equals(first)) {
                        trusted = true;
                    } else if (root.getSubjectX500Principal().equals(first.getIssuerX500Principal())) {
                        try {
                            first.verify(root.getPublicKey());
                            trusted = true;
                        } catch (GeneralSecurityException e) {
                            // not this root
                        }
                    }
                }
                if (!trusted) {
                    throw refused("certificate chain's first certificate (" + first.getSubjectX500Principal()
                            + ") is not a trusted root nor signed by one");
                }
            } else if (first.getSubjectX500Principal().equals(first.getIssuerX500Principal())) {
                first.verify(first.getPublicKey());
            }
            for (int i = 1; i < certs.size(); i++) {
                certs.get(i).verify(certs.get(i - 1).getPublicKey());
            }
        } catch (GeneralSecurityException e) {
            throw refused("certificate chain does not verify: " + e.getMessage());
        }
        PublicKey leaf = certs.get(certs.size() - 1).getPublicKey();
        try {
            if (!"P-384".equals(EcKeys.curveOf(leaf))) {
                throw refused("leaf certificate key is not P-384");
            }
        } catch (IllegalArgumentException e) {
            throw refused("leaf certificate key is not an EC P-384 key: " + e.getMessage());
        }
        return leaf;
    }

    private Session keyExchange(byte[] messageA, CertificateChain chain, PublicKey leafKey) {
        KeyPair eph = EcKeys.generate("P-384");
        BigInteger[] point = EcKeys.publicPoint(eph.getPublic());
        byte[] rnd = new byte[Spdm.NONCE_SIZE];
        random.nextBytes(rnd);
        int reqId = 1 + random.nextInt(0xFFFF);
        byte[] req = new KeyExchange(Spdm.VERSION_11, Spdm.SUMMARY_HASH_NONE, 0, reqId, rnd,
                Signatures.toRaw(point[0], point[1], 48), SecuredMessageOpaque.supportedVersions()).encode();
        byte[] raw = send(req, Spdm.KEY_EXCHANGE_RSP);
        KeyExchangeResponse rsp = KeyExchangeResponse.parse(raw, false, true);
        int[] selected = SecuredMessageOpaque.versions(rsp.opaque(), 0);
        if ((selected[0] & 0xFF00) != SecuredMessageOpaque.VERSION_1_0) {
            throw refused("responder selected secured message version 0x" + Integer.toHexString(selected[0])
                    + ", expected 1.0 (0x1000)");
        }
        if (rsp.mutAuthRequested() != 0) {
            throw refused("responder asks for mutual authentication, which this requester does not do");
        }
        ByteArrayOutputStream th = new ByteArrayOutputStream();
        th.writeBytes(messageA);
        th.writeBytes(chain.digest());
        th.writeBytes(req);
        th.writeBytes(rsp.signedPart());
        BigInteger[] rs = Signatures.fromRaw(rsp.signature());
        if (!Signatures.ecdsaVerify(leafKey, "SHA-384", th.toByteArray(), rs[0], rs[1])) {
            throw refused("KEY_EXCHANGE_RSP signature does not verify with the leaf certificate's key");
        }
        th.writeBytes(rsp.signature());
        byte[] ex = rsp.exchangeData();
        PublicKey theirs;
        try {
            theirs = EcKeys.publicKey("P-384", new BigInteger(1, Arrays.copyOfRange(ex, 0, 48)),
                    new BigInteger(1, Arrays.copyOfRange(ex, 48, 96)));
        } catch (IllegalArgumentException e) {
            throw refused("KEY_EXCHANGE_RSP ExchangeData is not a P-384 point: " + e.getMessage());
        }
        byte[] th1 = io.teebox.kit.crypto.Digests.sha384(th.toByteArray());
        byte[] hs = KeySchedule.handshakeSecret(EcKeys.ecdh(eph.getPrivate(), theirs));
        byte[] reqHs = KeySchedule.expandLabel(hs, "req hs data", th1, Spdm.HASH_SIZE);
        byte[] rspHs = KeySchedule.expandLabel(hs, "rsp hs data", th1, Spdm.HASH_SIZE);
        byte[] expected = KeySchedule.hmac("HmacSHA384", KeySchedule.finishedKey(rspHs), th1);
        if (!MessageDigest.isEqual(expected, rsp.verifyData())) {
            throw refused("KEY_EXCHANGE_RSP ResponderVerifyData does not match the handshake's");
        }
        th.writeBytes(rsp.verifyData());
        int sessionId = rsp.rspSessionId() << 16 | reqId;
        SecuredMessages.Direction out = new SecuredMessages.Direction(reqHs);
        SecuredMessages.Direction in = new SecuredMessages.Direction(rspHs);

        Finish finish = new Finish(Spdm.VERSION_11, 0, 0, new byte[0], new byte[Spdm.HASH_SIZE]);
        th.writeBytes(finish.macedPart());
        byte[] verify = KeySchedule.hmac("HmacSHA384", KeySchedule.finishedKey(reqHs),
                io.teebox.kit.crypto.Digests.sha384(th.toByteArray()));
        byte[] finishBytes = new Finish(Spdm.VERSION_11, 0, 0, new byte[0], verify).encode();
        th.writeBytes(verify);
        Session session = new Session(transport, sessionId, sequenceSize, out, in, chain, leafKey);
        byte[] finishRsp = session.exchangeRaw(finishBytes, Spdm.FINISH_RSP);
        FinishResponse.parse(finishRsp, false);
        th.writeBytes(finishRsp);
        SessionKeys keys = KeySchedule.sessionKeys(sessionId, hs, reqHs, rspHs,
                io.teebox.kit.crypto.Digests.sha384(th.toByteArray()));
        session.established(keys);
        return session;
    }
}
