package io.teebox.tpm.abi;

/**
 * TPM2B_SENSITIVE_CREATE (Part 2, 11.1.16): a UINT16 size and a TPMS_SENSITIVE_CREATE, which is the object's
 * userAuth (TPM2B_AUTH) and data (TPM2B_SENSITIVE_DATA, the secret of a sealed object).
 *
 * @param userAuth the object's authValue
 * @param data the data to seal, or empty
 */
public record Tpm2bSensitiveCreate(byte[] userAuth, byte[] data) {

    /** sizeof(TPMU_HA): the largest TPM2B_AUTH. */
    public static final int MAX_AUTH = 64;
    /** MAX_SYM_DATA: the largest TPM2B_SENSITIVE_DATA. */
    public static final int MAX_SYM_DATA = 128;

    /**
     * Checks the sizes.
     *
     * @param userAuth the object's authValue
     * @param data the data to seal
     * @throws TpmException with TPM_RC_SIZE if either is too large
     */
    public Tpm2bSensitiveCreate {
        if (userAuth.length > MAX_AUTH) {
            throw new TpmException(TpmRc.SIZE, "TPMS_SENSITIVE_CREATE.userAuth is " + userAuth.length
                    + " bytes, expected at most " + MAX_AUTH);
        }
        if (data.length > MAX_SYM_DATA) {
            throw new TpmException(TpmRc.SIZE, "TPMS_SENSITIVE_CREATE.data is " + data.length
                    + " bytes, expected at most " + MAX_SYM_DATA);
        }
        userAuth = userAuth.clone();
        data = data.clone();
    }

    /**
     * Parses one; the outer size must match the inner structure.
     *
     * @param in the reader
     * @return the sensitive-create area
     * @throws TpmException with TPM_RC_SIZE or TPM_RC_INSUFFICIENT if malformed
     */
    public static Tpm2bSensitiveCreate parse(TpmReader in) {
        int size = in.u16("TPM2B_SENSITIVE_CREATE.size");
        TpmReader r = new TpmReader(in.bytes(size, "TPM2B_SENSITIVE_CREATE.sensitive"));
        byte[] auth = r.tpm2b(MAX_AUTH, "TPMS_SENSITIVE_CREATE.userAuth");
        byte[] data = r.tpm2b(MAX_SYM_DATA, "TPMS_SENSITIVE_CREATE.data");
        r.end("TPM2B_SENSITIVE_CREATE");
        return new Tpm2bSensitiveCreate(auth, data);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.tpm2b(new TpmWriter().tpm2b(userAuth).tpm2b(data).toByteArray());
    }

    @Override
    public byte[] userAuth() {
        return userAuth.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }
}
