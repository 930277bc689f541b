package io.teebox.boot.uefi;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A parsed PE32+ image (Microsoft PE Format): the MS-DOS header's {@code e_lfanew}, the PE signature, the COFF file
 * header, the PE32+ optional header with its data directories, the section table and the attribute certificate
 * table. Parsing checks every offset and size against the file, so an image that parses can be hashed and loaded
 * without reading out of bounds. Immutable.
 */
public final class PeImage {

    /** e_magic, "MZ". */
    public static final int IMAGE_DOS_SIGNATURE = 0x5A4D;
    /** The size of the MS-DOS header (IMAGE_DOS_HEADER). */
    public static final int DOS_HEADER_SIZE = 64;
    /** Where e_lfanew sits in the MS-DOS header. */
    public static final int E_LFANEW = 0x3C;
    /** The PE signature "PE\0\0" as a little-endian u32. */
    public static final long IMAGE_NT_SIGNATURE = 0x0000_4550L;
    /** The size of the COFF file header. */
    public static final int COFF_HEADER_SIZE = 20;
    /** Optional header magic of a PE32+ image. */
    public static final int PE32_PLUS_MAGIC = 0x20B;
    /** Optional header magic of a PE32 image (not supported). */
    public static final int PE32_MAGIC = 0x10B;
    /** IMAGE_FILE_MACHINE_AMD64. */
    public static final int IMAGE_FILE_MACHINE_AMD64 = 0x8664;
    /** IMAGE_FILE_MACHINE_ARM64. */
    public static final int IMAGE_FILE_MACHINE_ARM64 = 0xAA64;
    /** IMAGE_SUBSYSTEM_EFI_APPLICATION. */
    public static final int IMAGE_SUBSYSTEM_EFI_APPLICATION = 10;
    /** The data directory index of the Certificate Table (IMAGE_DIRECTORY_ENTRY_SECURITY). */
    public static final int CERTIFICATE_TABLE = 4;
    /** How many data directories a PE32+ optional header has at most. */
    public static final int MAX_DATA_DIRECTORIES = 16;

    // COFF file header fields, from its start
    static final int COFF_MACHINE = 0;
    static final int COFF_NUMBER_OF_SECTIONS = 2;
    static final int COFF_TIME_DATE_STAMP = 4;
    static final int COFF_POINTER_TO_SYMBOL_TABLE = 8;
    static final int COFF_NUMBER_OF_SYMBOLS = 12;
    static final int COFF_SIZE_OF_OPTIONAL_HEADER = 16;
    static final int COFF_CHARACTERISTICS = 18;
    // PE32+ optional header fields, from its start
    static final int OPT_MAGIC = 0;
    static final int OPT_SIZE_OF_CODE = 4;
    static final int OPT_SIZE_OF_INITIALIZED_DATA = 8;
    static final int OPT_ADDRESS_OF_ENTRY_POINT = 16;
    static final int OPT_BASE_OF_CODE = 20;
    static final int OPT_IMAGE_BASE = 24;
    static final int OPT_SECTION_ALIGNMENT = 32;
    static final int OPT_FILE_ALIGNMENT = 36;
    static final int OPT_MAJOR_SUBSYSTEM_VERSION = 48;
    static final int OPT_SIZE_OF_IMAGE = 56;
    static final int OPT_SIZE_OF_HEADERS = 60;
    static final int OPT_CHECKSUM = 64;
    static final int OPT_SUBSYSTEM = 68;
    static final int OPT_SIZE_OF_STACK_RESERVE = 72;
    static final int OPT_SIZE_OF_STACK_COMMIT = 80;
    static final int OPT_SIZE_OF_HEAP_RESERVE = 88;
    static final int OPT_SIZE_OF_HEAP_COMMIT = 96;
    static final int OPT_NUMBER_OF_RVA_AND_SIZES = 108;
    static final int OPT_DATA_DIRECTORY = 112;
    /** The PE32+ optional header with all 16 data directories. */
    static final int OPT_SIZE = OPT_DATA_DIRECTORY + 8 * MAX_DATA_DIRECTORIES;

