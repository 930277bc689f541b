package io.teebox.kit.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The byte layout of one fixed-size little-endian structure: named fields at fixed offsets and must-be-zero
 * reserved ranges. A layout is immutable and thread-safe; it parses bytes into {@link Struct}s and creates zeroed
 * ones. Define it once per structure, with the spec's field names:
 *
 * <pre>{@code
 * static final Layout SESSION = Layout.define("SEV_SESSION", 0x80)
 *         .bytes("nonce", 0x00, 16).bytes("wrap_tk", 0x10, 32).bytes("wrap_iv", 0x30, 16)
 *         .bytes("wrap_mac", 0x40, 32).bytes("policy_mac", 0x60, 32).build();
 * }</pre>
 */
public final class Layout {

    /** The kind of a field, which fixes its width. */
    enum Kind {
        U8(1), U16(2), U32(4), U64(8), BYTES(0);

        final int width;

        Kind(int width) {
            this.width = width;
        }

        String label(int length) {
            return this == BYTES ? length + "-byte" : name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One named field. */
    record Field(String name, Kind kind, int offset, int length) {
        int end() {
            return offset + length;
        }
    }

    /** One must-be-zero range. */
    record Reserved(int offset, int length) {
        int end() {
            return offset + length;
        }
    }

    private final String name;
    private final int size;
    private final Map<String, Field> fields;
    private final List<String> fieldNames;
    private final List<Reserved> reserved;

    private Layout(String name, int size, Map<String, Field> fields, List<Reserved> reserved) {
        this.name = name;
        this.size = size;
        this.fields = fields;
        List<Field> ordered = new ArrayList<>(fields.values());
        ordered.sort(Comparator.comparingInt(Field::offset));
        List<String> names = new ArrayList<>();
        for (Field f : ordered) {
            names.add(f.name());
        }
        this.fieldNames = Collections.unmodifiableList(names);
        this.reserved = List.copyOf(reserved);
    }

    /**
     * Starts the definition of a structure.
     *
     * @param structName the structure's name as the spec writes it; used in every error message
     * @param size the structure's size in bytes, at least 1
     * @return a builder to add fields to
     * @throws IllegalArgumentException if the name is blank or the size is not positive
     */
    public static Builder define(String structName, int size) {
        Objects.requireNonNull(structName, "structName");
        if (structName.isBlank()) {
            throw new IllegalArgumentException("structure name is blank");
        }
        if (size <= 0) {
            throw new IllegalArgumentException(structName + ": size is " + size + ", expected at least 1");
        }
        return new Builder(structName, size);
    }

    /**
     * The structure's name.
     *
     * @return the name given to {@link #define(String, int)}
     */
    public String name() {
        return name;
    }

    /**
     * The structure's size.
     *
     * @return the size in bytes
     */
    public int size() {
        return size;
    }

    /**
     * Parses exactly one structure, checking its size and that every reserved range is zero.
     *
     * @param data the structure's bytes; copied, so later changes to {@code data} do not show in the result
     * @return a mutable view over a copy of {@code data}
     * @throws MalformedStructureException if {@code data} is not exactly {@link #size()} bytes or a reserved byte is
     *         not zero
     */
    public Struct parse(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length != size) {
            throw new MalformedStructureException(name, null,
                    name + " is " + data.length + " bytes, expected " + size);
        }
        return parse(data, 0);
    }

    /**
     * Parses one structure that starts at {@code offset} inside a larger buffer, checking the reserved ranges.
     *
     * @param data the buffer
     * @param offset where the structure starts
     * @return a mutable view over a copy of the {@link #size()} bytes at {@code offset}
     * @throws MalformedStructureException if fewer than {@link #size()} bytes are left at {@code offset} or a reserved
     *         byte is not zero
     */
    public Struct parse(byte[] data, int offset) {
        Objects.requireNonNull(data, "data");
        if (offset < 0 || offset > data.length || data.length - offset < size) {
            int left = offset < 0 || offset > data.length ? 0 : data.length - offset;
            throw new MalformedStructureException(name, null, String.format(
                    "%s needs %d bytes at offset 0x%X, only %d left in a buffer of %d bytes",
                    name, size, offset, left, data.length));
        }
        byte[] copy = new byte[size];
        System.arraycopy(data, offset, copy, 0, size);
        checkReserved(copy);
        return new Struct(this, copy);
    }

    /**
     * Creates a structure with every byte zero.
     *
     * @return a new mutable structure
     */
    public Struct create() {
        return new Struct(this, new byte[size]);
    }

    /**
     * The offset of a field.
     *
     * @param field the field's name
     * @return its byte offset from the start of the structure
     * @throws IllegalArgumentException if the layout has no such field
     */
    public int offset(String field) {
        return field(field).offset();
    }

    /**
     * The length of a field.
     *
     * @param field the field's name
     * @return its length in bytes (1, 2, 4 or 8 for integers)
     * @throws IllegalArgumentException if the layout has no such field
     */
    public int length(String field) {
        return field(field).length();
    }

    /**
     * Whether the layout has a field of this name.
     *
     * @param field a field name
     * @return true if {@code field} names a field of this layout
     */
    public boolean hasField(String field) {
        return fields.containsKey(field);
    }

