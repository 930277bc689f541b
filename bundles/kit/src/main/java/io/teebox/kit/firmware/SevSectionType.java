package io.teebox.kit.firmware;

/** The type of an OVMF SEV metadata section (the "ASEV" table), with its encoding. */
public enum SevSectionType {
    /** Memory the firmware uses before it validates memory itself; added as zero pages (SNP). */
    SNP_SEC_MEM(1),
    /** The SNP secrets page, filled by the secure processor. */
    SNP_SECRETS(2),
    /** The SNP CPUID page, filled from the hypervisor's table and checked by the secure processor. */
    CPUID(3),
    /** The SVSM calling area. */
    SVSM_CAA(4),
    /** The page that holds the SEV kernel-hashes table (SNP). */
    SNP_KERNEL_HASHES(0x10);

    private final int code;

    SevSectionType(int code) {
        this.code = code;
    }

    /**
     * The encoding in the metadata.
     *
     * @return the type value
     */
    public int code() {
        return code;
    }

    /**
     * Decodes a type value.
     *
     * @param code the value in the metadata
     * @return the type
     * @throws IllegalArgumentException if the value is not a known type
     */
    public static SevSectionType fromCode(long code) {
        for (SevSectionType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException(String.format("unknown SEV metadata section type 0x%X, expected one of"
                + " 1 SNP_SEC_MEM, 2 SNP_SECRETS, 3 CPUID, 4 SVSM_CAA, 0x10 SNP_KERNEL_HASHES", code));
    }
}
