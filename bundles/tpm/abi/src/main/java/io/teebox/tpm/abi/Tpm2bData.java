package io.teebox.tpm.abi;

/**
 * TPM2B_DATA (Part 2, 10.4.3): a UINT16 size and up to sizeof(TPMT_HA) = 66 bytes, e.g. a quote's qualifying data.
 *
 * @param buffer the bytes
 */
public record Tpm2bData(byte[] buffer) {

    /** sizeof(TPMT_HA): a hash algorithm and the largest digest. */
    public static final int MAX_SIZE = 66;

    /**
     * Checks the size.
     *
     * @param buffer the bytes
     * @throws TpmException with TPM_RC_SIZE if the buffer is larger than 66 bytes
     */
    public Tpm2bData {
        if (buffer.length > MAX_SIZE) {
            throw new TpmException(TpmRc.SIZE, "TPM2B_DATA is " + buffer.length + " bytes, expected at most " + MAX_SIZE);
        }
        buffer = buffer.clone();
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the data
     * @throws TpmException with TPM_RC_SIZE or TPM_RC_INSUFFICIENT if malformed
     */
    public static Tpm2bData parse(TpmReader in) {
        return new Tpm2bData(in.tpm2b(MAX_SIZE, "TPM2B_DATA"));
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.tpm2b(buffer);
    }

    @Override
    public byte[] buffer() {
        return buffer.clone();
    }
}
