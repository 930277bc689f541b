package io.teebox.kit.firmware;

/**
 * A guest-physical area the firmware reserves for a purpose (the SEV kernel-hashes table, the launch secret).
 *
 * @param gpa the area's guest physical address
 * @param size its size in bytes
 */
public record FirmwareArea(long gpa, long size) {

    /**
     * Checks the values.
     *
     * @param gpa the area's guest physical address, 0..2^32-1
     * @param size its size in bytes, 0..2^32-1
     * @throws IllegalArgumentException if a value is outside the 32-bit range the footer table encodes
     */
    public FirmwareArea {
        if (gpa < 0 || gpa > 0xFFFF_FFFFL || size < 0 || size > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(String.format("area gpa 0x%X size 0x%X outside 32 bits", gpa, size));
        }
    }

    /**
     * The first address after the area.
     *
     * @return {@code gpa + size}
     */
    public long end() {
        return gpa + size;
    }

    @Override
    public String toString() {
        return String.format("FirmwareArea[gpa=0x%X, size=0x%X]", gpa, size);
    }
}
