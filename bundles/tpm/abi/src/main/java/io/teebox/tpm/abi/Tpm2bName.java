package io.teebox.tpm.abi;

import io.teebox.kit.hex.Hex;

/**
 * TPM2B_NAME (Part 2, 10.5.3): a UINT16 size and a TPMU_NAME, that is a nameAlg followed by a digest (an object or
 * NV index), or a 4-byte handle (a permanent entity, a PCR, a session).
 *
 * @param name the name bytes
 */
public record Tpm2bName(byte[] name) {

    /** sizeof(TPMU_NAME) = sizeof(TPMT_HA). */
    public static final int MAX_SIZE = 66;

    /**
     * Checks the size.
     *
     * @param name the name bytes
     * @throws TpmException with TPM_RC_SIZE if larger than 66 bytes
     */
    public Tpm2bName {
        if (name.length > MAX_SIZE) {
            throw new TpmException(TpmRc.SIZE, "TPM2B_NAME is " + name.length + " bytes, expected at most " + MAX_SIZE);
        }
        name = name.clone();
    }

    /**
     * The Name of an entity that is named by its handle.
     *
     * @param handle the handle
     * @return the 4-byte big-endian handle as Name
     */
    public static Tpm2bName ofHandle(int handle) {
        return new Tpm2bName(new TpmWriter().u32(handle).toByteArray());
    }

    /**
     * The Name of an object or NV index: nameAlg || H_nameAlg(public area).
     *
     * @param nameAlg the hash
     * @param publicArea the marshalled TPMT_PUBLIC or TPMS_NV_PUBLIC
     * @return the Name
     * @throws TpmException with TPM_RC_HASH if nameAlg is not a hash
     */
    public static Tpm2bName of(TpmAlgId nameAlg, byte[] publicArea) {
        return new Tpm2bName(new TpmWriter().u16(nameAlg.value()).bytes(nameAlg.hash(publicArea)).toByteArray());
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the name
     * @throws TpmException with TPM_RC_SIZE or TPM_RC_INSUFFICIENT if malformed
     */
    public static Tpm2bName parse(TpmReader in) {
        return new Tpm2bName(in.tpm2b(MAX_SIZE, "TPM2B_NAME"));
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.tpm2b(name);
    }

    @Override
    public byte[] name() {
        return name.clone();
    }

    /** @return the name in lowercase hex */
    @Override
    public String toString() {
        return Hex.encode(name);
    }
}
