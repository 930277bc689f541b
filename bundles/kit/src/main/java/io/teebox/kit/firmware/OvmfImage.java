package io.teebox.kit.firmware;

import io.teebox.kit.codec.LittleEndian;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * A parsed OVMF/TDVF firmware image, loaded so that it ends at 4 GiB. Parsing reads the OVMF footer GUID table
 * and what its entries point to: the SEV-ES AP reset block, the SEV kernel-hashes and launch-secret areas, the SEV
 * metadata ("ASEV") and the TDX metadata ("TDVF"). Immutable and thread-safe.
 *
 * <h2>Footer table</h2>
 * The table ends 32 bytes before the end of the image. Read backwards from there: the table GUID
 * {@link #FOOTER_TABLE_GUID} (16 bytes, EFI byte order), before it the u16 total table length (which counts the
 * 18-byte header), before that the entries. Each entry likewise ends in its GUID, preceded by its u16 length
 * (counting 18 bytes of GUID and length), preceded by its data.
 *
 * <h2>Images without a table</h2>
 * An image whose 16 bytes at {@code size - 48} are not the table GUID is accepted as plain firmware without
 * SEV-ES/SNP/TDX features, unless the table GUID appears elsewhere in its last 48 bytes (a shifted table) or the
 * 16 bytes differ from the table GUID in at most four bytes (a damaged table): both are rejected, because a
 * damaged table silently read as "no table" would launch a guest without the features its owner expects.
 */
public final class OvmfImage {