    private static final String STRUCT = "PE image";

    private final byte[] bytes;
    private final int coffOffset;
    private final int optionalHeaderOffset;
    private final int numberOfRvaAndSizes;
    private final List<PeSection> sections;
    private final long certificateTableOffset;
    private final long certificateTableSize;
    private final List<WinCertificate> certificates;

    private PeImage(byte[] bytes, int coffOffset, int optionalHeaderOffset, int numberOfRvaAndSizes,
            List<PeSection> sections, long certificateTableOffset, long certificateTableSize,
            List<WinCertificate> certificates) {
        this.bytes = bytes;
        this.coffOffset = coffOffset;
        this.optionalHeaderOffset = optionalHeaderOffset;
        this.numberOfRvaAndSizes = numberOfRvaAndSizes;
        this.sections = sections;
        this.certificateTableOffset = certificateTableOffset;
        this.certificateTableSize = certificateTableSize;
        this.certificates = certificates;
    }

    /**
     * Parses and checks an image.
     *
     * @param image the file's bytes; copied
     * @return the parsed image
     * @throws MalformedStructureException if the image is truncated, a signature or magic is wrong, the optional
     *         header is not PE32+, FileAlignment is not a power of two, the section table or a section's data or the
     *         certificate table lies outside the file, or a certificate table entry is malformed
     */
    public static PeImage parse(byte[] image) {
        Objects.requireNonNull(image, "image");
        byte[] b = image.clone();
        if (b.length < DOS_HEADER_SIZE) {
            throw fail(null, "PE image is %d bytes, shorter than the %d-byte MS-DOS header", b.length,
                    DOS_HEADER_SIZE);
        }
        int magic = LittleEndian.u16(b, 0);
        if (magic != IMAGE_DOS_SIGNATURE) {
            throw fail("e_magic", "MS-DOS header e_magic is 0x%04X, expected 0x%04X (\"MZ\")", magic,
                    IMAGE_DOS_SIGNATURE);
        }
        long lfanew = LittleEndian.u32(b, E_LFANEW);
        if (lfanew < DOS_HEADER_SIZE || lfanew + 4 + COFF_HEADER_SIZE > b.length) {
            throw fail("e_lfanew", "e_lfanew is 0x%X, expected 0x%X..0x%X to leave room for the PE signature and"
                    + " COFF header in a %d-byte file", lfanew, DOS_HEADER_SIZE,
                    Math.max(DOS_HEADER_SIZE, b.length - 4 - COFF_HEADER_SIZE), b.length);
        }
        long signature = LittleEndian.u32(b, (int) lfanew);
        if (signature != IMAGE_NT_SIGNATURE) {
            throw fail("Signature", "PE signature at 0x%X is 0x%08X, expected 0x%08X (\"PE\\0\\0\")", lfanew,
                    signature, IMAGE_NT_SIGNATURE);
        }
        int coff = (int) lfanew + 4;
        int sizeOfOptionalHeader = LittleEndian.u16(b, coff + COFF_SIZE_OF_OPTIONAL_HEADER);
        int opt = coff + COFF_HEADER_SIZE;
        if (sizeOfOptionalHeader < OPT_DATA_DIRECTORY) {
            throw fail("SizeOfOptionalHeader", "SizeOfOptionalHeader is %d, expected at least %d for PE32+",
                    sizeOfOptionalHeader, OPT_DATA_DIRECTORY);
        }
        if (opt + sizeOfOptionalHeader > b.length) {
            throw fail("SizeOfOptionalHeader", "optional header of %d bytes at 0x%X runs past the end of the"
                    + " %d-byte file", sizeOfOptionalHeader, opt, b.length);
        }
        int optMagic = LittleEndian.u16(b, opt + OPT_MAGIC);
        if (optMagic != PE32_PLUS_MAGIC) {
            throw fail("Magic", "optional header Magic is 0x%03X%s, expected 0x%03X (PE32+)", optMagic,
                    optMagic == PE32_MAGIC ? " (PE32)" : "", PE32_PLUS_MAGIC);
        }
        long rvas = LittleEndian.u32(b, opt + OPT_NUMBER_OF_RVA_AND_SIZES);
        if (rvas > MAX_DATA_DIRECTORIES || OPT_DATA_DIRECTORY + 8 * rvas > sizeOfOptionalHeader) {
            throw fail("NumberOfRvaAndSizes", "NumberOfRvaAndSizes is %d, expected at most %d and %d directories"
                    + " to fit in SizeOfOptionalHeader %d", rvas, MAX_DATA_DIRECTORIES,
                    (sizeOfOptionalHeader - OPT_DATA_DIRECTORY) / 8, sizeOfOptionalHeader);
        }
        long fileAlignment = LittleEndian.u32(b, opt + OPT_FILE_ALIGNMENT);
        if (fileAlignment == 0 || Long.bitCount(fileAlignment) != 1) {
            throw fail("FileAlignment", "FileAlignment is 0x%X, expected a power of two", fileAlignment);
        }
        long sizeOfHeaders = LittleEndian.u32(b, opt + OPT_SIZE_OF_HEADERS);
        int numberOfSections = LittleEndian.u16(b, coff + COFF_NUMBER_OF_SECTIONS);
        long sectionTable = (long) opt + sizeOfOptionalHeader;
        long sectionTableEnd = sectionTable + (long) numberOfSections * PeSection.SIZE;
        if (sizeOfHeaders > b.length || sizeOfHeaders < sectionTableEnd) {
            throw fail("SizeOfHeaders", "SizeOfHeaders is 0x%X, expected at least 0x%X (the end of %d section"
                    + " headers) and at most the file size 0x%X", sizeOfHeaders, sectionTableEnd, numberOfSections,
                    b.length);
        }

        long certOffset = 0;
        long certSize = 0;
        if (rvas > CERTIFICATE_TABLE) {
            int dir = opt + OPT_DATA_DIRECTORY + 8 * CERTIFICATE_TABLE;
            certOffset = LittleEndian.u32(b, dir);
            certSize = LittleEndian.u32(b, dir + 4);
        }
        long dataEnd = b.length;
        List<WinCertificate> certs = new ArrayList<>();
        if (certSize != 0) {
            if (certOffset < sizeOfHeaders || certOffset + certSize > b.length || (certOffset & 7) != 0) {
                throw fail("Certificate Table", "Certificate Table is 0x%X bytes at file offset 0x%X, expected an"
                        + " 8-byte aligned offset after the headers (0x%X) inside the %d-byte file", certSize,
                        certOffset, sizeOfHeaders, b.length);
            }
            int off = (int) certOffset;
            int end = (int) (certOffset + certSize);
            while (off < end) {
                WinCertificate c = WinCertificate.parse(b, off, end);
                certs.add(c);
                off += c.paddedLength();
            }
            dataEnd = certOffset;
        }

        List<PeSection> list = new ArrayList<>();
        for (int i = 0; i < numberOfSections; i++) {
            int s = (int) sectionTable + i * PeSection.SIZE;
            int n = 0;
            while (n < 8 && b[s + n] != 0) {
                n++;
            }
            String name = new String(b, s, n, StandardCharsets.US_ASCII);
            long rawSize = LittleEndian.u32(b, s + 16);
            long rawPtr = LittleEndian.u32(b, s + 20);
            if (rawSize != 0 && (rawPtr < sizeOfHeaders || rawPtr + rawSize > dataEnd)) {
                throw fail("PointerToRawData", "section %d (%s) has 0x%X bytes at file offset 0x%X, expected them"
                        + " between the headers' end 0x%X and 0x%X", i, name, rawSize, rawPtr, sizeOfHeaders,
                        dataEnd);
            }
            try {
                list.add(new PeSection(name, LittleEndian.u32(b, s + 8), LittleEndian.u32(b, s + 12), rawSize,
                        rawPtr, LittleEndian.u32(b, s + 36)));
            } catch (IllegalArgumentException e) {
                throw fail("Name", "section %d: %s", i, e.getMessage());
            }
        }
        return new PeImage(b, coff, opt, (int) rvas, Collections.unmodifiableList(list), certOffset, certSize,
                Collections.unmodifiableList(certs));
    }

