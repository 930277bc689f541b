package io.teebox.kit.codec;

/**
 * A byte structure that does not match its layout: wrong size, non-zero reserved bytes, a value that does not fit
 * its field. The message says what was found and what was expected.
 */
public class MalformedStructureException extends IllegalArgumentException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The structure name. */
    private final String structName;
    /** The field at fault, or null. */
    private final String field;

    /**
     * Creates the exception.
     *
     * @param structName the structure's name, e.g. "SEV_SESSION"
     * @param field the single field at fault, or null if the fault is not one field's
     * @param message the full message, naming what was found and expected
     */
    public MalformedStructureException(String structName, String field, String message) {
        super(message);
        this.structName = structName;
        this.field = field;
    }

    /**
     * The structure's name.
     *
     * @return the name given to {@link Layout#define(String, int)}
     */
    public String structName() {
        return structName;
    }

    /**
     * The field at fault.
     *
     * @return the field name, or null if the fault is not a single field's (size, reserved range)
     */
    public String field() {
        return field;
    }
}
