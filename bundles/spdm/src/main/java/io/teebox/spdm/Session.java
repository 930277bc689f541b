package io.teebox.spdm;

import io.teebox.kit.crypto.Signatures;
import io.teebox.spdm.internal.SecuredMessages;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.PublicKey;

/**
 * The requester's side of an established SPDM session: sends SPDM requests as secured messages under the
 * application keys. A response that does not authenticate, or an ERROR DecryptError, ends it. Not thread-safe.
 */
public final class Session {

    private final Transport transport;
    private final int id;
    private final int sequenceSize;
    private SecuredMessages.Direction out;
    private SecuredMessages.Direction in;
    private final CertificateChain chain;
    private final PublicKey leafKey;
    private final ByteArrayOutputStream measurements = new ByteArrayOutputStream();
    private SessionKeys keys;
    private boolean open = true;

    Session(Transport transport, int id, int sequenceSize, SecuredMessages.Direction out,
            SecuredMessages.Direction in, CertificateChain chain, PublicKey leafKey) {
        this.transport = transport;
        this.id = id;
        this.sequenceSize = sequenceSize;
        this.out = out;
        this.in = in;
        this.chain = chain;
        this.leafKey = leafKey;
    }

    void established(SessionKeys k) {
        this.keys = k;
        this.out = new SecuredMessages.Direction(k.requestDataSecret());
        this.in = new SecuredMessages.Direction(k.responseDataSecret());
    }

    /** @return the session ID (ReqSessionID in bits 15:0, RspSessionID in bits 31:16) */
    public int id() {
        return id;
    }

    /** @return the session's secrets */
    public SessionKeys keys() {
        return keys;
    }

    /** @return the responder's certificate chain (slot 0), checked as the requester checks it */
    public CertificateChain certificateChain() {
        return chain;
    }

    /** @return whether the session is still open */
    public boolean isOpen() {
        return open;
    }

    byte[] exchangeRaw(byte[] request, int expectedCode) {
        if (!open) {
            throw new SpdmException(SpdmError.INVALID_SESSION, "session 0x" + Integer.toHexString(id) + " has ended");
        }
        Packet rsp = transport.exchange(new Packet(true, SecuredMessages.encode(id, sequenceSize, out, request)));
        byte[] app;
        if (!rsp.secured()) {
            open = false;
            Requester.expect(rsp.bytes(), expectedCode, request[1] & 0xFF);
            throw new SpdmException(SpdmError.INVALID_RESPONSE_CODE, "responder answered a secured "
                    + Spdm.name(request[1] & 0xFF) + " in the clear");
        }
        try {
            app = SecuredMessages.decode(id, sequenceSize, in, rsp.bytes());
        } catch (SecuredMessages.Refused e) {
            open = false;
            throw new SpdmException(SpdmError.DECRYPT_ERROR, "response to " + Spdm.name(request[1] & 0xFF)
                    + " refused, session ended: " + e.getMessage());
        }
        try {
            return Requester.expect(app, expectedCode, request[1] & 0xFF);
        } catch (SpdmException e) {
            if (e.error().orElse(null) == SpdmError.DECRYPT_ERROR) {
                open = false;
            }
            throw e;
        }
    }

    /**
     * Sends any SPDM request inside the session.
     *
     * @param request the SPDM request
     * @param expectedCode the response code expected
     * @return the response
     * @throws SpdmException if the responder answers with ERROR or the response does not authenticate
     */
    public byte[] exchange(byte[] request, int expectedCode) {
        return exchangeRaw(request, expectedCode);
    }

    /**
     * Asks for all measurement blocks, signed, and checks the signature over request || response (with any unsigned
     * GET_MEASUREMENTS exchanges of this session before it, as SPDM 1.1's L1/L2).
     *
     * @param nonce the requester's nonce (32 bytes, e.g. a verifier's)
     * @return the signed report
     * @throws SpdmException if the responder answers with ERROR or the signature does not verify
     * @throws io.teebox.kit.codec.MalformedStructureException if the response is malformed
     */
    public MeasurementReport getMeasurements(byte[] nonce) {
        byte[] req = new GetMeasurements(Spdm.VERSION_11, Spdm.MEAS_ATTR_SIGNATURE, Spdm.MEAS_OP_ALL, nonce, 0)
                .encode();
        byte[] rsp = exchangeRaw(req, Spdm.MEASUREMENTS);
        Measurements m = Measurements.parse(rsp, true);
        ByteArrayOutputStream l1 = new ByteArrayOutputStream();
        l1.writeBytes(measurements.toByteArray());
        l1.writeBytes(req);
        l1.writeBytes(m.signedPart());
        measurements.reset();
        BigInteger[] rs = Signatures.fromRaw(m.signature());
        if (!Signatures.ecdsaVerify(leafKey, "SHA-384", l1.toByteArray(), rs[0], rs[1])) {
            throw new SpdmException(null, "MEASUREMENTS signature does not verify with the leaf certificate's key");
        }
        return new MeasurementReport(req, rsp, m);
    }
}
