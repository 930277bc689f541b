package io.teebox.kit.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian reads and writes of unsigned integers in byte arrays, the byte order of every AMD and Intel
 * firmware structure.
 */
public final class LittleEndian {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    /**
     * Reads an unsigned 16-bit value.
     *
     * @param b the bytes
     * @param off offset of the least significant byte
     * @return the value, 0..0xFFFF
     * @throws IndexOutOfBoundsException if fewer than 2 bytes are left at {@code off}
     */
    public static int u16(byte[] b, int off) {
        return Short.toUnsignedInt((short) SHORT.get(b, off));
    }

    /**
     * Reads an unsigned 32-bit value.
     *
     * @param b the bytes
     * @param off offset of the least significant byte
     * @return the value, 0..0xFFFFFFFF
     * @throws IndexOutOfBoundsException if fewer than 4 bytes are left at {@code off}
     */
    public static long u32(byte[] b, int off) {
        return Integer.toUnsignedLong((int) INT.get(b, off));
    }

    /**
     * Reads a 64-bit value (unsigned in the structure; Java's long carries its bits).
     *
     * @param b the bytes
     * @param off offset of the least significant byte
     * @return the value's 64 bits
     * @throws IndexOutOfBoundsException if fewer than 8 bytes are left at {@code off}
     */
    public static long u64(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    /**
     * Writes the low 16 bits of {@code v}.
     *
     * @param b the bytes
     * @param off offset of the least significant byte
     * @param v the value; higher bits are ignored
     */
    public static void put16(byte[] b, int off, long v) {
        SHORT.set(b, off, (short) v);
    }

    /**
     * Writes the low 32 bits of {@code v}.
     *
     * @param b the bytes
     * @param off offset of the least significant byte
     * @param v the value; higher bits are ignored
     */
    public static void put32(byte[] b, int off, long v) {
        INT.set(b, off, (int) v);
    }

    /**
     * Writes the 64 bits of {@code v}.
     *
     * @param b the bytes
     * @param off offset of the least significant byte
     * @param v the value
     */
    public static void put64(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    /**
     * Returns a reversed copy, to convert between little-endian structure fields and big-endian numbers
     * (for example the 72-byte little-endian ECDSA r and s of an SNP report).
     *
     * @param b the bytes
     * @return a new array holding {@code b} in reverse order
     */
    public static byte[] reverse(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }
}
