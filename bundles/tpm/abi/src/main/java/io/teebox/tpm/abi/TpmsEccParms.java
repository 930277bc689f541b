package io.teebox.tpm.abi;

/**
 * TPMS_ECC_PARMS (Part 2, 12.2.3.6).
 *
 * @param symmetric the symmetric algorithm of a storage key, NULL otherwise
 * @param scheme the signing or key-exchange scheme, or NULL
 * @param curveID the curve
 * @param kdf the key derivation function, or NULL
 */
public record TpmsEccParms(TpmtSymDefObject symmetric, TpmtAsymScheme scheme, TpmEccCurve curveID,
        TpmtKdfScheme kdf) implements TpmuPublicParms {

    /**
     * Parses them.
     *
     * @param in the reader
     * @return the parameters
     * @throws TpmException with the code of the first bad field
     */
    public static TpmsEccParms parse(TpmReader in) {
        TpmtSymDefObject sym = TpmtSymDefObject.parse(in);
        TpmtAsymScheme scheme = TpmtAsymScheme.parse(in, "TPMT_ECC_SCHEME");
        TpmEccCurve curve = TpmEccCurve.fromValue(in.u16("TPMS_ECC_PARMS.curveID"));
        TpmtKdfScheme kdf = TpmtKdfScheme.parse(in);
        return new TpmsEccParms(sym, scheme, curve, kdf);
    }

    @Override
    public void write(TpmWriter out) {
        symmetric.write(out);
        scheme.write(out);
        out.u16(curveID.value());
        kdf.write(out);
    }
}
