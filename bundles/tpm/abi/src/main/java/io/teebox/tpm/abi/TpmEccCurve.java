package io.teebox.tpm.abi;

/** TPM_ECC_CURVE identifiers (Part 2, 6.4) of the NIST curves. */
public enum TpmEccCurve {
    /** NIST P-256. */
    NIST_P256(0x0003, "P-256", 32),
    /** NIST P-384. */
    NIST_P384(0x0004, "P-384", 48),
    /** NIST P-521. */
    NIST_P521(0x0005, "P-521", 66);

    private final int value;
    private final String jcaName;
    private final int keyBytes;

    TpmEccCurve(int value, String jcaName, int keyBytes) {
        this.value = value;
        this.jcaName = jcaName;
        this.keyBytes = keyBytes;
    }

    /** @return the 16-bit TPM_ECC_CURVE */
    public int value() {
        return value;
    }

    /** @return the curve's common name, e.g. "P-256" */
    public String jcaName() {
        return jcaName;
    }

    /** @return the size of a coordinate in bytes */
    public int keyBytes() {
        return keyBytes;
    }

    /**
     * Finds a curve.
     *
     * @param value the TPM_ECC_CURVE
     * @return the curve
     * @throws TpmException with TPM_RC_CURVE if the value is not one of this enum
     */
    public static TpmEccCurve fromValue(int value) {
        for (TpmEccCurve c : values()) {
            if (c.value == value) {
                return c;
            }
        }
        throw new TpmException(TpmRc.CURVE, String.format("TPMI_ECC_CURVE is 0x%04x, expected a NIST curve", value));
    }
}
