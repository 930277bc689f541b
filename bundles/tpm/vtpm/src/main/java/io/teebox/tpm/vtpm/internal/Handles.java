package io.teebox.tpm.vtpm.internal;

/** TPM_HANDLE values and ranges (Part 2, 7). */
final class Handles {

    static final int TPM_RH_OWNER = 0x40000001;
    static final int TPM_RH_NULL = 0x40000007;
    static final int TPM_RS_PW = 0x40000009;
    static final int TPM_RH_LOCKOUT = 0x4000000A;
    static final int TPM_RH_ENDORSEMENT = 0x4000000B;
    static final int TPM_RH_PLATFORM = 0x4000000C;
    static final int TRANSIENT_FIRST = 0x80000000;
    static final int HMAC_SESSION_FIRST = 0x02000000;
    static final int POLICY_SESSION_FIRST = 0x03000000;
    static final int PCR_COUNT = 24;

    private Handles() {
    }

    static int type(int handle) {
        return handle >>> 24;
    }

    static boolean isHierarchy(int h) {
        return h == TPM_RH_OWNER || h == TPM_RH_ENDORSEMENT || h == TPM_RH_PLATFORM || h == TPM_RH_NULL;
    }
}
