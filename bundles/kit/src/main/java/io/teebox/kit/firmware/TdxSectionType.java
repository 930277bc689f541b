package io.teebox.kit.firmware;

/** The type of a TDVF metadata section, with its encoding. */
public enum TdxSectionType {
    /** Boot firmware volume: code, copied from the image. */
    BFV(0),
    /** Configuration firmware volume: variables, copied from the image. */
    CFV(1),
    /** The TD HOB list the VMM fills. */
    TD_HOB(2),
    /** Temporary memory for the firmware's early phase. */
    TEMP_MEM(3),
    /** Permanent memory. */
    PERM_MEM(4),
    /** A payload (kernel) image. */
    PAYLOAD(5),
    /** The payload's parameters (command line). */
    PAYLOAD_PARAM(6);

    private final int code;

    TdxSectionType(int code) {
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
    public static TdxSectionType fromCode(long code) {
        for (TdxSectionType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException(String.format("unknown TDX metadata section type 0x%X, expected 0..6"
                + " (BFV, CFV, TD_HOB, TempMem, PermMem, Payload, PayloadParam)", code));
    }
}