    private static MalformedStructureException fail(String field, String format, Object... args) {
        return new MalformedStructureException(STRUCT, field, String.format(format, args));
    }

    /**
     * The whole file.
     *
     * @return a copy of the image's bytes
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The file's size.
     *
     * @return the size in bytes
     */
    public int size() {
        return bytes.length;
    }

    byte[] raw() {
        return bytes;
    }

    /**
     * The COFF Machine field.
     *
     * @return e.g. {@link #IMAGE_FILE_MACHINE_AMD64}
     */
    public int machine() {
        return LittleEndian.u16(bytes, coffOffset + COFF_MACHINE);
    }

    /**
     * The optional header's Subsystem.
     *
     * @return e.g. {@link #IMAGE_SUBSYSTEM_EFI_APPLICATION}
     */
    public int subsystem() {
        return LittleEndian.u16(bytes, optionalHeaderOffset + OPT_SUBSYSTEM);
    }

    /**
     * AddressOfEntryPoint.
     *
     * @return the entry point's address relative to the image base
     */
    public long addressOfEntryPoint() {
        return LittleEndian.u32(bytes, optionalHeaderOffset + OPT_ADDRESS_OF_ENTRY_POINT);
    }

    /**
     * FileAlignment.
     *
     * @return the alignment of section data in the file
     */
    public long fileAlignment() {
        return LittleEndian.u32(bytes, optionalHeaderOffset + OPT_FILE_ALIGNMENT);
    }

