package io.teebox.boot.eventlog.internal;

import io.teebox.boot.eventlog.EventLogException;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.firmware.EfiGuid;
import java.util.Arrays;
import java.util.UUID;

/**
 * A bounds-checked little-endian cursor over part of a buffer; every short read becomes an
 * {@link EventLogException} naming the structure, the field, the offset and the bytes left.
 */
public final class Reader {

    private final byte[] buf;
    private final int end;
    private final String struct;
    private int pos;

    /**
     * A cursor over {@code buf[off, end)}.
     *
     * @param struct the structure name for messages
     * @param buf the bytes
     * @param off the first byte
     * @param end one past the last byte
     */
    public Reader(String struct, byte[] buf, int off, int end) {
        this.struct = struct;
        this.buf = buf;
        this.pos = off;
        this.end = end;
    }

    /**
     * A cursor over all of {@code buf}.
     *
     * @param struct the structure name for messages
     * @param buf the bytes
     */
    public Reader(String struct, byte[] buf) {
        this(struct, buf, 0, buf.length);
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public String struct() {
        return struct;
    }

    private void need(String field, long n) {
        if (n > end - pos) {
            throw new EventLogException(struct, field, struct + "." + field + " at offset " + pos + " needs " + n
                    + " bytes, only " + (end - pos) + " left");
        }
    }

    public int u8(String field) {
        need(field, 1);
        return buf[pos++] & 0xFF;
    }

    public int u16(String field) {
        need(field, 2);
        int v = LittleEndian.u16(buf, pos);
        pos += 2;
        return v;
    }

    public long u32(String field) {
        need(field, 4);
        long v = LittleEndian.u32(buf, pos);
        pos += 4;
        return v;
    }

    public long u64(String field) {
        need(field, 8);
        long v = LittleEndian.u64(buf, pos);
        pos += 8;
        return v;
    }

    public UUID guid(String field) {
        need(field, 16);
        UUID g = EfiGuid.read(buf, pos);
        pos += 16;
        return g;
    }

    /**
     * Reads {@code n} bytes, {@code n} coming from a size field of the structure (unsigned, possibly huge).
     *
     * @param field the field
     * @param n the count
     * @return a copy of the bytes
     */
    public byte[] bytes(String field, long n) {
        if (n < 0) {
            throw new EventLogException(struct, field, struct + "." + field + " at offset " + pos + " has size "
                    + Long.toUnsignedString(n) + ", only " + (end - pos) + " bytes left");
        }
        need(field, n);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + (int) n);
        pos += (int) n;
        return b;
    }

    /**
     * Requires the cursor to be at its end.
     *
     * @param what what the remaining bytes would be
     */
    public void expectEnd(String what) {
        if (pos != end) {
            throw new EventLogException(struct, null, struct + " has " + (end - pos) + " bytes after " + what
                    + " at offset " + pos + ", expected none");
        }
    }
}
