package io.teebox.boot.uefi;

import java.util.Objects;

/**
 * One entry of a PE/COFF section table (IMAGE_SECTION_HEADER, 40 bytes), with the fields the loader and the
 * Authenticode hash use; the relocation and line-number fields of an image are always zero.
 *
 * @param name the section name, at most 8 ASCII characters ({@code .text}, {@code .data})
 * @param virtualSize the section's size in memory
 * @param virtualAddress the section's address relative to the image base
 * @param sizeOfRawData the section's size in the file, a multiple of FileAlignment
 * @param pointerToRawData where the section's data starts in the file
 * @param characteristics the IMAGE_SCN_* flags
 */
public record PeSection(String name, long virtualSize, long virtualAddress, long sizeOfRawData, long pointerToRawData,
        long characteristics) {

    /** The size of one section header. */
    public static final int SIZE = 40;
    /** IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_READ, as a .text section carries. */
    public static final long CODE = 0x6000_0020L;
    /** IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE, as a .data section carries. */
    public static final long DATA = 0xC000_0040L;

    /**
     * Checks the name.
     *
     * @throws IllegalArgumentException if the name is longer than 8 characters or not ASCII
     */
    public PeSection {
        Objects.requireNonNull(name, "name");
        if (name.length() > 8 || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException("section name \"" + name + "\" is not at most 8 printable ASCII"
                    + " characters");
        }
    }
}
