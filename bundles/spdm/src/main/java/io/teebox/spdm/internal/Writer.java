package io.teebox.spdm.internal;

import java.io.ByteArrayOutputStream;

/** Writes little-endian fields. */
public final class Writer {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** @param v value @return this */
    public Writer u8(int v) {
        out.write(v);
        return this;
    }

    /** @param v value @return this */
    public Writer u16(int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    /** @param v value @return this */
    public Writer u24(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        return this;
    }

    /** @param v value @return this */
    public Writer u32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
        return this;
    }

    /** @param b bytes @return this */
    public Writer bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    /** @param n count @return this */
    public Writer zeros(int n) {
        for (int i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    /** @return the bytes written */
    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /**
     * Checks a value fits an unsigned field.
     *
     * @param name field name
     * @param v the value
     * @param bits field width
     * @return v
     */
    public static int fit(String name, long v, int bits) {
        if (v < 0 || v >= (1L << bits)) {
            throw new IllegalArgumentException(name + " is " + v + ", does not fit " + bits + " bits");
        }
        return (int) v;
    }
}
