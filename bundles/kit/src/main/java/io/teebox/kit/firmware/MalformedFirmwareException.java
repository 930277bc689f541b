package io.teebox.kit.firmware;

/**
 * A firmware image whose structures do not parse. The message names the field and says what was found and what
 * was expected; {@link #field()} names the field alone.
 */
public class MalformedFirmwareException extends IllegalArgumentException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The field at fault, or null. */
    private final String field;

    /**
     * Creates the exception.
     *
     * @param field the field at fault, e.g. "footer table length" or "SEV metadata signature"
     * @param message the full message
     */
    public MalformedFirmwareException(String field, String message) {
        super(message);
        this.field = field;
    }

    /**
     * The field at fault.
     *
     * @return a short name such as "image size", "footer table GUID", "TDX metadata section 2"
     */
    public String field() {
        return field;
    }
}
