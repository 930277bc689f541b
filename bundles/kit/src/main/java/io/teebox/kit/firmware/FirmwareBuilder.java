package io.teebox.kit.firmware;

import io.teebox.kit.codec.LittleEndian;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Builds OVMF-style firmware images: contents at file offsets, the footer GUID table with its entries, SEV and TDX
 * metadata and a reset vector. {@link DefaultFirmware} is built with it; tests use it to make images (and then
 * damage their bytes) without an OVMF build. Regions that overlap are rejected by {@link #build()}. Not
 * thread-safe.
 */
public final class FirmwareBuilder {

    private record Region(String what, int start, int end) {
    }

    private final int size;
    private final byte[] image;
    private final List<Region> regions = new ArrayList<>();
    private final List<Map.Entry<UUID, byte[]>> entries = new ArrayList<>();
    private boolean footerTable = true;

    /**
     * Starts an all-zero image.
     *
     * @param size the image size: a positive multiple of 4096
     * @throws IllegalArgumentException if the size is not a positive multiple of 4096
     */
    public FirmwareBuilder(int size) {
        if (size < 4096 || size % 4096 != 0) {
            throw new IllegalArgumentException("firmware size " + size + " is not a positive multiple of 4096");
        }
        this.size = size;
        this.image = new byte[size];
    }

    /**
     * The image size.
     *
     * @return the size in bytes
     */
    public int size() {
        return size;
    }

    /**
     * The guest physical address of a file offset, for an image that ends at 4 GiB.
     *
     * @param fileOffset an offset in the image
     * @return {@code 4 GiB - size + fileOffset}
     */
    public long gpa(int fileOffset) {
        return OvmfImage.FOUR_GIB - size + fileOffset;
    }

    /**
     * Places bytes at a file offset.
     *
     * @param offset the file offset
     * @param data the bytes
     * @return this builder
     */
    public FirmwareBuilder put(int offset, byte[] data) {
        Objects.requireNonNull(data, "data");
        claim("data at 0x" + Integer.toHexString(offset), offset, data.length);
        System.arraycopy(data, 0, image, offset, data.length);
        return this;
    }

    /**
     * Places ASCII text at a file offset (no terminator).
     *
     * @param offset the file offset
     * @param ascii the text
     * @return this builder
     */
    public FirmwareBuilder text(int offset, String ascii) {
        return put(offset, ascii.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Adds a footer table entry; entries appear in the table in the order they are added, the first lowest.
     *
     * @param guid the entry GUID
     * @param data the entry data (without length and GUID), at most 65517 bytes
     * @return this builder
     */
    public FirmwareBuilder footerEntry(UUID guid, byte[] data) {
        Objects.requireNonNull(guid, "guid");
        Objects.requireNonNull(data, "data");
        if (data.length + OvmfImage.ENTRY_HEADER > 0xFFFF) {
            throw new IllegalArgumentException("footer entry data of " + data.length + " bytes is too long");
        }
        entries.add(Map.entry(guid, data.clone()));
        return this;
    }

    /**
     * Adds the SEV-ES AP reset block entry.
     *
     * @param eip the AP reset EIP, e.g. 0xFFFFE004
     * @return this builder
     */
    public FirmwareBuilder apResetEip(long eip) {
        byte[] d = new byte[4];
        LittleEndian.put32(d, 0, eip);
        return footerEntry(OvmfImage.SEV_ES_RESET_BLOCK_GUID, d);
    }

    /**
     * Adds the SEV kernel-hashes area entry.
     *
     * @param area where QEMU will put the table
     * @return this builder
     */
    public FirmwareBuilder kernelHashesArea(FirmwareArea area) {
        return footerEntry(OvmfImage.SEV_HASH_TABLE_GUID, areaBytes(area));
    }

    /**
     * Adds the SEV launch-secret area entry.
     *
     * @param area where LAUNCH_SECRET injects the secret
     * @return this builder
     */
    public FirmwareBuilder launchSecretArea(FirmwareArea area) {
        return footerEntry(OvmfImage.SEV_SECRET_GUID, areaBytes(area));
    }

    /**
     * Writes SEV metadata ("ASEV", version 1) at a file offset and adds the footer entry pointing to it.
     *
     * @param fileOffset where the "ASEV" header goes
     * @param sections the sections
     * @return this builder
     */
    public FirmwareBuilder sevMetadata(int fileOffset, List<SevMetadataSection> sections) {
        int length = OvmfImage.METADATA_HEADER + sections.size() * OvmfImage.SEV_SECTION_SIZE;
        byte[] b = new byte[length];
        System.arraycopy(header("ASEV", length, sections.size()), 0, b, 0, OvmfImage.METADATA_HEADER);
        int at = OvmfImage.METADATA_HEADER;
        for (SevMetadataSection s : sections) {
            LittleEndian.put32(b, at, s.gpa());
            LittleEndian.put32(b, at + 4, s.size());
            LittleEndian.put32(b, at + 8, s.type().code());
            at += OvmfImage.SEV_SECTION_SIZE;
        }
        put(fileOffset, b);
        byte[] d = new byte[4];
        LittleEndian.put32(d, 0, size - fileOffset);
        return footerEntry(OvmfImage.SEV_METADATA_GUID, d);
    }

    /**
     * Writes TDX metadata at a file offset: the TDX metadata GUID, then the "TDVF" descriptor (version 1) right
     * after it, and adds the footer entry pointing to the descriptor.
     *
     * @param guidFileOffset where the 16-byte GUID goes; the descriptor starts 16 bytes later
     * @param sections the sections
     * @return this builder
     */
    public FirmwareBuilder tdxMetadata(int guidFileOffset, List<TdxMetadataSection> sections) {
        int length = OvmfImage.METADATA_HEADER + sections.size() * OvmfImage.TDX_SECTION_SIZE;
        byte[] b = new byte[16 + length];
        EfiGuid.write(OvmfImage.TDX_METADATA_GUID, b, 0);
        System.arraycopy(header("TDVF", length, sections.size()), 0, b, 16, OvmfImage.METADATA_HEADER);
        int at = 16 + OvmfImage.METADATA_HEADER;
        for (TdxMetadataSection s : sections) {
            LittleEndian.put32(b, at, s.dataOffset());
            LittleEndian.put32(b, at + 4, s.rawDataSize());
            LittleEndian.put64(b, at + 8, s.memoryAddress());
            LittleEndian.put64(b, at + 16, s.memoryDataSize());
            LittleEndian.put32(b, at + 24, s.type().code());
            LittleEndian.put32(b, at + 28, s.attributes());
            at += OvmfImage.TDX_SECTION_SIZE;
        }
        put(guidFileOffset, b);
        byte[] d = new byte[4];
        LittleEndian.put32(d, 0, size - guidFileOffset - 16);
        return footerEntry(OvmfImage.TDX_METADATA_OFFSET_GUID, d);
    }

    /**
     * Places code at the reset vector: the last 16 bytes of the image, where the CPU starts at 0xFFFFFFF0.
     *
     * @param code at most 16 bytes
     * @return this builder
     */
    public FirmwareBuilder resetVector(byte[] code) {
        if (code.length > 16) {
            throw new IllegalArgumentException("reset vector code is " + code.length + " bytes, expected at most 16");
        }
        return put(size - 16, code);
    }

    /**
     * Leaves the footer table out (plain firmware); footer entries added are then ignored.
     *
     * @return this builder
     */
    public FirmwareBuilder withoutFooterTable() {
        footerTable = false;
        return this;
    }

    /**
     * Writes the footer table and returns the image.
     *
     * @return a new array holding the image
     * @throws IllegalStateException if two regions overlap or the footer table does not fit
     */
    public byte[] build() {
        byte[] out = image.clone();
        List<Region> all = new ArrayList<>(regions);
        if (footerTable) {
            int length = OvmfImage.ENTRY_HEADER;
            for (Map.Entry<UUID, byte[]> e : entries) {
                length += e.getValue().length + OvmfImage.ENTRY_HEADER;
            }
            int end = size - OvmfImage.FOOTER_TABLE_END_GAP;
            int start = end - length;
            if (length > 0xFFFF || start < 0) {
                throw new IllegalStateException("footer table of " + length + " bytes does not fit");
            }
            all.add(new Region("footer table", start, end));
            int at = start;
            for (Map.Entry<UUID, byte[]> e : entries) {
                byte[] d = e.getValue();
                System.arraycopy(d, 0, out, at, d.length);
                LittleEndian.put16(out, at + d.length, d.length + OvmfImage.ENTRY_HEADER);
                EfiGuid.write(e.getKey(), out, at + d.length + 2);
                at += d.length + OvmfImage.ENTRY_HEADER;
            }
            LittleEndian.put16(out, at, length);
            EfiGuid.write(OvmfImage.FOOTER_TABLE_GUID, out, at + 2);
        }
        all.sort((a, b) -> Integer.compare(a.start(), b.start()));
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i).start() < all.get(i - 1).end()) {
                throw new IllegalStateException(String.format("%s at 0x%X..0x%X overlaps %s at 0x%X..0x%X",
                        all.get(i).what(), all.get(i).start(), all.get(i).end(), all.get(i - 1).what(),
                        all.get(i - 1).start(), all.get(i - 1).end()));
            }
        }
        return out;
    }

    private void claim(String what, int offset, int length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException(String.format("%s (%d bytes) lies outside the %d-byte image",
                    what, length, size));
        }
        regions.add(new Region(what, offset, offset + length));
    }

    private static byte[] header(String signature, int length, int count) {
        byte[] b = new byte[OvmfImage.METADATA_HEADER];
        System.arraycopy(signature.getBytes(StandardCharsets.US_ASCII), 0, b, 0, 4);
        LittleEndian.put32(b, 4, length);
        LittleEndian.put32(b, 8, 1);
        LittleEndian.put32(b, 12, count);
        return b;
    }

    private static byte[] areaBytes(FirmwareArea area) {
        byte[] d = new byte[8];
        LittleEndian.put32(d, 0, area.gpa());
        LittleEndian.put32(d, 4, area.size());
        return d;
    }
}