    /**
     * SizeOfHeaders: the MS-DOS header, PE headers and section table rounded up to FileAlignment.
     *
     * @return the size in bytes
     */
    public long sizeOfHeaders() {
        return LittleEndian.u32(bytes, optionalHeaderOffset + OPT_SIZE_OF_HEADERS);
    }

    /**
     * The optional header's CheckSum.
     *
     * @return the checksum as stored (EFI loaders do not check it)
     */
    public long checkSum() {
        return LittleEndian.u32(bytes, optionalHeaderOffset + OPT_CHECKSUM);
    }

    /**
     * The PE checksum of a file, as image loaders that check it and signing tools compute it: the 16-bit words of
     * the file (the CheckSum field left out, an odd last byte alone) added with the carry folded back after each
     * word, plus the file's length.
     *
     * @param file the whole file, certificate table included
     * @param checkSumOffset where the CheckSum field is
     * @return the checksum
     */
    public static long computeCheckSum(byte[] file, int checkSumOffset) {
        long sum = 0;
        for (int i = 0; i < file.length; i += 2) {
            if (i == checkSumOffset || i == checkSumOffset + 2) {
                continue;
            }
            int word = (file[i] & 0xFF) | (i + 1 < file.length ? (file[i + 1] & 0xFF) << 8 : 0);
            sum += word;
            sum = (sum >>> 16) + (sum & 0xFFFF);
        }
        return (sum + file.length) & 0xFFFF_FFFFL;
    }

    /**
     * Sets the CheckSum field of a file to its {@link #computeCheckSum PE checksum}.
     *
     * @param file a PE file whose CheckSum field is at {@code checkSumOffset}; changed in place
     * @param checkSumOffset where the CheckSum field is
     */
    static void updateCheckSum(byte[] file, int checkSumOffset) {
        LittleEndian.put32(file, checkSumOffset, computeCheckSum(file, checkSumOffset));
    }

