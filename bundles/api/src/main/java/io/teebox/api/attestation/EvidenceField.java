package io.teebox.api.attestation;

/**
 * One field of a report decoded as its vendor's format defines it, for showing evidence field by field.
 *
 * @param name the field's name as the vendor's spec spells it, dotted for nested structures (for example
 *            {@code "REPORT_DATA"}, {@code "header.VERSION"} or {@code "body.MRTD"})
 * @param offset the field's first byte within {@link Evidence#report()}
 * @param length the field's length in bytes, 0 for an empty variable-length field
 * @param value a short rendering of the value: numbers as {@code 0x}-prefixed hex, byte strings as lowercase hex
 */
public record EvidenceField(String name, int offset, int length, String value) {

    /** Checks the name and value are present and the offset and length are not negative. */
    public EvidenceField {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("evidence field name is " + (name == null ? "null" : "blank"));
        }
        if (value == null) {
            throw new IllegalArgumentException("evidence field " + name + ": value is null");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("evidence field " + name + ": offset is " + offset
                    + ", expected at least 0");
        }
        if (length < 0) {
            throw new IllegalArgumentException("evidence field " + name + ": length is " + length
                    + ", expected at least 0");
        }
    }
}
