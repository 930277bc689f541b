package io.teebox.disk.image;

/** A disk image, partition table or cpio archive that is refused; the message is one line. */
public class DiskImageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a structure was refused. */
    public enum Reason {
        /** The protective MBR is missing or malformed. */
        PROTECTIVE_MBR,
        /** A GPT header's signature, revision, size, LBAs or reserved bytes are wrong. */
        GPT_HEADER,
        /** A GPT header's HeaderCRC32 does not match. */
        GPT_HEADER_CRC,
        /** A partition entry array's PartitionEntryArrayCRC32 does not match. */
        GPT_ENTRIES_CRC,
        /** A partition entry lies outside the usable LBAs, ends before it starts, or is malformed. */
        GPT_ENTRY,
        /** Two partition entries overlap. */
        GPT_OVERLAP,
        /** Neither the primary nor the backup GPT is valid. */
        GPT_NO_VALID_COPY,
        /** A cpio header, name or padding is malformed. */
        CPIO_FORMAT,
        /** A cpio archive ends before its data or its trailer. */
        CPIO_TRUNCATED,
        /** The image does not have the partitions of a confidential disk. */
        LAYOUT,
        /** The image cannot be read or written. */
        IO
    }

    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason why the structure was refused
     * @param message one line naming what was found and what was expected
     */
    public DiskImageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * Creates the exception with a cause.
     *
     * @param reason why the structure was refused
     * @param message one line naming what was found and what was expected
     * @param cause the underlying failure
     */
    public DiskImageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /**
     * Says why the structure was refused.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
