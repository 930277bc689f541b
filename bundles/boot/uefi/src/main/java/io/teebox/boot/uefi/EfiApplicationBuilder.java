package io.teebox.boot.uefi;

import io.teebox.kit.codec.LittleEndian;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a minimal but valid unsigned PE32+ EFI application: an MS-DOS header whose e_lfanew points just past it,
 * the PE signature, a COFF header, a PE32+ optional header (subsystem EFI_APPLICATION, 16 data directories, all
 * empty), and two sections: {@code .text} with an entry point that returns EFI_SUCCESS ({@code xor eax,eax; ret})
 * and {@code .data} carrying the payload, then any added with {@link #section}. Sections are FileAlignment (0x200) aligned in the file and
 * SectionAlignment (0x1000) aligned in memory. The output is deterministic (TimeDateStamp is 0; CheckSum is the PE
 * checksum), so the same payload gives the same image and different payloads give different Authenticode hashes:
 *
 * <pre>{@code
 * byte[] shim = new EfiApplicationBuilder().payload("shim 15.8").build();
 * }</pre>
 */
public final class EfiApplicationBuilder {

    /** The FileAlignment the builder uses. */
    public static final int FILE_ALIGNMENT = 0x200;
    /** The SectionAlignment the builder uses. */
    public static final int SECTION_ALIGNMENT = 0x1000;
    /** IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LARGE_ADDRESS_AWARE. */
    public static final int CHARACTERISTICS = 0x0022;

    /** x86-64: {@code xor eax, eax; ret} (EFI_SUCCESS). */
    private static final byte[] X64_RETURN_SUCCESS = {0x31, (byte) 0xC0, (byte) 0xC3};
    /** AArch64: {@code mov x0, #0; ret}. */
    private static final byte[] ARM64_RETURN_SUCCESS = {0x00, 0x00, (byte) 0x80, (byte) 0xD2, (byte) 0xC0, 0x03,
        0x5F, (byte) 0xD6};

    /** IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ, as shim's .vendor_cert and .sbat carry. */
    private static final long READ_ONLY_DATA = 0x4000_0040L;

    private int machine = PeImage.IMAGE_FILE_MACHINE_AMD64;
    private byte[] payload = new byte[0];
    private final List<String> extraNames = new ArrayList<>();
    private final List<byte[]> extraData = new ArrayList<>();

    /**
     * Sets the machine; x86-64 by default.
     *
     * @param machine {@link PeImage#IMAGE_FILE_MACHINE_AMD64} or {@link PeImage#IMAGE_FILE_MACHINE_ARM64}
     * @return this builder
     * @throws IllegalArgumentException for another machine
     */
    public EfiApplicationBuilder machine(int machine) {
        if (machine != PeImage.IMAGE_FILE_MACHINE_AMD64 && machine != PeImage.IMAGE_FILE_MACHINE_ARM64) {
            throw new IllegalArgumentException(String.format("machine is 0x%04X, expected 0x%04X (x64) or 0x%04X"
                    + " (AArch64)", machine, PeImage.IMAGE_FILE_MACHINE_AMD64, PeImage.IMAGE_FILE_MACHINE_ARM64));
        }
        this.machine = machine;
        return this;
    }

    /**
     * Sets the bytes the {@code .data} section carries.
     *
     * @param payload any bytes, e.g. a component's name and version
     * @return this builder
     */
    public EfiApplicationBuilder payload(byte[] payload) {
        this.payload = Objects.requireNonNull(payload, "payload").clone();
        return this;
    }

    /**
     * Sets the {@code .data} section to a text in UTF-8.
     *
     * @param text e.g. "grubx64.efi 2.12"
     * @return this builder
     */
    public EfiApplicationBuilder payload(String text) {
        return payload(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Adds an initialized, read-only data section after {@code .data}, as shim carries {@code .vendor_cert} and
     * {@code .sbat}, in the order added.
     *
     * A name longer than 8 characters (shim's {@code .vendor_cert}) is written as GNU ld writes it: the Name field
     * holds "/" and the decimal offset of the name in a COFF string table at the end of the file, which
     * PointerToSymbolTable locates (with no symbols before it).
     *
     * @param name the section name, printable ASCII, e.g. ".sbat" or ".vendor_cert"
     * @param data the section's bytes
     * @return this builder
     * @throws IllegalArgumentException if the name is not 1 to 64 printable ASCII characters, is taken, or more than
     *         six extra sections are added (the headers hold eight)
     */
    public EfiApplicationBuilder section(String name, byte[] data) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        if (name.length() > 64 || !name.chars().allMatch(c -> c >= 0x21 && c < 0x7F)) {
            throw new IllegalArgumentException("section name \"" + name + "\" is not 1 to 64 printable ASCII"
                    + " characters");
        }
        if (name.isEmpty() || name.equals(".text") || name.equals(".data") || extraNames.contains(name)) {
            throw new IllegalArgumentException("section name \"" + name + "\" is empty or already taken");
        }
        if (extraNames.size() == 6) {
            throw new IllegalArgumentException("section " + name + " would be the 9th, expected at most 8 sections");
        }
        extraNames.add(name);
        extraData.add(data.clone());
        return this;
    }

    /**
     * Builds the image.
     *
     * @return the unsigned PE32+ file
     */
    public byte[] build() {
        byte[] code = machine == PeImage.IMAGE_FILE_MACHINE_AMD64 ? X64_RETURN_SUCCESS : ARM64_RETURN_SUCCESS;
        int lfanew = PeImage.DOS_HEADER_SIZE;
        int coff = lfanew + 4;
        int opt = coff + PeImage.COFF_HEADER_SIZE;
        int sectionTable = opt + PeImage.OPT_SIZE;
        int sections = 2 + extraNames.size();
        int sizeOfHeaders = align(sectionTable + sections * PeSection.SIZE, FILE_ALIGNMENT);
        int textRaw = align(code.length, FILE_ALIGNMENT);
        int dataRaw = align(Math.max(payload.length, 1), FILE_ALIGNMENT);
        int textPtr = sizeOfHeaders;
        int dataPtr = textPtr + textRaw;
        int textVa = SECTION_ALIGNMENT;
        int dataVa = textVa + align(code.length, SECTION_ALIGNMENT);
        int[] extraPtr = new int[extraNames.size()];
        int[] extraVa = new int[extraNames.size()];
        int[] extraRaw = new int[extraNames.size()];
        int nextPtr = dataPtr + dataRaw;
        int nextVa = dataVa + align(Math.max(payload.length, 1), SECTION_ALIGNMENT);
        int initializedData = dataRaw;
        for (int i = 0; i < extraNames.size(); i++) {
            int len = Math.max(extraData.get(i).length, 1);
            extraPtr[i] = nextPtr;
            extraVa[i] = nextVa;
            extraRaw[i] = align(len, FILE_ALIGNMENT);
            initializedData += extraRaw[i];
            nextPtr += extraRaw[i];
            nextVa += align(len, SECTION_ALIGNMENT);
        }
        int sizeOfImage = nextVa;
        java.io.ByteArrayOutputStream strings = new java.io.ByteArrayOutputStream();
        String[] headerNames = new String[extraNames.size()];
        for (int i = 0; i < extraNames.size(); i++) {
            String n = extraNames.get(i);
            if (n.length() <= 8) {
                headerNames[i] = n;
            } else {
                headerNames[i] = "/" + (4 + strings.size());
                strings.writeBytes(n.getBytes(StandardCharsets.US_ASCII));
                strings.write(0);
            }
        }
        int stringTable = strings.size() == 0 ? 0 : 4 + strings.size();

        byte[] b = new byte[nextPtr + stringTable];
        if (stringTable != 0) {
            LittleEndian.put32(b, coff + PeImage.COFF_POINTER_TO_SYMBOL_TABLE, nextPtr);
            LittleEndian.put32(b, nextPtr, stringTable);
            System.arraycopy(strings.toByteArray(), 0, b, nextPtr + 4, strings.size());
        }
        LittleEndian.put16(b, 0, PeImage.IMAGE_DOS_SIGNATURE);
        LittleEndian.put32(b, PeImage.E_LFANEW, lfanew);
        LittleEndian.put32(b, lfanew, PeImage.IMAGE_NT_SIGNATURE);

        LittleEndian.put16(b, coff + PeImage.COFF_MACHINE, machine);
        LittleEndian.put16(b, coff + PeImage.COFF_NUMBER_OF_SECTIONS, sections);
        LittleEndian.put16(b, coff + PeImage.COFF_SIZE_OF_OPTIONAL_HEADER, PeImage.OPT_SIZE);
        LittleEndian.put16(b, coff + PeImage.COFF_CHARACTERISTICS, CHARACTERISTICS);

        LittleEndian.put16(b, opt + PeImage.OPT_MAGIC, PeImage.PE32_PLUS_MAGIC);
        LittleEndian.put32(b, opt + PeImage.OPT_SIZE_OF_CODE, textRaw);
        LittleEndian.put32(b, opt + PeImage.OPT_SIZE_OF_INITIALIZED_DATA, initializedData);
        LittleEndian.put32(b, opt + PeImage.OPT_ADDRESS_OF_ENTRY_POINT, textVa);
        LittleEndian.put32(b, opt + PeImage.OPT_BASE_OF_CODE, textVa);
        LittleEndian.put64(b, opt + PeImage.OPT_IMAGE_BASE, 0);
        LittleEndian.put32(b, opt + PeImage.OPT_SECTION_ALIGNMENT, SECTION_ALIGNMENT);
        LittleEndian.put32(b, opt + PeImage.OPT_FILE_ALIGNMENT, FILE_ALIGNMENT);
        LittleEndian.put32(b, opt + PeImage.OPT_SIZE_OF_IMAGE, sizeOfImage);
        LittleEndian.put32(b, opt + PeImage.OPT_SIZE_OF_HEADERS, sizeOfHeaders);
        LittleEndian.put16(b, opt + PeImage.OPT_SUBSYSTEM, PeImage.IMAGE_SUBSYSTEM_EFI_APPLICATION);
        LittleEndian.put64(b, opt + PeImage.OPT_SIZE_OF_STACK_RESERVE, 0x10000);
        LittleEndian.put64(b, opt + PeImage.OPT_SIZE_OF_STACK_COMMIT, 0x10000);
        LittleEndian.put64(b, opt + PeImage.OPT_SIZE_OF_HEAP_RESERVE, 0x10000);
        LittleEndian.put64(b, opt + PeImage.OPT_SIZE_OF_HEAP_COMMIT, 0x10000);
        LittleEndian.put32(b, opt + PeImage.OPT_NUMBER_OF_RVA_AND_SIZES, PeImage.MAX_DATA_DIRECTORIES);

        section(b, sectionTable, ".text", code.length, textVa, textRaw, textPtr, PeSection.CODE);
        section(b, sectionTable + PeSection.SIZE, ".data", payload.length, dataVa, dataRaw, dataPtr,
                PeSection.DATA);
        System.arraycopy(code, 0, b, textPtr, code.length);
        System.arraycopy(payload, 0, b, dataPtr, payload.length);
        for (int i = 0; i < extraNames.size(); i++) {
            byte[] d = extraData.get(i);
            section(b, sectionTable + (2 + i) * PeSection.SIZE, headerNames[i], d.length, extraVa[i],
                    extraRaw[i], extraPtr[i], READ_ONLY_DATA);
            System.arraycopy(d, 0, b, extraPtr[i], d.length);
        }
        PeImage.updateCheckSum(b, opt + PeImage.OPT_CHECKSUM);
        return b;
    }

    private static void section(byte[] b, int at, String name, int virtualSize, int virtualAddress, int rawSize,
            int rawPtr, long characteristics) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, b, at, n.length);
        LittleEndian.put32(b, at + 8, virtualSize);
        LittleEndian.put32(b, at + 12, virtualAddress);
        LittleEndian.put32(b, at + 16, rawSize);
        LittleEndian.put32(b, at + 20, rawPtr);
        LittleEndian.put32(b, at + 36, characteristics);
    }

    private static int align(int value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
