package io.teebox.tpm.abi;

/**
 * TPMT_HA (Part 2, 10.3.2): a hash algorithm and a digest of exactly its size.
 *
 * @param hashAlg the hash
 * @param digest the digest
 */
public record TpmtHa(TpmAlgId hashAlg, byte[] digest) {

    /**
     * Checks the digest size.
     *
     * @throws TpmException with TPM_RC_SIZE if the digest is not the hash's size
     */
    public TpmtHa {
        if (digest.length != hashAlg.digestSize()) {
            throw new TpmException(TpmRc.SIZE, "TPMT_HA digest is " + digest.length + " bytes, expected "
                    + hashAlg.digestSize() + " for TPM_ALG_" + hashAlg.name());
        }
        digest = digest.clone();
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the digest
     * @throws TpmException with TPM_RC_HASH for a bad algorithm, TPM_RC_INSUFFICIENT if truncated
     */
    public static TpmtHa parse(TpmReader in) {
        TpmAlgId h = TpmAlgId.hashFromValue(in.u16("TPMT_HA.hashAlg"), false);
        return new TpmtHa(h, in.bytes(h.digestSize(), "TPMT_HA.digest"));
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(hashAlg.value()).bytes(digest);
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }
}