    /** The OVMF footer table GUID. */
    public static final UUID FOOTER_TABLE_GUID = UUID.fromString("96b582de-1fb2-45f7-baea-a366c55a082d");
    /** Footer entry: SEV-ES AP reset block (u32 reset EIP). */
    public static final UUID SEV_ES_RESET_BLOCK_GUID = UUID.fromString("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
    /** Footer entry: SEV kernel-hashes table area (u32 gpa, u32 size). */
    public static final UUID SEV_HASH_TABLE_GUID = UUID.fromString("7255371f-3a3b-4b04-927b-1da6efa8d454");
    /** Footer entry: SEV launch-secret area (u32 gpa, u32 size). */
    public static final UUID SEV_SECRET_GUID = UUID.fromString("4c2eb361-7d9b-4cc3-8081-127c90d3d294");
    /** Footer entry: SEV metadata offset (u32 offset from the end of the image to the "ASEV" header). */
    public static final UUID SEV_METADATA_GUID = UUID.fromString("dc886566-984a-4798-a75e-5585a7bf67cc");
    /** Footer entry: TDX metadata offset (u32 offset from the end of the image to the "TDVF" descriptor). */
    public static final UUID TDX_METADATA_OFFSET_GUID = UUID.fromString("e47a6535-984a-4798-865e-4685a7bf8ec2");
    /** The GUID stored in the 16 bytes before the "TDVF" descriptor. */
    public static final UUID TDX_METADATA_GUID = UUID.fromString("e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae");

    /** The end of the image in guest physical memory. */
    public static final long FOUR_GIB = 0x1_0000_0000L;
    /** Bytes between the end of the footer table and the end of the image (AP entry and reset vector). */
    public static final int FOOTER_TABLE_END_GAP = 32;
    /** Size of a table or entry header: u16 length + GUID. */
    public static final int ENTRY_HEADER = 18;
    /** Size of the "ASEV" and "TDVF" headers: signature, length, version, count. */
    public static final int METADATA_HEADER = 16;
    /** Size of one SEV metadata section descriptor. */
    public static final int SEV_SECTION_SIZE = 12;
    /** Size of one TDX metadata section descriptor. */
    public static final int TDX_SECTION_SIZE = 32;

    private static final int PAGE = 4096;

    private final byte[] image;
    private final boolean hasFooterTable;
    private final Map<UUID, byte[]> entries;
    private final OptionalLong resetEip;
    private final Optional<FirmwareArea> kernelHashes;
    private final Optional<FirmwareArea> launchSecret;
    private final List<SevMetadataSection> sev;
    private final OptionalLong tdxOffset;
    private volatile List<TdxMetadataSection> tdx;

    private OvmfImage(byte[] image) {
        this.image = image;
        checkSize(image.length);
        Map<UUID, byte[]> table = parseFooterTable(image);
        this.hasFooterTable = table != null;
        this.entries = table == null ? Map.of() : Collections.unmodifiableMap(table);
        this.resetEip = entry(SEV_ES_RESET_BLOCK_GUID, 4, "SEV-ES AP reset block")
                .map(d -> OptionalLong.of(LittleEndian.u32(d, 0))).orElse(OptionalLong.empty());
        this.kernelHashes = area(SEV_HASH_TABLE_GUID, "SEV kernel-hashes area");
        this.launchSecret = area(SEV_SECRET_GUID, "SEV launch-secret area");
        this.sev = entry(SEV_METADATA_GUID, 4, "SEV metadata offset")
                .map(d -> parseSev(LittleEndian.u32(d, 0))).orElse(List.of());
        // TDX metadata is validated only when a TD is built from the image (tdxMetadata()): a split OVMF_CODE
        // image carries TDVF metadata describing the unified 2 MiB layout, and SEV guests never read it.
        this.tdxOffset = entry(TDX_METADATA_OFFSET_GUID, 4, "TDX metadata offset")
                .map(d -> OptionalLong.of(LittleEndian.u32(d, 0))).orElse(OptionalLong.empty());
    }

    /**
     * Parses a firmware image.
     *
     * @param image the image file's bytes; copied
     * @return the parsed image
     * @throws MalformedFirmwareException if the size is not a positive multiple of 4 KiB, or the footer table, an
     *         entry or the metadata it points to is malformed; the message names the field, what was found and
     *         what was expected
     */
    public static OvmfImage parse(byte[] image) {
        Objects.requireNonNull(image, "image");
        return new OvmfImage(image.clone());
    }

    /**
     * The image bytes.
     *
     * @return a copy of the image
     */
    public byte[] bytes() {
        return image.clone();
    }

    /**
     * The image size.
     *
     * @return the size in bytes, a multiple of 4096
     */
    public int size() {
        return image.length;
    }

    /**
     * Where the image is loaded: it ends at 4 GiB.
     *
     * @return {@code 0x1_0000_0000 - size()}
     */
    public long loadAddress() {
        return FOUR_GIB - image.length;
    }

    /**
     * Whether the image carries an OVMF footer table.
     *
     * @return false for plain firmware
     */
    public boolean hasFooterTable() {
        return hasFooterTable;
    }

    /**
     * All footer table entries, known or not.
     *
     * @return a new map from entry GUID to a copy of its data (without length and GUID), in table order
     */
    public Map<UUID, byte[]> footerEntries() {
        Map<UUID, byte[]> copy = new LinkedHashMap<>();
        entries.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    /**
     * The reset EIP for application processors under SEV-ES/SNP.
     *
     * @return the EIP from the SEV-ES AP reset block, or empty if the image has none
     */
    public OptionalLong sevEsResetEip() {
        return resetEip;
    }

    /**
     * Where QEMU places the SEV kernel-hashes table.
     *
     * @return the area, or empty if the image has none
     */
    public Optional<FirmwareArea> kernelHashesArea() {
        return kernelHashes;
    }

    /**
     * Where a launch secret is injected (SEV/SEV-ES LAUNCH_SECRET).
     *
     * @return the area, or empty if the image has none
     */
    public Optional<FirmwareArea> launchSecretArea() {
        return launchSecret;
    }

    /**
     * Where a directly booted kernel's hashes table goes, checked as QEMU checks it before a launch with
     * {@code -kernel}: the footer entry must exist and describe a non-zero address with room for the table. A
     * split {@code OVMF_CODE.fd} of the generic OVMF build has the entry with address and size 0: it cannot
     * measure a kernel, and a table written there would land (unmeasured by the firmware) at guest address 0.
     *
     * @return the area
     * @throws IllegalArgumentException if the image cannot measure a kernel, saying why
     */
    public FirmwareArea requireKernelHashesArea() {
        FirmwareArea a = kernelHashes.orElseThrow(() -> new IllegalArgumentException(
                "the firmware cannot measure a directly booted kernel: it has no SEV kernel-hashes area (footer GUID "
                        + SEV_HASH_TABLE_GUID + "); launch without --kernel or use a firmware built with the "
                        + "hashes table (OVMF's AmdSev build)"));
        if (a.gpa() == 0 || a.size() < KernelHashes.TABLE_SIZE) {
            throw new IllegalArgumentException(String.format("the firmware cannot measure a directly booted kernel: "
                    + "its SEV kernel-hashes area (footer GUID %s) is at 0x%X with 0x%X bytes, expected a non-zero "
                    + "address and at least 0x%X bytes; launch without --kernel or use a firmware built with the "
                    + "hashes table (OVMF's AmdSev build)", SEV_HASH_TABLE_GUID, a.gpa(), a.size(),
                    KernelHashes.TABLE_SIZE));
        }
        return a;
    }

    /**
     * The SEV-SNP metadata section the firmware measures a kernel-hashes page through ({@code SNP_KERNEL_HASHES}),
     * together with the footer's hashes area: without the section an SNP launch would leave the kernel, initrd and
     * command line unmeasured.
     *
     * @return the section
     * @throws IllegalArgumentException if the image cannot measure a kernel under SEV-SNP, saying why
     */
    public SevMetadataSection requireSnpKernelHashesSection() {
        SevMetadataSection section = sev.stream().filter(s -> s.type() == SevSectionType.SNP_KERNEL_HASHES)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("the firmware cannot measure a "
                        + "directly booted kernel under SEV-SNP: its SEV metadata has no SNP_KERNEL_HASHES section, "
                        + "so the kernel, initrd and command line would run unmeasured; launch without --kernel or "
                        + "use a firmware built with the hashes table (OVMF's AmdSev build)"));
        FirmwareArea area = requireKernelHashesArea();
        if (area.gpa() < section.gpa() || area.end() > section.gpa() + section.size()) {
            throw new IllegalArgumentException(String.format("the firmware's kernel-hashes area 0x%X+0x%X lies "
                    + "outside its SNP_KERNEL_HASHES section 0x%X+0x%X", area.gpa(), area.size(), section.gpa(),
                    section.size()));
        }
        return section;
    }

    /**
     * Where a launch secret goes by default, when the image reserves a usable area for it (non-zero address and
     * size; the generic OVMF build's footer entry is 0/0).
     *
     * @param length the secret's length in bytes
     * @return the area
     * @throws IllegalArgumentException if the image has no usable area for a secret of that length
     */
    public FirmwareArea requireLaunchSecretArea(int length) {
        FirmwareArea a = launchSecret.orElseThrow(() -> new IllegalArgumentException("the firmware has no "
                + "launch-secret area (footer GUID " + SEV_SECRET_GUID + "); give a secret address"));
        if (a.gpa() == 0 || a.size() < length) {
            throw new IllegalArgumentException(String.format("the firmware's launch-secret area (footer GUID %s) is "
                    + "at 0x%X with 0x%X bytes, too small for a %d-byte secret; give a secret address",
                    SEV_SECRET_GUID, a.gpa(), a.size(), length));
        }
        return a;
    }

    /**
     * The SEV metadata sections (SNP pre-launch memory).
     *
     * @return the sections in table order; empty if the image has no SEV metadata
     */
    public List<SevMetadataSection> sevMetadata() {
        return sev;
    }

    /**
     * Whether the footer table points to TDX metadata; says nothing about whether that metadata is valid.
     *
     * @return true if the image has a TDX metadata offset entry
     */
    public boolean hasTdxMetadata() {
        return tdxOffset.isPresent();
    }

    /**
     * The TDX metadata sections, parsed and checked against this image on first use (only a TD needs them).
     *
     * @return the sections in table order; empty if the image has no TDX metadata
     * @throws MalformedFirmwareException if the metadata is malformed or describes data outside this image
     */
    public List<TdxMetadataSection> tdxMetadata() {
        List<TdxMetadataSection> sections = tdx;
        if (sections == null) {
            sections = tdxOffset.isPresent() ? parseTdx(tdxOffset.getAsLong()) : List.of();
            tdx = sections;
        }
        return sections;
    }

    @Override
    public String toString() {
        return String.format("OvmfImage[%d KiB at 0x%X, %d footer entries, %d SEV sections, %s]",
                image.length / 1024, loadAddress(), entries.size(), sev.size(),
                hasTdxMetadata() ? "TDX metadata" : "no TDX metadata");
    }

    private static void checkSize(int size) {
        if (size < PAGE || size % PAGE != 0) {
            throw new MalformedFirmwareException("image size", String.format(
                    "firmware image is %d bytes, expected a positive multiple of 4096", size));
        }
    }

    private static Map<UUID, byte[]> parseFooterTable(byte[] img) {
        int size = img.length;
        int guidAt = size - FOOTER_TABLE_END_GAP - 16;
        byte[] expected = EfiGuid.bytes(FOOTER_TABLE_GUID);
        if (!Arrays.equals(img, guidAt, guidAt + 16, expected, 0, 16)) {
            for (int i = guidAt + 1; i <= size - 16; i++) {
                if (Arrays.equals(img, i, i + 16, expected, 0, 16)) {
                    throw new MalformedFirmwareException("footer table GUID", String.format(
                            "footer table GUID found at offset 0x%X, expected at 0x%X (%d bytes before the end)",
                            i, guidAt, size - guidAt));
                }
            }
            int same = 0;
            for (int i = 0; i < 16; i++) {
                same += img[guidAt + i] == expected[i] ? 1 : 0;
            }
            if (same >= 12) {
                throw new MalformedFirmwareException("footer table GUID", String.format(
                        "footer table GUID at 0x%X is %s, expected %s", guidAt, EfiGuid.read(img, guidAt),
                        FOOTER_TABLE_GUID));
            }
            return null;
        }
        int tableLength = LittleEndian.u16(img, guidAt - 2);
        int tableEnd = guidAt + 16;
        int maxLength = tableEnd;
        if (tableLength < ENTRY_HEADER || tableLength > maxLength) {
            throw new MalformedFirmwareException("footer table length", String.format(
                    "footer table length is %d bytes, expected %d..%d", tableLength, ENTRY_HEADER, maxLength));
        }
        int tableStart = tableEnd - tableLength;
        int cursor = guidAt - 2; // end of the entries
        List<Map.Entry<UUID, byte[]>> backwards = new ArrayList<>();
        while (cursor > tableStart) {
            int left = cursor - tableStart;
            if (left < ENTRY_HEADER) {
                throw new MalformedFirmwareException("footer table entry", String.format(
                        "footer table has %d bytes at 0x%X that are too short for an entry (%d bytes at least)",
                        left, tableStart, ENTRY_HEADER));
            }
            UUID guid = EfiGuid.read(img, cursor - 16);
            int length = LittleEndian.u16(img, cursor - ENTRY_HEADER);
            if (length < ENTRY_HEADER || length > left) {
                throw new MalformedFirmwareException("footer entry " + guid + " length", String.format(
                        "footer entry %s ending at 0x%X has length %d, expected %d..%d (runs out of the table)",
                        guid, cursor, length, ENTRY_HEADER, left));
            }
            byte[] data = Arrays.copyOfRange(img, cursor - length, cursor - ENTRY_HEADER);
            for (Map.Entry<UUID, byte[]> e : backwards) {
                if (e.getKey().equals(guid)) {
                    throw new MalformedFirmwareException("footer entry " + guid, "footer entry " + guid
                            + " appears twice");
                }
            }
            backwards.add(Map.entry(guid, data));
            cursor -= length;
        }
        Map<UUID, byte[]> table = new LinkedHashMap<>();
        for (int i = backwards.size() - 1; i >= 0; i--) {
            table.put(backwards.get(i).getKey(), backwards.get(i).getValue());
        }
        return table;
    }

    private Optional<byte[]> entry(UUID guid, int minBytes, String what) {
        byte[] d = entries.get(guid);
        if (d == null) {
            return Optional.empty();
        }
        if (d.length < minBytes) {
            throw new MalformedFirmwareException(what, String.format(
                    "footer entry %s (%s) has %d data bytes, expected at least %d", what, guid, d.length, minBytes));
        }
        return Optional.of(d);
    }

    private Optional<FirmwareArea> area(UUID guid, String what) {
        return entry(guid, 8, what).map(d -> {
            long gpa = LittleEndian.u32(d, 0);
            long size = LittleEndian.u32(d, 4);
            if (gpa + size > FOUR_GIB) {
                throw new MalformedFirmwareException(what, String.format(
                        "%s at 0x%X size 0x%X runs past 4 GiB", what, gpa, size));
            }
            return new FirmwareArea(gpa, size);
        });
    }

    /** Locates and checks an "ASEV"/"TDVF" header; returns its file offset. */
    private int header(long offsetFromEnd, String what, String signature, int sectionSize) {
        int size = image.length;
        if (offsetFromEnd < METADATA_HEADER || offsetFromEnd > size) {
            throw new MalformedFirmwareException(what + " offset", String.format(
                    "%s offset 0x%X from the end points outside the %d-byte image (expected %d..%d)",
                    what, offsetFromEnd, size, METADATA_HEADER, size));
        }
        int start = (int) (size - offsetFromEnd);
        String found = new String(image, start, 4, StandardCharsets.ISO_8859_1);
        if (!found.equals(signature)) {
            throw new MalformedFirmwareException(what + " signature", String.format(
                    "%s signature at 0x%X is \"%s\" (%02x %02x %02x %02x), expected \"%s\"", what, start,
                    printable(found), image[start] & 0xFF, image[start + 1] & 0xFF, image[start + 2] & 0xFF,
                    image[start + 3] & 0xFF, signature));
        }
        long version = LittleEndian.u32(image, start + 8);
        if (version != 1) {
            throw new MalformedFirmwareException(what + " version", String.format(
                    "%s version is %d, expected 1", what, version));
        }
        long length = LittleEndian.u32(image, start + 4);
        long count = LittleEndian.u32(image, start + 12);
        long needed = METADATA_HEADER + count * sectionSize;
        long left = size - start;
        if (length > left) {
            throw new MalformedFirmwareException(what + " length", String.format(
                    "%s length is %d bytes, only %d left in the image", what, length, left));
        }
        if (needed > length) {
            throw new MalformedFirmwareException(what + " count", String.format(
                    "%s truncated: count %d needs %d bytes, %d left (header length %d)", what, count, needed,
                    Math.min(length, left), length));
        }
        return start;
    }

    private List<SevMetadataSection> parseSev(long offsetFromEnd) {
        String what = "SEV metadata";
        int start = header(offsetFromEnd, what, "ASEV", SEV_SECTION_SIZE);
        int count = (int) LittleEndian.u32(image, start + 12);
        List<SevMetadataSection> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = start + METADATA_HEADER + i * SEV_SECTION_SIZE;
            long gpa = LittleEndian.u32(image, at);
            long size = LittleEndian.u32(image, at + 4);
            long type = LittleEndian.u32(image, at + 8);
            String field = what + " section " + i;
            SevSectionType t;
            try {
                t = SevSectionType.fromCode(type);
            } catch (IllegalArgumentException e) {
                throw new MalformedFirmwareException(field + " type", field + ": " + e.getMessage());
            }
            if (size == 0 || gpa + size > FOUR_GIB) {
                throw new MalformedFirmwareException(field, String.format(
                        "%s (%s) at 0x%X size 0x%X is out of range: expected a non-empty range below 4 GiB",
                        field, t, gpa, size));
            }
            out.add(new SevMetadataSection(gpa, size, t));
        }
        return List.copyOf(out);
    }