    /**
     * The field names.
     *
     * @return an unmodifiable list of the field names in offset order
     */
    public List<String> fields() {
        return fieldNames;
    }

    @Override
    public String toString() {
        return name + " (" + size + " bytes, " + fields.size() + " fields)";
    }

    Field field(String field) {
        Field f = fields.get(field);
        if (f == null) {
            throw new IllegalArgumentException(name + " has no field '" + field + "'; its fields are " + fieldNames);
        }
        return f;
    }

    void checkReserved(byte[] data) {
        for (Reserved r : reserved) {
            for (int i = r.offset(); i < r.end(); i++) {
                if (data[i] != 0) {
                    throw new MalformedStructureException(name, null, String.format(
                            "%s: reserved bytes 0x%02X..0x%02X must be zero, found 0x%02X at 0x%02X",
                            name, r.offset(), r.end() - 1, data[i] & 0xFF, i));
                }
            }
        }
    }

    /** Collects the fields of a layout; {@link #build()} checks they fit and do not overlap. */
    public static final class Builder {
        private final String name;
        private final int size;
        private final Map<String, Field> fields = new LinkedHashMap<>();
        private final List<Reserved> reserved = new ArrayList<>();

        private Builder(String name, int size) {
            this.name = name;
            this.size = size;
        }

        /**
         * Adds an unsigned 8-bit field.
         *
         * @param field the field's name
         * @param offset its byte offset
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already used
         */
        public Builder u8(String field, int offset) {
            return add(field, Kind.U8, offset, 1);
        }

        /**
         * Adds an unsigned little-endian 16-bit field.
         *
         * @param field the field's name
         * @param offset its byte offset
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already used
         */
        public Builder u16(String field, int offset) {
            return add(field, Kind.U16, offset, 2);
        }

        /**
         * Adds an unsigned little-endian 32-bit field.
         *
         * @param field the field's name
         * @param offset its byte offset
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already used
         */
        public Builder u32(String field, int offset) {
            return add(field, Kind.U32, offset, 4);
        }

        /**
         * Adds a little-endian 64-bit field.
         *
         * @param field the field's name
         * @param offset its byte offset
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already used
         */
        public Builder u64(String field, int offset) {
            return add(field, Kind.U64, offset, 8);
        }

        /**
         * Adds a byte-array field (a hash, key, nonce, or a big-endian number kept as bytes).
         *
         * @param field the field's name
         * @param offset its byte offset
         * @param length its length in bytes, at least 1
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already used, or the length is not positive
         */
        public Builder bytes(String field, int offset, int length) {
            return add(field, Kind.BYTES, offset, length);
        }

        /**
         * Adds a reserved range whose bytes must be zero; {@link Layout#parse(byte[])} rejects any other value.
         *
         * @param offset the range's first byte
         * @param length its length in bytes, at least 1
         * @return this builder
         * @throws IllegalArgumentException if the length is not positive
         */
        public Builder reserved(int offset, int length) {
            if (length <= 0) {
                throw new IllegalArgumentException(name + ": reserved range at 0x" + Integer.toHexString(offset)
                        + " has length " + length + ", expected at least 1");
            }
            reserved.add(new Reserved(offset, length));
            return this;
        }

        /**
         * Checks the fields and returns the layout.
         *
         * @return the immutable layout
         * @throws IllegalArgumentException if a field or reserved range lies outside the structure or two of them
         *         overlap; the message names both
         */
        public Layout build() {
            record Span(String label, int offset, int end) {
            }
            List<Span> spans = new ArrayList<>();
            for (Field f : fields.values()) {
                spans.add(new Span("field " + f.name(), f.offset(), f.end()));
            }
            for (Reserved r : reserved) {
                spans.add(new Span("reserved range", r.offset(), r.end()));
            }
            for (Span s : spans) {
                if (s.offset() < 0 || s.end() > size || s.end() < s.offset()) {
                    throw new IllegalArgumentException(String.format(
                            "%s: %s at 0x%X..0x%X lies outside the structure's %d bytes",
                            name, s.label(), s.offset(), s.end() - 1, size));
                }
            }
            spans.sort(Comparator.comparingInt(Span::offset));
            for (int i = 1; i < spans.size(); i++) {
                Span a = spans.get(i - 1);
                Span b = spans.get(i);
                if (b.offset() < a.end()) {
                    throw new IllegalArgumentException(String.format(
                            "%s: %s at 0x%X..0x%X overlaps %s at 0x%X..0x%X",
                            name, b.label(), b.offset(), b.end() - 1, a.label(), a.offset(), a.end() - 1));
                }
            }
            return new Layout(name, size, new LinkedHashMap<>(fields), reserved);
        }

        private Builder add(String field, Kind kind, int offset, int length) {
            Objects.requireNonNull(field, "field");
            if (field.isBlank()) {
                throw new IllegalArgumentException(name + ": field name is blank");
            }
            if (length <= 0) {
                throw new IllegalArgumentException(name + ": field " + field + " has length " + length
                        + ", expected at least 1");
            }
            if (fields.putIfAbsent(field, new Field(field, kind, offset, length)) != null) {
                throw new IllegalArgumentException(name + ": field " + field + " is defined twice");
            }
            return this;
        }
    }
}
