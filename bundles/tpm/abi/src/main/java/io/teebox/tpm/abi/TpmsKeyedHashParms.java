package io.teebox.tpm.abi;

/**
 * TPMS_KEYEDHASH_PARMS (Part 2, 12.2.3.3): a TPMT_KEYEDHASH_SCHEME, which is HMAC with a hash, XOR with a hash and a
 * KDF, or NULL (a sealed data object).
 *
 * @param scheme HMAC, XOR or NULL
 * @param hashAlg the scheme's hash, NULL for NULL
 * @param kdf the XOR scheme's KDF, NULL otherwise
 */
public record TpmsKeyedHashParms(TpmAlgId scheme, TpmAlgId hashAlg, TpmAlgId kdf) implements TpmuPublicParms {

    /** A sealed data object's parameters. */
    public static final TpmsKeyedHashParms NULL = new TpmsKeyedHashParms(TpmAlgId.NULL, TpmAlgId.NULL, TpmAlgId.NULL);

    /**
     * Parses them.
     *
     * @param in the reader
     * @return the parameters
     * @throws TpmException with TPM_RC_SCHEME if the scheme is not HMAC, XOR or NULL
     */
    public static TpmsKeyedHashParms parse(TpmReader in) {
        int v = in.u16("TPMT_KEYEDHASH_SCHEME.scheme");
        if (v == TpmAlgId.NULL.value()) {
            return NULL;
        }
        if (v == TpmAlgId.HMAC.value()) {
            return new TpmsKeyedHashParms(TpmAlgId.HMAC,
                    TpmAlgId.hashFromValue(in.u16("TPMS_SCHEME_HMAC.hashAlg"), false), TpmAlgId.NULL);
        }
        if (v == TpmAlgId.XOR.value()) {
            TpmAlgId h = TpmAlgId.hashFromValue(in.u16("TPMS_SCHEME_XOR.hashAlg"), false);
            int k = in.u16("TPMS_SCHEME_XOR.kdf");
            return new TpmsKeyedHashParms(TpmAlgId.XOR, h, TpmAlgId.fromValue(k));
        }
        throw new TpmException(TpmRc.SCHEME, String.format(
                "TPMT_KEYEDHASH_SCHEME.scheme is 0x%04x, expected TPM_ALG_HMAC, TPM_ALG_XOR or TPM_ALG_NULL", v));
    }

    @Override
    public void write(TpmWriter out) {
        out.u16(scheme.value());
        if (scheme != TpmAlgId.NULL) {
            out.u16(hashAlg.value());
        }
        if (scheme == TpmAlgId.XOR) {
            out.u16(kdf.value());
        }
    }
}
