package io.teebox.amd.guest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.FirmwareArea;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.SevMetadataSection;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x86.CpuModels;
import io.teebox.kit.x86.Vmsa;
import io.teebox.spi.loader.GuestImage;
import io.teebox.spi.loader.GuestImageLoader;
import io.teebox.spi.loader.LaunchStaging;

/**
 * OVMF image loaders as QEMU launches AMD confidential guests. The image is loaded to end at 4 GiB.
 * <ul>
 * <li>{@link #sev(boolean)}: SEV and SEV-ES: the whole image as one measured region, then QEMU's kernel-hashes table
 * when a kernel is booted directly, then (SEV-ES) one encrypted VMSA per vCPU;</li>
 * <li>{@link #snp()}: SEV-SNP: the image as NORMAL pages, then the image's SEV metadata sections by type (zero,
 * secrets, the CPUID page the host fills for the firmware to check, the kernel-hashes page), then one VMSA per
 * vCPU with SEV_FEATURES SNPActive.</li>
 * </ul>
 */
public final class OvmfLoaders {

    /** The footer entries OVMF carries, by the names of OVMF's ResetVector sources (and the GUID). */
    private static final Map<UUID, String> FOOTER_NAMES = Map.of(
            OvmfImage.SEV_ES_RESET_BLOCK_GUID, "SEV-ES reset block (" + OvmfImage.SEV_ES_RESET_BLOCK_GUID + ")",
            OvmfImage.SEV_HASH_TABLE_GUID, "SEV hash table (" + OvmfImage.SEV_HASH_TABLE_GUID + ")",
            OvmfImage.SEV_SECRET_GUID, "SEV secret block (" + OvmfImage.SEV_SECRET_GUID + ")",
            OvmfImage.SEV_METADATA_GUID, "SEV metadata offset (" + OvmfImage.SEV_METADATA_GUID + ")",
            OvmfImage.TDX_METADATA_OFFSET_GUID, "TDX metadata offset (" + OvmfImage.TDX_METADATA_OFFSET_GUID + ")");

    /** VMSA SEV_FEATURES of QEMU's SNP guests: SNPActive. */
    public static final long SNP_FEATURES = 0x1;
    private static final long BSP_RESET_EIP = 0xFFFF_FFF0L;

    private OvmfLoaders() {
    }

    /**
     * @param encryptedState true for SEV-ES (VMSAs measured and encrypted)
     * @return the SEV/SEV-ES loader
     */
    public static GuestImageLoader sev(boolean encryptedState) {
        return new Loader(false, encryptedState);
    }

    /** @return the SEV-SNP loader */
    public static GuestImageLoader snp() {
        return new Loader(true, true);
    }

    private static final class Loader implements GuestImageLoader {
        private final boolean snp;
        private final boolean encryptedState;

        Loader(boolean snp, boolean encryptedState) {
            this.snp = snp;
            this.encryptedState = encryptedState;
        }

        private static OvmfImage image(GuestImage image) {
            return OvmfImage.parse(image.firmware().map(Bytes::value).orElseGet(DefaultFirmware::image));
        }

        @Override
        public void check(GuestImage guestImage, GuestConfig config) {
            OvmfImage image = image(guestImage);
            CpuModels.signature(config.vcpuType());
            if (snp && image.sevMetadata().isEmpty()) {
                throw new IllegalArgumentException("the firmware has no SEV metadata (footer GUID "
                        + OvmfImage.SEV_METADATA_GUID + "), so an SEV-SNP guest cannot be built from it");
            }
            if (guestImage.kernel().isPresent()) {
                // A kernel the firmware cannot measure must never run unmeasured: QEMU refuses such a launch.
                if (snp) {
                    image.requireSnpKernelHashesSection();
                } else {
                    image.requireKernelHashesArea();
                }
            }
            if (encryptedState && config.vcpus() > 1 && image.sevEsResetEip().isEmpty()) {
                throw new IllegalArgumentException("the firmware has no SEV-ES AP reset block (footer GUID "
                        + OvmfImage.SEV_ES_RESET_BLOCK_GUID + "), so the APs of an encrypted-state guest cannot "
                        + "start");
            }
        }

