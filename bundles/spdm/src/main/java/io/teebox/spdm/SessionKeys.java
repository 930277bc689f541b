package io.teebox.spdm;

/**
 * The secrets of one session, from the SPDM 1.1 key schedule (DSP0274 "Key schedule"): each is H = 48 bytes.
 *
 * @param sessionId the session ID (ReqSessionID in bits 15:0, RspSessionID in bits 31:16)
 * @param handshakeSecret HKDF-Extract(salt 0, DHE secret)
 * @param requestHandshakeSecret "req hs data" over TH1
 * @param responseHandshakeSecret "rsp hs data" over TH1
 * @param masterSecret HKDF-Extract(Salt_1 = "derived", 0)
 * @param requestDataSecret "req app data" over TH2
 * @param responseDataSecret "rsp app data" over TH2
 * @param exportMasterSecret "exp master" over TH2: what a device derives its own keys from (the H100 its
 *        bounce-buffer keys)
 */
public record SessionKeys(int sessionId, byte[] handshakeSecret, byte[] requestHandshakeSecret,
        byte[] responseHandshakeSecret, byte[] masterSecret, byte[] requestDataSecret, byte[] responseDataSecret,
        byte[] exportMasterSecret) {

    /** Takes copies. */
    public SessionKeys {
        handshakeSecret = handshakeSecret.clone();
        requestHandshakeSecret = requestHandshakeSecret.clone();
        responseHandshakeSecret = responseHandshakeSecret.clone();
        masterSecret = masterSecret.clone();
        requestDataSecret = requestDataSecret.clone();
        responseDataSecret = responseDataSecret.clone();
        exportMasterSecret = exportMasterSecret.clone();
    }

    /** @return a copy of the export master secret */
    @Override
    public byte[] exportMasterSecret() {
        return exportMasterSecret.clone();
    }

    @Override
    public String toString() {
        return "SessionKeys[sessionId=0x" + Integer.toHexString(sessionId) + ", secrets hidden]";
    }

    /** @return a copy of handshakeSecret */
    @Override
    public byte[] handshakeSecret() {
        return handshakeSecret.clone();
    }

    /** @return a copy of requestHandshakeSecret */
    @Override
    public byte[] requestHandshakeSecret() {
        return requestHandshakeSecret.clone();
    }

    /** @return a copy of responseHandshakeSecret */
    @Override
    public byte[] responseHandshakeSecret() {
        return responseHandshakeSecret.clone();
    }

    /** @return a copy of masterSecret */
    @Override
    public byte[] masterSecret() {
        return masterSecret.clone();
    }

    /** @return a copy of requestDataSecret */
    @Override
    public byte[] requestDataSecret() {
        return requestDataSecret.clone();
    }

    /** @return a copy of responseDataSecret */
    @Override
    public byte[] responseDataSecret() {
        return responseDataSecret.clone();
    }
}
