package io.teebox.tpm.abi;

/**
 * TPM2B_DIGEST (Part 2, 10.4.2): a UINT16 size and up to sizeof(TPMU_HA) = 64 bytes. Also serves as the unique field
 * of keyed-hash and symmetric objects.
 *
 * @param buffer the digest bytes
 */
public record Tpm2bDigest(byte[] buffer) implements TpmuPublicId {

    /** sizeof(TPMU_HA): the largest digest, SHA-512's. */
    public static final int MAX_SIZE = 64;

    /** An empty digest. */
    public static final Tpm2bDigest EMPTY = new Tpm2bDigest(new byte[0]);

    /**
     * Checks the size.
     *
     * @param buffer the digest bytes
     * @throws TpmException with TPM_RC_SIZE if the buffer is larger than 64 bytes
     */
    public Tpm2bDigest {
        if (buffer.length > MAX_SIZE) {
            throw new TpmException(TpmRc.SIZE, "TPM2B_DIGEST is " + buffer.length + " bytes, expected at most " + MAX_SIZE);
        }
        buffer = buffer.clone();
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the digest
     * @throws TpmException with TPM_RC_SIZE or TPM_RC_INSUFFICIENT if malformed
     */
    public static Tpm2bDigest parse(TpmReader in) {
        return new Tpm2bDigest(in.tpm2b(MAX_SIZE, "TPM2B_DIGEST"));
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
