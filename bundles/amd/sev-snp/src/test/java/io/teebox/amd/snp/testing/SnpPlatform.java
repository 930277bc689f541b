package io.teebox.amd.snp.testing;

import java.util.Map;

import io.teebox.amd.snp.internal.SnpBackend;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.SevMetadataSection;
import io.teebox.kit.testing.FirmwareVectors;
import io.teebox.kit.x86.Vmsa;

/**
 * The SEV-SNP backend on a test platform, for other modules' tests (this module's test-jar): launches of the
 * synthetic firmware vector in the hypervisor's SNP load order and the evidence of the launched guests, through the
 * backend's API only.
 */
public final class SnpPlatform {

    /** The guest policy of the test launches: SMT allowed, ABI 0.0. */
    public static final long POLICY = 0x30000;

    private final AmdSecureProcessor sp;
    private final SnpBackend backend;

    /** @param sp the secure processor the backend runs on */
    public SnpPlatform(AmdSecureProcessor sp) {
        this.sp = sp;
        this.backend = new SnpBackend(sp);
    }

    /** @return the secure processor */
    public AmdSecureProcessor sp() {
        return sp;
    }

    /**
     * @param name a case of the firmware vectors' expected.json, for example {@code snp-1vcpu-epyc-v4}
     * @return its expected launch digest (hex)
     */
    public static String expected(String name) {
        return FirmwareVectors.named(name).expected();
    }

    /** @return the synthetic firmware image of the vectors */
    public static byte[] firmware() {
        return FirmwareVectors.ovmf();
    }

    /**
     * SNP_LAUNCH_START.
     *
     * @param request the launch request
     * @param memory the guest's memory
     * @return the session
     */
    public LaunchSession begin(LaunchRequest request, GuestMemory memory) {
        return backend.begin(request, memory);
    }

    /**
     * @param handle a guest
     * @param memory its memory (unused by SNP)
     * @param reportData REPORT_DATA
     * @return the guest's evidence
     */
    public Evidence attest(long handle, GuestMemory memory, byte[] reportData) {
        return backend.attest(handle, memory, reportData);
    }

    /**
     * @param handle a guest
     * @return its status
     */
    public GuestStatus status(long handle) {
        return backend.status(handle);
    }

    /**
     * The hypervisor's SNP load order of the synthetic firmware, run to SNP_LAUNCH_FINISH.
     *
     * @param mem the guest's memory
     * @param vcpus the vCPUs
     * @param sig the CPUID signature in each VMSA
     * @param table the kernel-hashes table to measure, or null for none
     * @return the launched guest's session
     */
    public LaunchSession launch(MapGuestMemory mem, int vcpus, long sig, byte[] table) {
        byte[] firmware = firmware();
        LaunchSession s = backend.begin(new LaunchRequest(POLICY, Map.of(), vcpus, "x"), mem);
        OvmfImage image = OvmfImage.parse(firmware);
        mem.place(image.loadAddress(), firmware);
        s.addPages(image.loadAddress(), firmware.length, PageType.NORMAL);
        for (SevMetadataSection m : image.sevMetadata()) {
            switch (m.type()) {
                case SNP_SEC_MEM, SVSM_CAA -> s.addPages(m.gpa(), m.size(), PageType.ZERO);
                case SNP_SECRETS -> s.addPages(m.gpa(), m.size(), PageType.SECRETS);
                case CPUID -> s.addPages(m.gpa(), m.size(), PageType.CPUID);
                case SNP_KERNEL_HASHES -> {
                    if (table == null) {
                        s.addPages(m.gpa(), m.size(), PageType.ZERO);
                    } else {
                        mem.place(m.gpa(), KernelHashes.page(table, image.kernelHashesArea().get().gpa()));
                        s.addPages(m.gpa(), 4096, PageType.NORMAL);
                    }
                }
            }
        }
        for (int i = 0; i < vcpus; i++) {
            mem.saveAreas[i] = Vmsa.qemuReset(i == 0 ? Vmsa.BSP_EIP : image.sevEsResetEip().getAsLong(), sig, 1);
            s.addVcpuState(i);
        }
        s.measure();
        s.finish();
        return s;
    }

    /**
     * A one-vCPU launch of the synthetic firmware with an ID block, up to (not including) SNP_LAUNCH_FINISH, which
     * checks the ID block.
     *
     * @param id the ID block and its ID authentication structure
     * @return the session, measured
     */
    public LaunchSession prepareWithIdBlock(byte[][] id) {
        byte[] firmware = firmware();
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = backend.begin(new LaunchRequest(POLICY, Map.of("id-block", id[0], "id-auth", id[1]), 1,
                "x"), mem);
        OvmfImage image = OvmfImage.parse(firmware);
        mem.place(image.loadAddress(), firmware);
        s.addPages(image.loadAddress(), firmware.length, PageType.NORMAL);
        for (SevMetadataSection m : image.sevMetadata()) {
            PageType t = switch (m.type()) {
                case SNP_SECRETS -> PageType.SECRETS;
                case CPUID -> PageType.CPUID;
                default -> PageType.ZERO;
            };
            s.addPages(m.gpa(), m.size(), t);
        }
        mem.saveAreas[0] = Vmsa.qemuReset(Vmsa.BSP_EIP, 0x800F12, 1);
        s.addVcpuState(0);
        s.measure();
        return s;
    }
}