        @Override
        public void load(GuestImage guestImage, LaunchSession session, LaunchStaging staging) {
            OvmfImage image = image(guestImage);
            byte[] fw = image.bytes();
            staging.place(image.loadAddress(), fw);
            session.addPages(image.loadAddress(), fw.length, PageType.NORMAL);
            byte[] table = guestImage.kernel().map(k -> KernelHashes.table(k.value(),
                    guestImage.initrd().map(Bytes::value).orElse(null), guestImage.cmdline().orElse(null)))
                    .orElse(null);
            if (snp) {
                loadSnpSections(image, staging, session, table);
            } else if (table != null) {
                FirmwareArea area = image.requireKernelHashesArea();
                staging.place(area.gpa(), table);
                session.addPages(area.gpa(), table.length, PageType.NORMAL);
            }
            long signature = CpuModels.signature(staging.config().vcpuType());
            long apEip = image.sevEsResetEip().orElse(BSP_RESET_EIP);
            for (int i = 0; i < staging.config().vcpus(); i++) {
                staging.resetVcpu(i, Vmsa.qemuReset(i == 0 ? BSP_RESET_EIP : apEip, signature,
                        snp ? SNP_FEATURES : 0), false);
            }
            if (encryptedState) {
                for (int i = 0; i < staging.config().vcpus(); i++) {
                    session.addVcpuState(i);
                }
            }
        }

        private static void loadSnpSections(OvmfImage image, LaunchStaging staging, LaunchSession session,
                byte[] table) {
            for (SevMetadataSection s : image.sevMetadata()) {
                switch (s.type()) {
                    case SNP_SEC_MEM, SVSM_CAA -> session.addPages(s.gpa(), s.size(), PageType.ZERO);
                    case SNP_SECRETS -> session.addPages(s.gpa(), s.size(), PageType.SECRETS);
                    case CPUID -> {
                        staging.place(s.gpa(), cpuidPage(staging.config()));
                        session.addPages(s.gpa(), s.size(), PageType.CPUID);
                    }
                    case SNP_KERNEL_HASHES -> {
                        if (table == null) {
                            session.addPages(s.gpa(), s.size(), PageType.ZERO);
                        } else {
                            byte[] page = KernelHashes.page(table, image.requireKernelHashesArea().gpa());
                            staging.place(s.gpa(), page);
                            session.addPages(s.gpa(), page.length, PageType.NORMAL);
                        }
                    }
                }
            }
        }

        /** The CPUID page the host offers (count, then 48-byte entries): leaves 0 and 1 of the vCPU model. */
        private static byte[] cpuidPage(GuestConfig config) {
            byte[] page = new byte[4096];
            AmdCpuid model = new AmdCpuid(() -> new AmdCpuid.Platform(true, true, 0, 0));
            long[][] entries = {leaf(model, config, 0), leaf(model, config, 1)};
            LittleEndian.put32(page, 0, entries.length);
            for (int i = 0; i < entries.length; i++) {
                int off = 16 + 48 * i;
                LittleEndian.put32(page, off, entries[i][0]);
                LittleEndian.put32(page, off + 4, 0);
                for (int r = 0; r < 4; r++) {
                    LittleEndian.put32(page, off + 24 + 4 * r, entries[i][1 + r]);
                }
            }
            return page;
        }

        private static long[] leaf(AmdCpuid model, GuestConfig config, long leaf) {
            long[] v = model.cpuid(config.vcpuType(), leaf);
            return new long[] {leaf, v[0], v[1], v[2], v[3]};
        }

        @Override
        public Map<String, String> describe(byte[] firmware) {
            OvmfImage image = OvmfImage.parse(firmware != null ? firmware : DefaultFirmware.image());
            Map<String, String> out = new LinkedHashMap<>();
            out.put("image", (firmware == null ? "built-in default" : "given") + ", " + image.size() + " bytes");
            out.put("load address", String.format("0x%X..0x100000000", image.loadAddress()));
            for (Map.Entry<UUID, byte[]> e : image.footerEntries().entrySet()) {
                out.put("footer " + FOOTER_NAMES.getOrDefault(e.getKey(), e.getKey().toString()),
                        Hex.encode(e.getValue()));
            }
            image.sevEsResetEip().ifPresent(eip -> out.put("SEV-ES AP reset EIP", String.format("0x%X", eip)));
            image.kernelHashesArea().ifPresent(a -> out.put("kernel hashes area", String.format("0x%X+0x%X%s",
                    a.gpa(), a.size(), usable(image::requireKernelHashesArea))));
            image.launchSecretArea().ifPresent(a -> out.put("launch secret area", String.format("0x%X+0x%X%s",
                    a.gpa(), a.size(), usable(() -> image.requireLaunchSecretArea(1)))));
            image.sevMetadata().forEach(s -> out.put(String.format("SEV metadata 0x%X", s.gpa()),
                    String.format("%s size 0x%X", s.type(), s.size())));
            return out;
        }

        private static String usable(Runnable check) {
            try {
                check.run();
                return "";
            } catch (IllegalArgumentException e) {
                return " (unusable: address or size 0)";
            }
        }
    }
}
