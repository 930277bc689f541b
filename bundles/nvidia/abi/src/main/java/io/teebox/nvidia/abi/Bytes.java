package io.teebox.nvidia.abi;

import io.teebox.kit.codec.MalformedStructureException;

/** Bounds-checked little-endian reading of a byte array, every fault a {@link MalformedStructureException}. */
final class Bytes {

    private final String struct;
    private final byte[] data;
    private final int base;
    private int pos;

    /**
     * @param struct the structure's name for messages
     * @param data the bytes
     * @param base the absolute offset of data[0] in the whole report, for messages
     */
    Bytes(String struct, byte[] data, int base) {
        this.struct = struct;
        this.data = data;
        this.base = base;
    }

    int pos() {
        return pos;
    }

    int remaining() {
        return data.length - pos;
    }

    private void need(String field, int n) {
        if (n < 0 || n > data.length - pos) {
            throw new MalformedStructureException(struct, field, struct + "." + field + " at offset " + (base + pos)
                    + " needs " + n + " bytes, but only " + (data.length - pos) + " remain");
        }
    }

    int u8(String field) {
        need(field, 1);
        return data[pos++] & 0xFF;
    }

    int u16(String field) {
        need(field, 2);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    int u24(String field) {
        need(field, 3);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16;
        pos += 3;
        return v;
    }

    byte[] take(String field, int n) {
        need(field, n);
        byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    /** Fails unless a field holds the one value the format allows. */
    void expect(String field, int at, int found, int expected) {
        if (found != expected) {
            throw new MalformedStructureException(struct, field, String.format("%s.%s at offset %d is 0x%02X, "
                    + "expected 0x%02X", struct, field, base + at, found, expected));
        }
    }

    MalformedStructureException fault(String field, int at, String what) {
        return new MalformedStructureException(struct, field, struct + "." + field + " at offset " + (base + at)
                + " " + what);
    }

    /** Fails if bytes remain after the structure. */
    void end() {
        if (pos != data.length) {
            throw new MalformedStructureException(struct, null, struct + " ends at offset " + (base + pos) + ", but "
                    + (data.length - pos) + " more bytes follow");
        }
    }

    static void u16(java.io.ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write(v >>> 8 & 0xFF);
    }

    static void u24(java.io.ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write(v >>> 8 & 0xFF);
        out.write(v >>> 16 & 0xFF);
    }

    static void check(String struct, String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new MalformedStructureException(struct, field, struct + "." + field + " is " + value
                    + ", which does not fit its field (0.." + max + ")");
        }
    }
}
