package io.teebox.tpm.abi;

import java.io.ByteArrayOutputStream;

/** Writes TPM 2.0 big-endian values. */
public final class TpmWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /**
     * @param v the low 8 bits are written
     * @return this
     */
    public TpmWriter u8(int v) {
        out.write(v);
        return this;
    }

    /**
     * @param v the low 16 bits are written
     * @return this
     */
    public TpmWriter u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    /**
     * @param v the value
     * @return this
     */
    public TpmWriter u32(int v) {
        u16(v >>> 16);
        return u16(v);
    }

    /**
     * @param v the value
     * @return this
     */
    public TpmWriter u64(long v) {
        u32((int) (v >>> 32));
        return u32((int) v);
    }

    /**
     * @param b the bytes, written as they are
     * @return this
     */
    public TpmWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /**
     * Writes a TPM2B: the UINT16 size and the bytes.
     *
     * @param b the buffer, at most 65535 bytes
     * @return this
     * @throws IllegalArgumentException if the buffer is larger than a UINT16 counts
     */
    public TpmWriter tpm2b(byte[] b) {
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("TPM2B is " + b.length + " bytes, expected at most 65535");
        }
        u16(b.length);
        return bytes(b);
    }

    /**
     * @return the bytes written so far
     */
    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /**
     * @return the number of bytes written so far
     */
    public int size() {
        return out.size();
    }
}
