package io.teebox.kit.firmware;

import java.util.Objects;

/**
 * One section of the TDVF metadata: a guest memory range, optionally initialised from a part of the image.
 *
 * @param dataOffset where the section's raw data starts in the image file
 * @param rawDataSize how many bytes of raw data (0 for memory-only sections)
 * @param memoryAddress the guest physical address
 * @param memoryDataSize the size in guest memory (raw data is zero-padded to it)
 * @param type what the section is
 * @param attributes bit 0 {@link #ATTR_MR_EXTEND}, bit 1 {@link #ATTR_PAGE_AUG}
 */
public record TdxMetadataSection(long dataOffset, long rawDataSize, long memoryAddress, long memoryDataSize,
        TdxSectionType type, long attributes) {

    /** Attribute bit 0: the content is measured into MRTD with TDH.MR.EXTEND. */
    public static final long ATTR_MR_EXTEND = 0x1;
    /** Attribute bit 1: the pages are added after launch (TDH.MEM.PAGE.AUG), so not measured at all. */
    public static final long ATTR_PAGE_AUG = 0x2;

    /**
     * Checks the values.
     *
     * @param dataOffset file offset, 0..2^32-1
     * @param rawDataSize raw data size, 0..2^32-1
     * @param memoryAddress guest physical address
     * @param memoryDataSize size in memory
     * @param type section type
     * @param attributes attribute bits, 0..2^32-1
     * @throws IllegalArgumentException if a 32-bit field is out of range or a 64-bit one negative
     */
    public TdxMetadataSection {
        Objects.requireNonNull(type, "type");
        if (dataOffset < 0 || dataOffset > 0xFFFF_FFFFL || rawDataSize < 0 || rawDataSize > 0xFFFF_FFFFL
                || attributes < 0 || attributes > 0xFFFF_FFFFL || memoryAddress < 0 || memoryDataSize < 0) {
            throw new IllegalArgumentException(String.format("TDX section field out of range: dataOffset=0x%X "
                    + "rawDataSize=0x%X memoryAddress=0x%X memoryDataSize=0x%X attributes=0x%X", dataOffset,
                    rawDataSize, memoryAddress, memoryDataSize, attributes));
        }
    }

    /**
     * Whether the content is extended into MRTD.
     *
     * @return true if attribute bit 0 is set
     */
    public boolean extendMr() {
        return (attributes & ATTR_MR_EXTEND) != 0;
    }

    /**
     * Whether the pages are added unmeasured after launch.
     *
     * @return true if attribute bit 1 is set
     */
    public boolean pageAug() {
        return (attributes & ATTR_PAGE_AUG) != 0;
    }

    @Override
    public String toString() {
        return String.format("TdxMetadataSection[dataOffset=0x%X, rawDataSize=0x%X, memoryAddress=0x%X, "
                + "memoryDataSize=0x%X, type=%s, attributes=0x%X]", dataOffset, rawDataSize, memoryAddress,
                memoryDataSize, type, attributes);
    }
}
