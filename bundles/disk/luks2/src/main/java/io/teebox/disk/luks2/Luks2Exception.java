package io.teebox.disk.luks2;

import java.util.Objects;

/** A LUKS2 image that cannot be read or opened; the message is one line saying what was found and what was expected. */
public class Luks2Exception extends RuntimeException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** Why an image was refused. */
    public enum Reason {
        /** The image ends before a structure it must hold. */
        TRUNCATED,
        /** A binary header's magic is not "LUKS\xba\xbe" (primary) or "SKUL\xba\xbe" (secondary). */
        BAD_MAGIC,
        /** A binary header's version is not 2. */
        BAD_VERSION,
        /** A header, keyslot area or segment lies where the layout does not allow it. */
        BAD_OFFSET,
        /** A binary header's checksum does not match the header and JSON area. */
        BAD_CHECKSUM,
        /** The JSON metadata is not valid LUKS2 metadata. */
        BAD_METADATA,
        /** The metadata asks for something this implementation does not do (another cipher, KDF or hash). */
        UNSUPPORTED,
        /** No keyslot yields a volume key matching its digest: a wrong passphrase or a damaged keyslot area. */
        DIGEST_MISMATCH,
        /** The image file could not be read or written. */
        IO
    }

    /** Why the image was refused. */
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason why the image was refused
     * @param message one line naming what was found and what was expected
     */
    public Luks2Exception(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Creates the exception with a cause.
     *
     * @param reason why the image was refused
     * @param message one line naming what was found and what was expected
     * @param cause the underlying failure
     */
    public Luks2Exception(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Why the image was refused.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
