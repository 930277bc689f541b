package io.teebox.tpm.abi;

/**
 * TPMS_NV_PUBLIC (Part 2, 13.5): an NV index's handle, nameAlg, TPMA_NV attributes, authPolicy and dataSize.
 *
 * @param nvIndex the handle, 0x01000000 to 0x01FFFFFF
 * @param nameAlg the hash of the index's Name
 * @param attributes TPMA_NV bits
 * @param authPolicy the policy, or empty
 * @param dataSize the size of the data area
 */
public record TpmsNvPublic(int nvIndex, TpmAlgId nameAlg, int attributes, Tpm2bDigest authPolicy, int dataSize) {

    /** TPMA_NV_PPWRITE. */
    public static final int PPWRITE = 1;
    /** TPMA_NV_OWNERWRITE. */
    public static final int OWNERWRITE = 1 << 1;
    /** TPMA_NV_AUTHWRITE. */
    public static final int AUTHWRITE = 1 << 2;
    /** TPMA_NV_POLICYWRITE. */
    public static final int POLICYWRITE = 1 << 3;
    /** TPMA_NV_TPM_NT field (bits 4 to 7): 0 is an ordinary index. */
    public static final int TPM_NT_MASK = 0xF0;
    /** TPMA_NV_POLICY_DELETE. */
    public static final int POLICY_DELETE = 1 << 10;
    /** TPMA_NV_WRITELOCKED. */
    public static final int WRITELOCKED = 1 << 11;
    /** TPMA_NV_WRITEALL. */
    public static final int WRITEALL = 1 << 12;
    /** TPMA_NV_WRITEDEFINE. */
    public static final int WRITEDEFINE = 1 << 13;
    /** TPMA_NV_WRITE_STCLEAR. */
    public static final int WRITE_STCLEAR = 1 << 14;
    /** TPMA_NV_GLOBALLOCK. */
    public static final int GLOBALLOCK = 1 << 15;
    /** TPMA_NV_PPREAD. */
    public static final int PPREAD = 1 << 16;
    /** TPMA_NV_OWNERREAD. */
    public static final int OWNERREAD = 1 << 17;
    /** TPMA_NV_AUTHREAD. */
    public static final int AUTHREAD = 1 << 18;
    /** TPMA_NV_POLICYREAD. */
    public static final int POLICYREAD = 1 << 19;
    /** TPMA_NV_NO_DA. */
    public static final int NO_DA = 1 << 25;
    /** TPMA_NV_ORDERLY. */
    public static final int ORDERLY = 1 << 26;
    /** TPMA_NV_CLEAR_STCLEAR. */
    public static final int CLEAR_STCLEAR = 1 << 27;
    /** TPMA_NV_READLOCKED. */
    public static final int READLOCKED = 1 << 28;
    /** TPMA_NV_WRITTEN. */
    public static final int WRITTEN = 1 << 29;
    /** TPMA_NV_PLATFORMCREATE. */
    public static final int PLATFORMCREATE = 1 << 30;
    /** TPMA_NV_READ_STCLEAR. */
    public static final int READ_STCLEAR = 1 << 31;
    /** The reserved bits 20 to 24 of TPMA_NV. */
    public static final int RESERVED = 0x01F00300;

    /**
     * Checks the handle range and reserved bits.
     *
     * @throws TpmException with TPM_RC_HANDLE or TPM_RC_RESERVED_BITS if they are wrong
     */
    public TpmsNvPublic {
        if (nvIndex >>> 24 != 0x01) {
            throw new TpmException(TpmRc.HANDLE, String.format("TPMS_NV_PUBLIC.nvIndex is 0x%08x, expected 0x01xxxxxx",
                    nvIndex));
        }
        if ((attributes & RESERVED) != 0) {
            throw new TpmException(TpmRc.RESERVED_BITS, String.format(
                    "TPMS_NV_PUBLIC.attributes is 0x%08x, reserved bits 0x%08x are set", attributes,
                    attributes & RESERVED));
        }
    }

    /**
     * Parses a TPM2B_NV_PUBLIC.
     *
     * @param in the reader
     * @return the public area
     * @throws TpmException with TPM_RC_SIZE if the sizes disagree, or a field's code
     */
    public static TpmsNvPublic parse2b(TpmReader in) {
        int size = in.u16("TPM2B_NV_PUBLIC.size");
        TpmReader r = new TpmReader(in.bytes(size, "TPM2B_NV_PUBLIC.nvPublic"));
        int index = r.u32("TPMS_NV_PUBLIC.nvIndex");
        TpmAlgId alg = TpmAlgId.hashFromValue(r.u16("TPMS_NV_PUBLIC.nameAlg"), false);
        int attrs = r.u32("TPMS_NV_PUBLIC.attributes");
        Tpm2bDigest policy = Tpm2bDigest.parse(r);
        int dataSize = r.u16("TPMS_NV_PUBLIC.dataSize");
        r.end("TPM2B_NV_PUBLIC");
        return new TpmsNvPublic(index, alg, attrs, policy, dataSize);
    }

    /**
     * Marshals the TPMS_NV_PUBLIC.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        TpmWriter w = new TpmWriter().u32(nvIndex).u16(nameAlg.value()).u32(attributes);
        authPolicy.write(w);
        return w.u16(dataSize).toByteArray();
    }

    /**
     * Writes a TPM2B_NV_PUBLIC.
     *
     * @param out the writer
     */
    public void write2b(TpmWriter out) {
        out.tpm2b(toBytes());
    }

    /**
     * The index's Name: nameAlg || H_nameAlg(TPMS_NV_PUBLIC).
     *
     * @return the Name
     */
    public Tpm2bName name() {
        return Tpm2bName.of(nameAlg, toBytes());
    }

    /**
     * The same area with other attributes (what NV_Write does to TPMA_NV_WRITTEN).
     *
     * @param newAttributes the attributes
     * @return the new area
     */
    public TpmsNvPublic withAttributes(int newAttributes) {
        return new TpmsNvPublic(nvIndex, nameAlg, newAttributes, authPolicy, dataSize);
    }
}
