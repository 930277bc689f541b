package io.teebox.tpm.abi;

/**
 * TPMT_RSA_SCHEME, TPMT_ECC_SCHEME and TPMT_SIG_SCHEME (Part 2, 11.2.3.5, 11.2.4.2, 11.2.5.6): a scheme selector
 * and its TPMU_ASYM_SCHEME details, which are a hash algorithm (RSASSA, RSAPSS, OAEP, ECDSA, ECSCHNORR), a hash
 * algorithm and a count (ECDAA), or nothing (RSAES, ECDH without hash, NULL).
 *
 * @param scheme the scheme or NULL
 * @param hashAlg the scheme's hash, NULL where it has none
 * @param count the ECDAA commit count, 0 otherwise
 */
public record TpmtAsymScheme(TpmAlgId scheme, TpmAlgId hashAlg, int count) {

    /** No scheme: the key takes the scheme of each command. */
    public static final TpmtAsymScheme NULL = new TpmtAsymScheme(TpmAlgId.NULL, TpmAlgId.NULL, 0);

    /**
     * A scheme with a hash.
     *
     * @param scheme e.g. RSASSA
     * @param hashAlg e.g. SHA256
     * @return the scheme
     */
    public static TpmtAsymScheme of(TpmAlgId scheme, TpmAlgId hashAlg) {
        return new TpmtAsymScheme(scheme, hashAlg, 0);
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @param what the structure name, for messages
     * @return the scheme
     * @throws TpmException with TPM_RC_SCHEME if the selector is not an asymmetric scheme, TPM_RC_HASH for a bad hash
     */
    public static TpmtAsymScheme parse(TpmReader in, String what) {
        int v = in.u16(what + ".scheme");
        TpmAlgId s;
        try {
            s = TpmAlgId.fromValue(v);
        } catch (TpmException e) {
            s = null;
        }
        if (s == null) {
            throw new TpmException(TpmRc.SCHEME, String.format("%s.scheme is 0x%04x, expected a known scheme", what, v));
        }
        switch (s) {
            case NULL:
                return NULL;
            case RSAES:
                return new TpmtAsymScheme(s, TpmAlgId.NULL, 0);
            case RSASSA: case RSAPSS: case OAEP: case ECDSA: case ECDH: case ECSCHNORR:
                return new TpmtAsymScheme(s, TpmAlgId.hashFromValue(in.u16(what + ".details.hashAlg"), false), 0);
            case ECDAA:
                TpmAlgId h = TpmAlgId.hashFromValue(in.u16(what + ".details.hashAlg"), false);
                return new TpmtAsymScheme(s, h, in.u16(what + ".details.count"));
            default:
                throw new TpmException(TpmRc.SCHEME, what + ".scheme is TPM_ALG_" + s.name()
                        + ", expected an asymmetric scheme");
        }
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(scheme.value());
        if (scheme == TpmAlgId.NULL || scheme == TpmAlgId.RSAES) {
            return;
        }
        out.u16(hashAlg.value());
        if (scheme == TpmAlgId.ECDAA) {
            out.u16(count);
        }
    }
}
