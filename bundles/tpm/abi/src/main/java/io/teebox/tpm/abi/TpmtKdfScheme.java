package io.teebox.tpm.abi;

/**
 * TPMT_KDF_SCHEME (Part 2, 11.2.3.3): a KDF selector and, unless it is NULL, its hash algorithm.
 *
 * @param scheme the KDF or NULL
 * @param hashAlg the KDF's hash, NULL for NULL
 */
public record TpmtKdfScheme(TpmAlgId scheme, TpmAlgId hashAlg) {

    /** No KDF. */
    public static final TpmtKdfScheme NULL = new TpmtKdfScheme(TpmAlgId.NULL, TpmAlgId.NULL);

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the scheme
     * @throws TpmException with TPM_RC_KDF if the selector is not a KDF, TPM_RC_HASH for a bad hash
     */
    public static TpmtKdfScheme parse(TpmReader in) {
        int v = in.u16("TPMT_KDF_SCHEME.scheme");
        if (v == TpmAlgId.NULL.value()) {
            return NULL;
        }
        if (v != TpmAlgId.KDF1_SP800_56A.value() && v != TpmAlgId.KDF1_SP800_108.value()) {
            throw new TpmException(TpmRc.KDF, String.format(
                    "TPMT_KDF_SCHEME.scheme is 0x%04x, expected KDF1_SP800_56A, KDF1_SP800_108 or NULL", v));
        }
        TpmAlgId s = TpmAlgId.fromValue(v);
        return new TpmtKdfScheme(s, TpmAlgId.hashFromValue(in.u16("TPMT_KDF_SCHEME.details.hashAlg"), false));
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(scheme.value());
        if (scheme != TpmAlgId.NULL) {
            out.u16(hashAlg.value());
        }
    }
}
