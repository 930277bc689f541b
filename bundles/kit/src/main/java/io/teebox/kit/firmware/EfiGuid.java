package io.teebox.kit.firmware;

import io.teebox.kit.codec.LittleEndian;
import java.util.Objects;
import java.util.UUID;

/**
 * EFI GUIDs in their "mixed-endian" byte form (Python's {@code uuid.UUID.bytes_le}): the first three groups
 * little-endian, the last eight bytes as written. {@code 96b582de-1fb2-45f7-baea-a366c55a082d} is stored as
 * {@code de 82 b5 96 b2 1f f7 45 ba ea a3 66 c5 5a 08 2d}.
 */
public final class EfiGuid {

    private EfiGuid() {
    }

    /**
     * Reads a GUID stored in EFI byte order.
     *
     * @param b the bytes
     * @param off where the 16 GUID bytes start
     * @return the GUID
     * @throws IndexOutOfBoundsException if fewer than 16 bytes are left at {@code off}
     */
    public static UUID read(byte[] b, int off) {
        Objects.checkFromIndexSize(off, 16, b.length);
        long msb = (LittleEndian.u32(b, off) << 32) | ((long) LittleEndian.u16(b, off + 4) << 16)
                | LittleEndian.u16(b, off + 6);
        long lsb = 0;
        for (int i = 8; i < 16; i++) {
            lsb = (lsb << 8) | (b[off + i] & 0xFF);
        }
        return new UUID(msb, lsb);
    }

    /**
     * Encodes a GUID in EFI byte order.
     *
     * @param guid the GUID
     * @return its 16 bytes
     */
    public static byte[] bytes(UUID guid) {
        byte[] b = new byte[16];
        write(guid, b, 0);
        return b;
    }

    /**
     * Writes a GUID in EFI byte order.
     *
     * @param guid the GUID
     * @param b the destination
     * @param off where the 16 bytes go
     */
    public static void write(UUID guid, byte[] b, int off) {
        Objects.checkFromIndexSize(off, 16, b.length);
        long msb = guid.getMostSignificantBits();
        LittleEndian.put32(b, off, msb >>> 32);
        LittleEndian.put16(b, off + 4, msb >>> 16);
        LittleEndian.put16(b, off + 6, msb);
        long lsb = guid.getLeastSignificantBits();
        for (int i = 15; i >= 8; i--) {
            b[off + i] = (byte) lsb;
            lsb >>>= 8;
        }
    }
}
