package io.teebox.kit.firmware;

import java.util.List;

/**
 * teebox's built-in firmware, used when no firmware file is given: a deterministic 128 KiB image that carries
 * everything a confidential launch reads from OVMF, without being an OVMF build.
 *
 * <pre>
 * file offset  guest address  content
 * 0x00000      0xFFFE0000     CFV (TDX section 0): empty variable store, zeros
 * 0x02000      0xFFFE2000     BFV (TDX section 1, MR.EXTEND) starts: banner "teebox default firmware ..."
 * 0x1E004      0xFFFFE004     AP entry (SEV-ES AP reset EIP): cli; hlt; jmp $-1
 * 0x1F000      0xFFFFF000     BSP entry: cli; hlt; jmp $-1
 * 0x1F100      0xFFFFF100     SEV metadata "ASEV", 5 sections
 * 0x1F200      0xFFFFF200     TDX metadata GUID, then the "TDVF" descriptor (0x1F210), 5 sections
 * ...0x1FFE0                  footer GUID table (AP reset block, kernel-hashes area, launch-secret area,
 *                             SEV metadata offset, TDX metadata offset)
 * 0x1FFF0      0xFFFFFFF0     reset vector: nop; nop; jmp near 0xF000 (the BSP entry)
 * </pre>
 *
 * Guest memory outside the image: SEV SNP_SEC_MEM 0x800000+0x3000, SNP_SECRETS 0x803000, CPUID 0x804000,
 * SNP_SEC_MEM 0x805000+0x2000, SNP_KERNEL_HASHES 0x807000 (kernel-hashes area 0x807C00+0x400), launch-secret area
 * 0x80A000+0x1000; TDX TempMem 0x810000+0x4000, TempMem 0x814000+0x2000 (PAGE.AUG), TD_HOB 0x816000+0x1000.
 */
public final class DefaultFirmware {

    /** The banner at the start of the boot firmware volume. */
    public static final String BANNER = "teebox default firmware";
    /** The image size. */
    public static final int SIZE = 0x20000;
    /** The SEV-ES AP reset EIP. */
    public static final long AP_RESET_EIP = 0xFFFF_E004L;

    private static final byte[] HALT = {(byte) 0xFA, (byte) 0xF4, (byte) 0xEB, (byte) 0xFD};

    private DefaultFirmware() {
    }

    private static final class Holder {
        static final byte[] IMAGE = build();
        static final OvmfImage PARSED = OvmfImage.parse(IMAGE);
    }

    /**
     * The default firmware image.
     *
     * @return a new copy of the 128 KiB image
     */
    public static byte[] image() {
        return Holder.IMAGE.clone();
    }

    /**
     * The default firmware, parsed.
     *
     * @return the shared parsed image (immutable)
     */
    public static OvmfImage parsed() {
        return Holder.PARSED;
    }

    private static byte[] build() {
        FirmwareBuilder b = new FirmwareBuilder(SIZE);
        long base = b.gpa(0);
        b.text(0x2000, BANNER + "\n"
                + "A stand-in for OVMF so a confidential guest can be launched and measured without a firmware"
                + " build.\n"
                + "It carries the OVMF footer GUID table, SEV metadata (ASEV), TDX metadata (TDVF) and a reset"
                + " vector whose code halts.\n");
        b.put(0x1E004, HALT);
        b.put(0x1F000, HALT);
        // jmp rel16 at IP 0xFFF2: the next IP is 0xFFF5, the target 0xF000, so rel16 = 0xF000 - 0xFFF5 = 0xF00B
        b.resetVector(new byte[] {(byte) 0x90, (byte) 0x90, (byte) 0xE9, 0x0B, (byte) 0xF0});
        b.apResetEip(AP_RESET_EIP);
        b.kernelHashesArea(new FirmwareArea(0x807C00, 0x400));
        b.launchSecretArea(new FirmwareArea(0x80A000, 0x1000));
        b.sevMetadata(0x1F100, List.of(
                new SevMetadataSection(0x800000, 0x3000, SevSectionType.SNP_SEC_MEM),
                new SevMetadataSection(0x803000, 0x1000, SevSectionType.SNP_SECRETS),
                new SevMetadataSection(0x804000, 0x1000, SevSectionType.CPUID),
                new SevMetadataSection(0x805000, 0x2000, SevSectionType.SNP_SEC_MEM),
                new SevMetadataSection(0x807000, 0x1000, SevSectionType.SNP_KERNEL_HASHES)));
        b.tdxMetadata(0x1F200, List.of(
                new TdxMetadataSection(0, 0x2000, base, 0x2000, TdxSectionType.CFV, 0),
                new TdxMetadataSection(0x2000, SIZE - 0x2000, base + 0x2000, SIZE - 0x2000, TdxSectionType.BFV,
                        TdxMetadataSection.ATTR_MR_EXTEND),
                new TdxMetadataSection(0, 0, 0x810000, 0x4000, TdxSectionType.TEMP_MEM, 0),
                new TdxMetadataSection(0, 0, 0x814000, 0x2000, TdxSectionType.TEMP_MEM,
                        TdxMetadataSection.ATTR_PAGE_AUG),
                new TdxMetadataSection(0, 0, 0x816000, 0x1000, TdxSectionType.TD_HOB, 0)));
        return b.build();
    }
}
