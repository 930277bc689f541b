package io.teebox.tpm.abi;

import java.util.Arrays;

/** Reads TPM 2.0 big-endian values from a byte array; running out of bytes is TPM_RC_INSUFFICIENT. */
public final class TpmReader {

    private final byte[] data;
    private int pos;
    private final int end;

    /**
     * Reads the whole array.
     *
     * @param data the bytes (not copied)
     */
    public TpmReader(byte[] data) {
        this(data, 0, data.length);
    }

    /**
     * Reads a slice.
     *
     * @param data the bytes (not copied)
     * @param offset where to start
     * @param length how many bytes
     */
    public TpmReader(byte[] data, int offset, int length) {
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
    }

    private void need(int n, String what) {
        if (end - pos < n) {
            throw new TpmException(TpmRc.INSUFFICIENT, what + " needs " + n + " bytes at offset " + pos + ", found "
                    + (end - pos));
        }
    }

    /**
     * @param what the field name, for the message
     * @return a UINT8
     * @throws TpmException with TPM_RC_INSUFFICIENT at the end of the input
     */
    public int u8(String what) {
        need(1, what);
        return data[pos++] & 0xFF;
    }

    /**
     * @param what the field name, for the message
     * @return a UINT16
     * @throws TpmException with TPM_RC_INSUFFICIENT at the end of the input
     */
    public int u16(String what) {
        need(2, what);
        int v = (data[pos] & 0xFF) << 8 | data[pos + 1] & 0xFF;
        pos += 2;
        return v;
    }

    /**
     * @param what the field name, for the message
     * @return a UINT32
     * @throws TpmException with TPM_RC_INSUFFICIENT at the end of the input
     */
    public int u32(String what) {
        need(4, what);
        int v = (data[pos] & 0xFF) << 24 | (data[pos + 1] & 0xFF) << 16 | (data[pos + 2] & 0xFF) << 8
                | data[pos + 3] & 0xFF;
        pos += 4;
        return v;
    }

    /**
     * @param what the field name, for the message
     * @return a UINT64
     * @throws TpmException with TPM_RC_INSUFFICIENT at the end of the input
     */
    public long u64(String what) {
        long hi = u32(what) & 0xFFFFFFFFL;
        long lo = u32(what) & 0xFFFFFFFFL;
        return hi << 32 | lo;
    }

    /**
     * @param n how many bytes
     * @param what the field name, for the message
     * @return a copy of the next n bytes
     * @throws TpmException with TPM_RC_INSUFFICIENT at the end of the input
     */
    public byte[] bytes(int n, String what) {
        need(n, what);
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    /**
     * Reads a TPM2B: a UINT16 size and that many bytes.
     *
     * @param max the largest size the structure allows
     * @param what the structure name, for the message
     * @return the buffer
     * @throws TpmException with TPM_RC_SIZE if the size exceeds max, TPM_RC_INSUFFICIENT at the end of the input
     */
    public byte[] tpm2b(int max, String what) {
        int size = u16(what + ".size");
        if (size > max) {
            throw new TpmException(TpmRc.SIZE, what + ".size is " + size + ", expected at most " + max);
        }
        return bytes(size, what + ".buffer");
    }

    /**
     * @return the bytes left
     */
    public int remaining() {
        return end - pos;
    }

    /**
     * @return the current offset into the array
     */
    public int position() {
        return pos;
    }

    /**
     * Checks that all input was consumed.
     *
     * @param what the structure name, for the message
     * @throws TpmException with TPM_RC_SIZE if bytes are left
     */
    public void end(String what) {
        if (pos != end) {
            throw new TpmException(TpmRc.SIZE, what + " has " + (end - pos) + " bytes after its end, expected none");
        }
    }
}
