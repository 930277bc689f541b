package io.teebox.amd.abi;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.SevMetadataSection;
import io.teebox.kit.x86.Vmsa;

/**
 * The SEV-SNP launch digest: for every 4 KiB page SNP_LAUNCH_UPDATE adds, {@code LD = SHA-384(PAGE_INFO)} where
 * PAGE_INFO (0x70 bytes, SNP ABI) chains the previous digest, the page's content digest, its type, VMPL permissions
 * and GPA. The firmware and the guest owner compute it the same way; {@link #forOvmf} follows the order QEMU uses.
 * Not thread-safe: one SHA-384 engine and one PAGE_INFO buffer are reused for every page.
 */
public final class SnpLaunchDigest {

    /** Page type NORMAL. */
    public static final int NORMAL = 1;
    /** Page type VMSA. */
    public static final int VMSA = 2;
    /** Page type ZERO. */
    public static final int ZERO = 3;
    /** Page type UNMEASURED. */
    public static final int UNMEASURED = 4;
    /** Page type SECRETS. */
    public static final int SECRETS = 5;
    /** Page type CPUID. */
    public static final int CPUID = 6;
    /** The GPA recorded for VMSA pages: (u64)-1 page-aligned, bits above 51 cleared. */
    public static final long VMSA_GPA = 0x0000_FFFF_FFFF_F000L;

    /** The PAGE_INFO structure. */
    public static final Layout PAGE_INFO = Layout.define("PAGE_INFO", 0x70).bytes("DIGEST_CUR", 0x00, 48)
            .bytes("CONTENTS", 0x30, 48).u16("LENGTH", 0x60).u8("PAGE_TYPE", 0x62).u8("IMI_PAGE", 0x63)
            .u8("VMPL3_PERMS", 0x64).u8("VMPL2_PERMS", 0x65).u8("VMPL1_PERMS", 0x66).reserved(0x67, 1)
            .u64("GPA", 0x68).build();

    private static final byte[] NO_CONTENTS = new byte[48];

    /**
     * The next PAGE_INFO, kept between updates: DIGEST_CUR (the launch digest so far) is where each SHA-384 is
     * written, LENGTH is set once; CONTENTS, PAGE_TYPE and GPA are written per page, the rest stays zero.
     */
    private final byte[] info = new byte[0x70];
    private final byte[] contents = new byte[48];
    private final MessageDigest sha384 = Digests.newSha384();

    /** A digest of no pages (48 zero bytes). */
    public SnpLaunchDigest() {
        info[0x60] = 0x70;
    }

    /** @return a copy of the current launch digest */
    public byte[] digest() {
        return Arrays.copyOf(info, 48);
    }

    /**
     * Extends the digest with one page.
     *
     * @param type the page type
     * @param gpa the page's guest physical address
     * @param contents the 48-byte content digest (SHA-384 of the page for NORMAL and VMSA, zeros otherwise)
     * @return this
     */
    public SnpLaunchDigest update(int type, long gpa, byte[] contents) {
        Objects.requireNonNull(contents, "contents");
        if (contents.length != 48) {
            throw new MalformedStructureException(PAGE_INFO.name(), "CONTENTS", String.format(
                    "%s.CONTENTS: value is %d bytes, expected 48", PAGE_INFO.name(), contents.length));
        }
        return extend(type, gpa, contents);
    }

    private SnpLaunchDigest extend(int type, long gpa, byte[] contents) {
        if (type < NORMAL || type > CPUID) {
            throw new IllegalArgumentException("SNP page type " + type + " is not 1..6");
        }
        if ((gpa & 0xFFF) != 0) {
            throw new IllegalArgumentException(String.format("page GPA 0x%X is not 4 KiB aligned", gpa));
        }
        System.arraycopy(contents, 0, info, 0x30, 48);
        info[0x62] = (byte) type;
        LittleEndian.put64(info, 0x68, gpa);
        sha384.update(info);
        try {
            sha384.digest(info, 0, 48);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-384 into PAGE_INFO.DIGEST_CUR", e);
        }
        return this;
    }

    /** Adds NORMAL pages of data (a whole number of pages) starting at gpa. */
    public SnpLaunchDigest normal(long gpa, byte[] data) {
        if (data.length % 4096 != 0) {
            throw new IllegalArgumentException("NORMAL data is " + data.length + " bytes, not whole 4 KiB pages");
        }
        for (int off = 0; off < data.length; off += 4096) {
            extend(NORMAL, gpa + off, contentsOf(data, off, 4096));
        }
        return this;
    }

    /** SHA-384 of data[off, off + length) into the reused contents buffer. */
    private byte[] contentsOf(byte[] data, int off, int length) {
        sha384.update(data, off, length);
        try {
            sha384.digest(contents, 0, 48);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-384 of a page", e);
        }
        return contents;
    }

    /** Adds pages whose content is not measured (ZERO, UNMEASURED, SECRETS, CPUID), one entry per page. */
    public SnpLaunchDigest unmeasured(int type, long gpa, long size) {
        for (long off = 0; off < size; off += 4096) {
            extend(type, gpa + off, NO_CONTENTS);
        }
        return this;
    }

    /** Adds a VMSA page. */
    public SnpLaunchDigest vmsa(byte[] page) {
        return extend(VMSA, VMSA_GPA, contentsOf(page, 0, page.length));
    }

    /**
     * The digest QEMU's launch of an OVMF image gives: the image as NORMAL pages, the SEV metadata sections by
     * type (SEC_MEM zero, SECRETS, CPUID, kernel hashes as a NORMAL page when a table is given else zero, SVSM
     * CAA zero), then one VMSA per vCPU with SEV_FEATURES = guestFeatures.
     *
     * @param image the firmware
     * @param vcpus number of vCPUs
     * @param cpuSignature CPUID(1).EAX of the vCPU model
     * @param guestFeatures the VMSA SEV_FEATURES value
     * @param kernelHashesTable the SEV hashes table, or null for no kernel
     * @return the final launch digest
     */
    public static byte[] forOvmf(OvmfImage image, int vcpus, long cpuSignature, long guestFeatures,
            byte[] kernelHashesTable) {
        if (kernelHashesTable != null) {
            image.requireSnpKernelHashesSection();
        }
        SnpLaunchDigest d = new SnpLaunchDigest().normal(image.loadAddress(), image.bytes());
        for (SevMetadataSection s : image.sevMetadata()) {
            switch (s.type()) {
                case SNP_SEC_MEM, SVSM_CAA -> d.unmeasured(ZERO, s.gpa(), s.size());
                case SNP_SECRETS -> d.unmeasured(SECRETS, s.gpa(), s.size());
                case CPUID -> d.unmeasured(CPUID, s.gpa(), s.size());
                case SNP_KERNEL_HASHES -> {
                    if (kernelHashesTable == null) {
                        d.unmeasured(ZERO, s.gpa(), s.size());
                    } else {
                        long area = image.requireKernelHashesArea().gpa();
                        d.normal(s.gpa(), KernelHashes.page(kernelHashesTable, area));
                    }
                }
            }
        }
        long apEip = image.sevEsResetEip().orElse(Vmsa.BSP_EIP);
        for (int i = 0; i < vcpus; i++) {
            d.vmsa(Vmsa.qemuReset(i == 0 ? Vmsa.BSP_EIP : apEip, cpuSignature, guestFeatures));
        }
        return d.digest();
    }
}
