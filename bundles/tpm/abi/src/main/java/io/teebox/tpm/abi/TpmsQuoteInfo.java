package io.teebox.tpm.abi;

/**
 * TPMS_QUOTE_INFO (Part 2, 10.12.4): the PCRs quoted and the digest of their values concatenated in selection order.
 *
 * @param pcrSelect the selection
 * @param pcrDigest H_signScheme(PCR values in the order of the selection)
 */
public record TpmsQuoteInfo(TpmlPcrSelection pcrSelect, Tpm2bDigest pcrDigest) implements TpmuAttest {

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the quote information
     * @throws TpmException with an element's code
     */
    public static TpmsQuoteInfo parse(TpmReader in) {
        return new TpmsQuoteInfo(TpmlPcrSelection.parse(in), Tpm2bDigest.parse(in));
    }

    @Override
    public void write(TpmWriter out) {
        pcrSelect.write(out);
        pcrDigest.write(out);
    }
}
