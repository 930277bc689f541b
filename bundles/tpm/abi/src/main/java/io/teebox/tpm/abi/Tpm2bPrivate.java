package io.teebox.tpm.abi;

/**
 * TPM2B_PRIVATE (Part 2, 12.3.7): the wrapped sensitive area of an object, opaque outside the TPM that made it.
 *
 * @param buffer the wrapped bytes
 */
public record Tpm2bPrivate(byte[] buffer) {

    /** The largest wrapped area this implementation accepts (an RSA-4096 key with its seed and auth fits). */
    public static final int MAX_SIZE = 2048;

    /**
     * Checks the size.
     *
     * @param buffer the wrapped bytes
     * @throws TpmException with TPM_RC_SIZE if larger than {@link #MAX_SIZE}
     */
    public Tpm2bPrivate {
        if (buffer.length > MAX_SIZE) {
            throw new TpmException(TpmRc.SIZE, "TPM2B_PRIVATE is " + buffer.length + " bytes, expected at most "
                    + MAX_SIZE);
        }
        buffer = buffer.clone();
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the private area
     * @throws TpmException with TPM_RC_SIZE or TPM_RC_INSUFFICIENT if malformed
     */
    public static Tpm2bPrivate parse(TpmReader in) {
        return new Tpm2bPrivate(in.tpm2b(MAX_SIZE, "TPM2B_PRIVATE"));
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