    private List<TdxMetadataSection> parseTdx(long offsetFromEnd) {
        String what = "TDX metadata";
        int start = header(offsetFromEnd, what, "TDVF", TDX_SECTION_SIZE);
        if (start < 16) {
            throw new MalformedFirmwareException("TDX metadata GUID", String.format(
                    "TDX metadata descriptor at 0x%X has no room for its GUID before it", start));
        }
        UUID guid = EfiGuid.read(image, start - 16);
        if (!guid.equals(TDX_METADATA_GUID)) {
            throw new MalformedFirmwareException("TDX metadata GUID", String.format(
                    "TDX metadata GUID at 0x%X is %s, expected %s", start - 16, guid, TDX_METADATA_GUID));
        }
        int count = (int) LittleEndian.u32(image, start + 12);
        List<TdxMetadataSection> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = start + METADATA_HEADER + i * TDX_SECTION_SIZE;
            long dataOffset = LittleEndian.u32(image, at);
            long rawSize = LittleEndian.u32(image, at + 4);
            long address = LittleEndian.u64(image, at + 8);
            long memSize = LittleEndian.u64(image, at + 16);
            long type = LittleEndian.u32(image, at + 24);
            long attributes = LittleEndian.u32(image, at + 28);
            String field = what + " section " + i;
            TdxSectionType t;
            try {
                t = TdxSectionType.fromCode(type);
            } catch (IllegalArgumentException e) {
                throw new MalformedFirmwareException(field + " type", field + ": " + e.getMessage());
            }
            if (dataOffset + rawSize > image.length) {
                throw new MalformedFirmwareException(field, String.format(
                        "%s (%s) raw data 0x%X+0x%X is out of range: the image is 0x%X bytes",
                        field, t, dataOffset, rawSize, image.length));
            }
            if (address < 0 || memSize < 0 || (address & (PAGE - 1)) != 0 || (memSize & (PAGE - 1)) != 0
                    || address + memSize < address) {
                throw new MalformedFirmwareException(field, String.format(
                        "%s (%s) memory 0x%X+0x%X is out of range: expected a 4 KiB aligned range", field, t,
                        address, memSize));
            }
            if (rawSize > memSize) {
                throw new MalformedFirmwareException(field, String.format(
                        "%s (%s) has 0x%X bytes of raw data, more than its 0x%X bytes of memory", field, t,
                        rawSize, memSize));
            }
            if ((attributes & TdxMetadataSection.ATTR_PAGE_AUG) == 0 && memSize >= FOUR_GIB) {
                throw new MalformedFirmwareException(field + " MemoryDataSize", String.format(
                        "%s (%s) MemoryDataSize 0x%X is 4 GiB or more: a section added when the TD is built (no "
                                + "PAGE.AUG attribute) must be smaller", field, t, memSize));
            }
            out.add(new TdxMetadataSection(dataOffset, rawSize, address, memSize, t, attributes));
        }
        return List.copyOf(out);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 0x20 && c < 0x7F ? c : '.');
        }
        return sb.toString();
    }
}
