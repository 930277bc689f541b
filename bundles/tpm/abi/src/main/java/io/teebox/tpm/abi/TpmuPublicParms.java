package io.teebox.tpm.abi;

/** TPMU_PUBLIC_PARMS (Part 2, 12.2.3.7): the algorithm parameters of a TPMT_PUBLIC, selected by its type. */
public sealed interface TpmuPublicParms permits TpmsRsaParms, TpmsEccParms, TpmsKeyedHashParms {

    /**
     * Writes them.
     *
     * @param out the writer
     */
    void write(TpmWriter out);
}
