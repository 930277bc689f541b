package io.teebox.tpm.vtpm.internal;

import io.teebox.tpm.abi.TpmAlgId;

/** An authorization session: its kind, hash, nonces and, for policy sessions, the policy digest so far. */
final class Session {

    static final int TPM_SE_HMAC = 0;
    static final int TPM_SE_POLICY = 1;
    static final int TPM_SE_TRIAL = 3;

    final int handle;
    final int type;
    final TpmAlgId authHash;
    byte[] nonceTpm;
    byte[] policyDigest;
    /** The session key: empty for an unbound, unsalted session. */
    byte[] sessionKey = new byte[0];
    /** TPMT_SYM_DEF of parameter encryption: TPM_ALG_AES, TPM_ALG_XOR or TPM_ALG_NULL, and its key bits. */
    TpmAlgId symmetric = TpmAlgId.NULL;
    int symKeyBits;
    /** The bind entity's handle, or null for an unbound session. */
    Integer bindHandle;
    /** The PCR update counter when PolicyPCR was asserted, or -1. */
    long pcrCounter = -1;

    Session(int handle, int type, TpmAlgId authHash, byte[] nonceTpm) {
        this.handle = handle;
        this.type = type;
        this.authHash = authHash;
        this.nonceTpm = nonceTpm;
        this.policyDigest = new byte[authHash.digestSize()];
    }

    boolean isPolicy() {
        return type == TPM_SE_POLICY || type == TPM_SE_TRIAL;
    }

    void restart() {
        policyDigest = new byte[authHash.digestSize()];
        pcrCounter = -1;
    }
}
