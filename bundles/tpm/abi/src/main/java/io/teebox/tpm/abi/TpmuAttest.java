package io.teebox.tpm.abi;

/** TPMU_ATTEST (Part 2, 10.12.11): the type-specific part of a TPMS_ATTEST. */
public sealed interface TpmuAttest permits TpmsQuoteInfo, TpmsAttest.Opaque {

    /**
     * Writes it.
     *
     * @param out the writer
     */
    void write(TpmWriter out);
}
