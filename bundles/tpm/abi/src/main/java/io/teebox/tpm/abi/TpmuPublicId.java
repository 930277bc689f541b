package io.teebox.tpm.abi;

/** TPMU_PUBLIC_ID (Part 2, 12.2.3.2): the unique field of a TPMT_PUBLIC, selected by its type. */
public sealed interface TpmuPublicId permits Tpm2bDigest, Tpm2bPublicKeyRsa, TpmsEccPoint {

    /**
     * Writes it.
     *
     * @param out the writer
     */
    void write(TpmWriter out);
}
