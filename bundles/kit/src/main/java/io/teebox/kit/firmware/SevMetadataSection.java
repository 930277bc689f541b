package io.teebox.kit.firmware;

import java.util.Objects;

/**
 * One section of the OVMF SEV metadata: guest memory the launch must prepare (SNP).
 *
 * @param gpa the section's guest physical address
 * @param size its size in bytes
 * @param type what the launch puts there
 */
public record SevMetadataSection(long gpa, long size, SevSectionType type) {

    /**
     * Checks the values.
     *
     * @param gpa the guest physical address, 0..2^32-1
     * @param size the size in bytes, 0..2^32-1
     * @param type the section type
     * @throws IllegalArgumentException if a value is outside 32 bits
     */
    public SevMetadataSection {
        Objects.requireNonNull(type, "type");
        if (gpa < 0 || gpa > 0xFFFF_FFFFL || size < 0 || size > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(String.format("SEV section gpa 0x%X size 0x%X outside 32 bits",
                    gpa, size));
        }
    }

    @Override
    public String toString() {
        return String.format("SevMetadataSection[gpa=0x%X, size=0x%X, type=%s]", gpa, size, type);
    }
}
