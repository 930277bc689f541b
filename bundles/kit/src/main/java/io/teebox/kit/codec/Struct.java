package io.teebox.kit.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * A mutable view over a copy of one structure's bytes, read and written by field name. Not thread-safe.
 * Obtain one from {@link Layout#parse(byte[])} or {@link Layout#create()}.
 */
public final class Struct {

    private final Layout layout;
    private final byte[] data;

    Struct(Layout layout, byte[] data) {
        this.layout = layout;
        this.data = data;
    }

    /**
     * Reads an unsigned 8-bit field.
     *
     * @param field the field's name
     * @return its value, 0..0xFF
     * @throws IllegalArgumentException if there is no such field or it is not a u8 field
     */
    public int u8(String field) {
        return data[numeric(field, Layout.Kind.U8).offset()] & 0xFF;
    }

    /**
     * Reads an unsigned 16-bit field.
     *
     * @param field the field's name
     * @return its value, 0..0xFFFF
     * @throws IllegalArgumentException if there is no such field or it is not a u16 field
     */
    public int u16(String field) {
        return LittleEndian.u16(data, numeric(field, Layout.Kind.U16).offset());
    }

    /**
     * Reads an unsigned 32-bit field.
     *
     * @param field the field's name
     * @return its value, 0..0xFFFFFFFF
     * @throws IllegalArgumentException if there is no such field or it is not a u32 field
     */
    public long u32(String field) {
        return LittleEndian.u32(data, numeric(field, Layout.Kind.U32).offset());
    }

    /**
     * Reads a 64-bit field.
     *
     * @param field the field's name
     * @return its 64 bits (values of 2^63 and above come back negative; use {@link Long#toUnsignedString(long)})
     * @throws IllegalArgumentException if there is no such field or it is not a u64 field
     */
    public long u64(String field) {
        return LittleEndian.u64(data, numeric(field, Layout.Kind.U64).offset());
    }

    /**
     * Reads the raw bytes of any field.
     *
     * @param field the field's name
     * @return a copy of the field's bytes
     * @throws IllegalArgumentException if there is no such field
     */
    public byte[] bytes(String field) {
        Layout.Field f = layout.field(field);
        return Arrays.copyOfRange(data, f.offset(), f.end());
    }

    /**
     * Writes an integer field.
     *
     * @param field the field's name
     * @param value the value; must fit the field's width as an unsigned number (any long for u64)
     * @return this structure
     * @throws IllegalArgumentException if there is no such field or it is a byte-array field
     * @throws MalformedStructureException if the value does not fit the field
     */
    public Struct set(String field, long value) {
        Layout.Field f = layout.field(field);
        if (f.kind() == Layout.Kind.BYTES) {
            throw new IllegalArgumentException(layout.name() + "." + field + " is a " + f.length()
                    + "-byte field, not an integer; set it with set(String, byte[])");
        }
        int bits = f.kind().width * 8;
        if (bits < 64 && (value >>> bits) != 0) {
            throw new MalformedStructureException(layout.name(), field, String.format(
                    "%s.%s is a %s field: value 0x%X does not fit in %d bits",
                    layout.name(), field, f.kind().label(f.length()), value, bits));
        }
        switch (f.kind()) {
            case U8 -> data[f.offset()] = (byte) value;
            case U16 -> LittleEndian.put16(data, f.offset(), value);
            case U32 -> LittleEndian.put32(data, f.offset(), value);
            default -> LittleEndian.put64(data, f.offset(), value);
        }
        return this;
    }

    /**
     * Writes the raw bytes of any field.
     *
     * @param field the field's name
     * @param value exactly the field's length of bytes; copied
     * @return this structure
     * @throws IllegalArgumentException if there is no such field
     * @throws MalformedStructureException if {@code value} is not exactly the field's length
     */
    public Struct set(String field, byte[] value) {
        Objects.requireNonNull(value, "value");
        Layout.Field f = layout.field(field);
        if (value.length != f.length()) {
            throw new MalformedStructureException(layout.name(), field, String.format(
                    "%s.%s: value is %d bytes, expected %d", layout.name(), field, value.length, f.length()));
        }
        System.arraycopy(value, 0, data, f.offset(), value.length);
        return this;
    }

    /**
     * The structure's bytes.
     *
     * @return a copy of all {@link Layout#size()} bytes
     */
    public byte[] toBytes() {
        return data.clone();
    }

    /**
     * The structure's layout.
     *
     * @return the layout this structure was parsed or created with
     */
    public Layout layout() {
        return layout;
    }

    /**
     * A human-readable listing: one line per field with its name, offset and value in hex.
     *
     * @return the listing, fields in offset order, lines separated by '\n'
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        int width = 0;
        for (String name : layout.fields()) {
            width = Math.max(width, name.length());
        }
        for (String name : layout.fields()) {
            Layout.Field f = layout.field(name);
            sb.append(String.format("%-" + width + "s @0x%03X = ", name, f.offset())).append(render(name))
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * Renders one field's value as {@link #describe()} lists it.
     *
     * @param field the field's name
     * @return an integer field as {@code 0x}-prefixed upper-case hex padded to its width (for example
     *         {@code 0x00000002} for a u32), a byte-array field as lower-case hex of all its bytes
     * @throws IllegalArgumentException if there is no such field
     */
    public String render(String field) {
        Layout.Field f = layout.field(field);
        return switch (f.kind()) {
            case U8 -> String.format("0x%02X", u8(field));
            case U16 -> String.format("0x%04X", u16(field));
            case U32 -> String.format("0x%08X", u32(field));
            case U64 -> String.format("0x%016X", u64(field));
            default -> {
                StringBuilder sb = new StringBuilder(2 * f.length());
                for (int i = f.offset(); i < f.end(); i++) {
                    sb.append(Character.forDigit((data[i] >> 4) & 0xF, 16))
                            .append(Character.forDigit(data[i] & 0xF, 16));
                }
                yield sb.toString();
            }
        };
    }

    /**
     * Two structures are equal if they have the same layout and the same bytes.
     *
     * @param o another object
     * @return whether {@code o} is an equal structure
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Struct s && s.layout == layout && Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return layout.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return layout.name() + "[" + data.length + " bytes]";
    }

    private Layout.Field numeric(String field, Layout.Kind kind) {
        Layout.Field f = layout.field(field);
        if (f.kind() != kind) {
            throw new IllegalArgumentException(layout.name() + "." + field + " is a " + f.kind().label(f.length())
                    + " field, not " + kind.label(0));
        }
        return f;
    }
}
