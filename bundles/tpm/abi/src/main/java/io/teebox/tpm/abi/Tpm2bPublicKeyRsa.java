package io.teebox.tpm.abi;

/**
 * TPM2B_PUBLIC_KEY_RSA (Part 2, 11.2.4.5): the RSA modulus, big-endian, up to MAX_RSA_KEY_BYTES.
 *
 * @param buffer the modulus
 */
public record Tpm2bPublicKeyRsa(byte[] buffer) implements TpmuPublicId {

    /** MAX_RSA_KEY_BYTES for RSA-4096. */
    public static final int MAX_SIZE = 512;

    /**
     * Checks the size.
     *
     * @param buffer the modulus
     * @throws TpmException with TPM_RC_SIZE if larger than 512 bytes
     */
    public Tpm2bPublicKeyRsa {
        if (buffer.length > MAX_SIZE) {
            throw new TpmException(TpmRc.SIZE, "TPM2B_PUBLIC_KEY_RSA is " + buffer.length + " bytes, expected at most "
                    + MAX_SIZE);
        }
        buffer = buffer.clone();
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the modulus
     * @throws TpmException with TPM_RC_SIZE or TPM_RC_INSUFFICIENT if malformed
     */
    public static Tpm2bPublicKeyRsa parse(TpmReader in) {
        return new Tpm2bPublicKeyRsa(in.tpm2b(MAX_SIZE, "TPM2B_PUBLIC_KEY_RSA"));
    }

    @Override
    public void write(TpmWriter out) {
        out.tpm2b(buffer);
    }

    @Override
    public byte[] buffer() {
        return buffer.clone();
    }
}
