package io.teebox.spdm.internal;

import io.teebox.kit.codec.MalformedStructureException;
import java.util.Arrays;

/** Reads a message front to back; a field that runs past the end is a {@link MalformedStructureException}. */
public final class Reader {

    private final String struct;
    private final byte[] data;
    private int pos;

    /**
     * Starts reading.
     *
     * @param struct the message name, for errors
     * @param data the bytes
     */
    public Reader(String struct, byte[] data) {
        if (data == null) {
            throw new MalformedStructureException(struct, null, struct + " is null");
        }
        this.struct = struct;
        this.data = data;
    }

    private void need(String field, int n) {
        if (n < 0 || data.length - pos < n) {
            throw new MalformedStructureException(struct, field, struct + " is " + data.length + " bytes: field "
                    + field + " at offset " + pos + " needs " + n + " bytes, " + (data.length - pos) + " left");
        }
    }

    /** @param field name @return an unsigned byte */
    public int u8(String field) {
        need(field, 1);
        return data[pos++] & 0xFF;
    }

    /** @param field name @return an unsigned little-endian 16-bit value */
    public int u16(String field) {
        need(field, 2);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    /** @param field name @return an unsigned little-endian 24-bit value */
    public int u24(String field) {
        need(field, 3);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16;
        pos += 3;
        return v;
    }

    /** @param field name @return a little-endian 32-bit value */
    public int u32(String field) {
        need(field, 4);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16
                | (data[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    /** @param field name @param n count @return a copy of the next n bytes */
    public byte[] bytes(String field, int n) {
        need(field, n);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    /** @param field name @param n count of must-be-zero bytes */
    public void reserved(String field, int n) {
        need(field, n);
        for (int i = 0; i < n; i++) {
            if (data[pos + i] != 0) {
                throw new MalformedStructureException(struct, field, struct + " " + field + " at offset " + (pos + i)
                        + " is 0x" + Integer.toHexString(data[pos + i] & 0xFF) + ", expected 0 (reserved)");
            }
        }
        pos += n;
    }

    /** @return bytes not read yet */
    public int remaining() {
        return data.length - pos;
    }

    /** @return the offset of the next byte */
    public int position() {
        return pos;
    }

    /** Checks that nothing follows the last field. */
    public void end() {
        if (pos != data.length) {
            throw new MalformedStructureException(struct, null, struct + " is " + data.length + " bytes, expected "
                    + pos);
        }
    }

    /**
     * Reads and checks the 4-byte SPDM header's first two bytes.
     *
     * @param code the expected RequestResponseCode
     * @return the SPDMVersion byte
     */
    public int header(int code) {
        int version = u8("SPDMVersion");
        int found = u8("RequestResponseCode");
        if (found != code) {
            throw new MalformedStructureException(struct, "RequestResponseCode", struct + " RequestResponseCode is 0x"
                    + Integer.toHexString(found) + ", expected 0x" + Integer.toHexString(code));
        }
        return version;
    }
}
