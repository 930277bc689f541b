package io.teebox.amd.abi;

import java.util.Arrays;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.SevMetadataSection;
import io.teebox.kit.x86.Vmsa;

/**
 * The SEV-SNP launch digest: for every 4 KiB page SNP_LAUNCH_UPDATE adds, {@code LD = SHA-384(PAGE_INFO)} where
 * PAGE_INFO (0x70 bytes, SNP ABI) chains the previous digest, the page's content digest, its type, VMPL permissions
 * and GPA. The firmware and the guest owner compute it the same way; {@link #forOvmf} follows the order QEMU uses.
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

    private byte[] digest = new byte[48];

    /** @return a copy of the current launch digest */
    public byte[] digest() {
        return digest.clone();
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
        if (type < NORMAL || type > CPUID) {
            throw new IllegalArgumentException("SNP page type " + type + " is not 1..6");
        }
        if ((gpa & 0xFFF) != 0) {
            throw new IllegalArgumentException(String.format("page GPA 0x%X is not 4 KiB aligned", gpa));
        }
        Struct info = PAGE_INFO.create().set("DIGEST_CUR", digest).set("CONTENTS", contents).set("LENGTH", 0x70)
                .set("PAGE_TYPE", type).set("GPA", gpa);
        digest = Digests.sha384(info.toBytes());
        return this;
    }

    /** Adds NORMAL pages of data (a whole number of pages) starting at gpa. */
    public SnpLaunchDigest normal(long gpa, byte[] data) {
        if (data.length % 4096 != 0) {
            throw new IllegalArgumentException("NORMAL data is " + data.length + " bytes, not whole 4 KiB pages");
        }
        for (int off = 0; off < data.length; off += 4096) {
            update(NORMAL, gpa + off, Digests.sha384(Arrays.copyOfRange(data, off, off + 4096)));
        }
        return this;
    }

    /** Adds pages whose content is not measured (ZERO, UNMEASURED, SECRETS, CPUID), one entry per page. */
    public SnpLaunchDigest unmeasured(int type, long gpa, long size) {
        for (long off = 0; off < size; off += 4096) {
            update(type, gpa + off, new byte[48]);
        }
        return this;
    }

    /** Adds a VMSA page. */
    public SnpLaunchDigest vmsa(byte[] page) {
        return update(VMSA, VMSA_GPA, Digests.sha384(page));
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