    /**
     * Where the CheckSum field is in the file.
     *
     * @return its file offset
     */
    public int checkSumOffset() {
        return optionalHeaderOffset + OPT_CHECKSUM;
    }

    /**
     * Where the Certificate Table data directory entry is in the file.
     *
     * @return its file offset, or -1 if NumberOfRvaAndSizes leaves it out
     */
    public int certificateTableEntryOffset() {
        return numberOfRvaAndSizes > CERTIFICATE_TABLE ? optionalHeaderOffset + OPT_DATA_DIRECTORY
                + 8 * CERTIFICATE_TABLE : -1;
    }

    /**
     * NumberOfRvaAndSizes.
     *
     * @return how many data directories the optional header has
     */
    public int numberOfRvaAndSizes() {
        return numberOfRvaAndSizes;
    }

    /**
     * The section table in file order.
     *
     * @return the sections
     */
    public List<PeSection> sections() {
        return sections;
    }

    /**
     * A section's full name: its Name field, or for a name GNU ld wrote as "/offset" the NUL-terminated string at
     * that offset in the COFF string table (after PointerToSymbolTable's NumberOfSymbols 18-byte symbols).
     *
     * @param section one of {@link #sections()}
     * @return the name, e.g. ".vendor_cert"
     * @throws MalformedStructureException if a "/offset" name points outside the file or has no string table
     */
    public String longName(PeSection section) {
        String n = section.name();
        if (!n.matches("/[0-9]{1,7}")) {
            return n;
        }
        long symbols = LittleEndian.u32(bytes, coffOffset + COFF_POINTER_TO_SYMBOL_TABLE);
        long table = symbols + 18 * LittleEndian.u32(bytes, coffOffset + COFF_NUMBER_OF_SYMBOLS);
        long at = table + Long.parseLong(n.substring(1));
        if (symbols == 0 || table + 4 > bytes.length || at >= bytes.length) {
            throw fail("Name", "section name %s points into a string table at 0x%X that is not in the %d-byte file",
                    n, table, bytes.length);
        }
        int end = (int) at;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, (int) at, end - (int) at, StandardCharsets.US_ASCII);
    }

    /**
     * A section's file data (SizeOfRawData bytes at PointerToRawData).
     *
     * @param section one of {@link #sections()}
     * @return a copy of its data
     */
    public byte[] sectionData(PeSection section) {
        return java.util.Arrays.copyOfRange(bytes, (int) section.pointerToRawData(),
                (int) (section.pointerToRawData() + section.sizeOfRawData()));
    }

    /**
     * The Certificate Table directory's file offset.
     *
     * @return its offset, 0 if the image has no certificate table
     */
    public long certificateTableOffset() {
        return certificateTableOffset;
    }

    /**
     * The Certificate Table directory's size.
     *
     * @return its size in bytes, 0 if the image is not signed
     */
    public long certificateTableSize() {
        return certificateTableSize;
    }

    /**
     * The attribute certificate table's entries in file order.
     *
     * @return the entries, empty for an unsigned image
     */
    public List<WinCertificate> certificates() {
        return certificates;
    }

    /**
     * The image without its certificate table: the file up to the table, the directory entry zeroed, the PE
     * checksum recomputed.
     *
     * @return the unsigned image's bytes
     */
    public byte[] withoutCertificates() {
        int end = certificateTableSize == 0 ? bytes.length : (int) certificateTableOffset;
        byte[] out = java.util.Arrays.copyOf(bytes, end);
        int entry = certificateTableEntryOffset();
        if (entry >= 0) {
            LittleEndian.put32(out, entry, 0);
            LittleEndian.put32(out, entry + 4, 0);
        }
        updateCheckSum(out, checkSumOffset());
        return out;
    }

    @Override
    public String toString() {
        return String.format("PE32+ image of %d bytes, machine 0x%04X, subsystem %d, %d sections, %d certificates",
                bytes.length, machine(), subsystem(), sections.size(), certificates.size());
    }
}
