package io.teebox.tpm.abi;

/**
 * TPMS_RSA_PARMS (Part 2, 12.2.3.5).
 *
 * @param symmetric the symmetric algorithm of a storage key, NULL otherwise
 * @param scheme the signing or encryption scheme, or NULL
 * @param keyBits the modulus size
 * @param exponent the public exponent, 0 meaning 65537
 */
public record TpmsRsaParms(TpmtSymDefObject symmetric, TpmtAsymScheme scheme, int keyBits, int exponent)
        implements TpmuPublicParms {

    /**
     * Parses them.
     *
     * @param in the reader
     * @return the parameters
     * @throws TpmException with the code of the first bad field
     */
    public static TpmsRsaParms parse(TpmReader in) {
        TpmtSymDefObject sym = TpmtSymDefObject.parse(in);
        TpmtAsymScheme scheme = TpmtAsymScheme.parse(in, "TPMT_RSA_SCHEME");
        int bits = in.u16("TPMS_RSA_PARMS.keyBits");
        int exp = in.u32("TPMS_RSA_PARMS.exponent");
        return new TpmsRsaParms(sym, scheme, bits, exp);
    }

    @Override
    public void write(TpmWriter out) {
        symmetric.write(out);
        scheme.write(out);
        out.u16(keyBits).u32(exponent);
    }
}
