package io.teebox.amd.abi;

import java.security.MessageDigest;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.x86.Vmsa;

/**
 * The SEV and SEV-ES launch digest a guest owner expects (LAUNCH_MEASURE's digest input, as QEMU launches): SHA-256
 * over the firmware as LAUNCH_UPDATE_DATA encrypts it, then the SEV kernel-hashes table when a kernel is given
 * (QEMU's {@code kernel-hashes=on}), then, for SEV-ES, the reset VMSA of each vCPU as LAUNCH_UPDATE_VMSA encrypts it
 * (the BSP at the reset vector, the APs at the firmware's SEV-ES AP reset EIP).
 */
public final class SevLaunchDigest {

    private SevLaunchDigest() {
    }

    /**
     * @param firmware the OVMF image
     * @param kernelHashesTable the SEV hashes table ({@link KernelHashes#table}), or null without a kernel
     * @param encryptedState whether the guest is SEV-ES (its VMSAs are measured)
     * @param vcpus the number of vCPUs (SEV-ES only)
     * @param cpuSignature CPUID(1).EAX of the vCPU model, in each VMSA's RDX (SEV-ES only)
     * @return the 32-byte digest
     * @throws IllegalArgumentException if a kernel is given and the firmware has no kernel-hashes area, or SEV-ES
     *         asks for APs and the firmware has no SEV-ES AP reset block
     */
    public static byte[] compute(byte[] firmware, byte[] kernelHashesTable, boolean encryptedState, int vcpus,
            long cpuSignature) {
        MessageDigest d = Digests.newSha256();
        d.update(firmware);
        if (kernelHashesTable != null) {
            OvmfImage.parse(firmware).requireKernelHashesArea();
            d.update(kernelHashesTable);
        }
        if (encryptedState) {
            if (vcpus < 1) {
                throw new IllegalArgumentException("vcpus must be at least 1, got " + vcpus);
            }
            OvmfImage image = OvmfImage.parse(firmware);
            for (int i = 0; i < vcpus; i++) {
                long eip = i == 0 ? Vmsa.BSP_EIP : image.sevEsResetEip().orElseThrow(() ->
                        new IllegalArgumentException("the firmware has no SEV-ES AP reset block (footer GUID "
                                + OvmfImage.SEV_ES_RESET_BLOCK_GUID + "), so its APs cannot start under SEV-ES"));
                d.update(Vmsa.qemuReset(eip, cpuSignature, 0));
            }
        }
        return d.digest();
    }
}
