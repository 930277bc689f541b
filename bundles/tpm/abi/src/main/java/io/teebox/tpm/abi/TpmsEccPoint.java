package io.teebox.tpm.abi;

/**
 * TPMS_ECC_POINT (Part 2, 11.2.5.2): two TPM2B_ECC_PARAMETER coordinates, big-endian.
 *
 * @param x the x coordinate
 * @param y the y coordinate
 */
public record TpmsEccPoint(byte[] x, byte[] y) implements TpmuPublicId {

    /** MAX_ECC_KEY_BYTES for P-521. */
    public static final int MAX_SIZE = 66;

    /**
     * Checks the sizes.
     *
     * @param x the x coordinate
     * @param y the y coordinate
     * @throws TpmException with TPM_RC_SIZE if a coordinate is larger than 66 bytes
     */
    public TpmsEccPoint {
        if (x.length > MAX_SIZE || y.length > MAX_SIZE) {
            throw new TpmException(TpmRc.SIZE, "TPMS_ECC_POINT coordinate is " + Math.max(x.length, y.length)
                    + " bytes, expected at most " + MAX_SIZE);
        }
        x = x.clone();
        y = y.clone();
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the point
     * @throws TpmException with TPM_RC_SIZE or TPM_RC_INSUFFICIENT if malformed
     */
    public static TpmsEccPoint parse(TpmReader in) {
        byte[] x = in.tpm2b(MAX_SIZE, "TPMS_ECC_POINT.x");
        byte[] y = in.tpm2b(MAX_SIZE, "TPMS_ECC_POINT.y");
        return new TpmsEccPoint(x, y);
    }

    @Override
    public void write(TpmWriter out) {
        out.tpm2b(x).tpm2b(y);
    }

    @Override
    public byte[] x() {
        return x.clone();
    }

    @Override
    public byte[] y() {
        return y.clone();
    }
}
