package io.teebox.tpm.abi;

/** TPM_ST structure tags (Part 2, 6.9). */
public enum TpmSt {
    /** Tag of a TPM 1.2 style response to a malformed command. */
    RSP_COMMAND(0x00C4),
    /** No structure type. */
    NULL(0x8000),
    /** A command or response without sessions. */
    NO_SESSIONS(0x8001),
    /** A command or response with sessions. */
    SESSIONS(0x8002),
    /** TPMS_ATTEST of an NV index. */
    ATTEST_NV(0x8014),
    /** TPMS_ATTEST of a command audit. */
    ATTEST_COMMAND_AUDIT(0x8015),
    /** TPMS_ATTEST of a session audit. */
    ATTEST_SESSION_AUDIT(0x8016),
    /** TPMS_ATTEST of TPM2_Certify. */
    ATTEST_CERTIFY(0x8017),
    /** TPMS_ATTEST of TPM2_Quote. */
    ATTEST_QUOTE(0x8018),
    /** TPMS_ATTEST of TPM2_GetTime. */
    ATTEST_TIME(0x8019),
    /** TPMS_ATTEST of TPM2_CertifyCreation. */
    ATTEST_CREATION(0x801A),
    /** TPMS_ATTEST of an NV digest. */
    ATTEST_NV_DIGEST(0x801C),
    /** TPMT_TK_CREATION. */
    CREATION(0x8021),
    /** TPMT_TK_VERIFIED. */
    VERIFIED(0x8022),
    /** TPMT_TK_AUTH of TPM2_PolicySecret. */
    AUTH_SECRET(0x8023),
    /** TPMT_TK_HASHCHECK. */
    HASHCHECK(0x8024),
    /** TPMT_TK_AUTH of TPM2_PolicySigned. */
    AUTH_SIGNED(0x8025);

    private final int value;

    TpmSt(int value) {
        this.value = value;
    }

    /**
     * The spec value.
     *
     * @return the 16-bit TPM_ST
     */
    public int value() {
        return value;
    }

    /**
     * Finds a tag by value.
     *
     * @param value the 16-bit TPM_ST
     * @return the tag
     * @throws TpmException with TPM_RC_TAG if the value is not one of this enum
     */
    public static TpmSt fromValue(int value) {
        for (TpmSt t : values()) {
            if (t.value == value) {
                return t;
            }
        }
        throw new TpmException(TpmRc.TAG, String.format("TPM_ST is 0x%04x, expected a known structure tag", value));
    }
}
