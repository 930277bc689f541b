package io.teebox.tpm.abi;

/**
 * TPMT_SYM_DEF_OBJECT (Part 2, 11.1.7): a symmetric algorithm and, unless it is TPM_ALG_NULL, its key size and mode.
 *
 * @param algorithm the symmetric algorithm or NULL
 * @param keyBits the key size in bits (0 for NULL)
 * @param mode the block mode (NULL for NULL)
 */
public record TpmtSymDefObject(TpmAlgId algorithm, int keyBits, TpmAlgId mode) {

    /** No symmetric algorithm, as signing keys have. */
    public static final TpmtSymDefObject NULL = new TpmtSymDefObject(TpmAlgId.NULL, 0, TpmAlgId.NULL);
    /** AES-128 in CFB mode, as storage keys have. */
    public static final TpmtSymDefObject AES_128_CFB = new TpmtSymDefObject(TpmAlgId.AES, 128, TpmAlgId.CFB);

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the definition
     * @throws TpmException with TPM_RC_SYMMETRIC if the algorithm is not AES or NULL, TPM_RC_MODE for a bad mode
     */
    public static TpmtSymDefObject parse(TpmReader in) {
        int alg = in.u16("TPMT_SYM_DEF_OBJECT.algorithm");
        if (alg == TpmAlgId.NULL.value()) {
            return NULL;
        }
        if (alg != TpmAlgId.AES.value()) {
            throw new TpmException(TpmRc.SYMMETRIC, String.format(
                    "TPMT_SYM_DEF_OBJECT.algorithm is 0x%04x, expected TPM_ALG_AES or TPM_ALG_NULL", alg));
        }
        int bits = in.u16("TPMT_SYM_DEF_OBJECT.keyBits");
        if (bits != 128 && bits != 192 && bits != 256) {
            throw new TpmException(TpmRc.KEY_SIZE, "TPMT_SYM_DEF_OBJECT.keyBits is " + bits
                    + ", expected 128, 192 or 256");
        }
        int mode = in.u16("TPMT_SYM_DEF_OBJECT.mode");
        TpmAlgId m;
        try {
            m = TpmAlgId.fromValue(mode);
        } catch (TpmException e) {
            m = null;
        }
        if (m == null || m.value() < TpmAlgId.CTR.value() || m.value() > TpmAlgId.ECB.value()) {
            if (mode != TpmAlgId.NULL.value()) {
                throw new TpmException(TpmRc.MODE, String.format(
                        "TPMT_SYM_DEF_OBJECT.mode is 0x%04x, expected CTR, OFB, CBC, CFB, ECB or NULL", mode));
            }
            m = TpmAlgId.NULL;
        }
        return new TpmtSymDefObject(TpmAlgId.AES, bits, m);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(algorithm.value());
        if (algorithm != TpmAlgId.NULL) {
            out.u16(keyBits).u16(mode.value());
        }
    }
}
