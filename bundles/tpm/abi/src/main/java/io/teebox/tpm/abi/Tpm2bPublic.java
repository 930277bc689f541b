package io.teebox.tpm.abi;

/**
 * TPM2B_PUBLIC (Part 2, 12.2.5): a UINT16 size and a TPMT_PUBLIC of exactly that size.
 *
 * @param publicArea the public area
 */
public record Tpm2bPublic(TpmtPublic publicArea) {

    /**
     * Parses one; the size must match the TPMT_PUBLIC inside.
     *
     * @param in the reader
     * @return the public area
     * @throws TpmException with TPM_RC_SIZE if the size is 0 or does not match, or the TPMT_PUBLIC's own code
     */
    public static Tpm2bPublic parse(TpmReader in) {
        int size = in.u16("TPM2B_PUBLIC.size");
        if (size == 0) {
            throw new TpmException(TpmRc.SIZE, "TPM2B_PUBLIC.size is 0, expected a TPMT_PUBLIC");
        }
        byte[] body = in.bytes(size, "TPM2B_PUBLIC.publicArea");
        TpmReader r = new TpmReader(body);
        TpmtPublic p = TpmtPublic.parse(r);
        if (r.remaining() != 0) {
            throw new TpmException(TpmRc.SIZE, "TPM2B_PUBLIC.size is " + size + ", its TPMT_PUBLIC is "
                    + (size - r.remaining()) + " bytes");
        }
        return new Tpm2bPublic(p);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.tpm2b(publicArea.toBytes());
    }

    /**
     * Marshals it.
     *
     * @return the TPM2B_PUBLIC bytes
     */
    public byte[] toBytes() {
        TpmWriter w = new TpmWriter();
        write(w);
        return w.toByteArray();
    }
}
