package io.teebox.owner.snp.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import io.teebox.amd.abi.SnpLaunchDigest;
import io.teebox.amd.abi.SnpPolicy;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.x86.CpuModels;

/**
 * The SEV-SNP guest owner. SNP gives the owner nothing to check at launch: it computes the launch digest it
 * expects (the value an attestation report's MEASUREMENT must hold) and releases secrets only after verifying a
 * report, so {@link LaunchOwner#approve} releases none.
 */
@Component(service = GuestOwnerService.class)
@TeeType("sev-snp")
public final class SnpGuestOwner implements GuestOwnerService {

    /** VMSA SEV_FEATURES of QEMU's SNP guests: SNPActive. */
    static final long GUEST_FEATURES = 0x1;

    @Override
    public LaunchOwner prepare(OwnerPolicy policy) {
        new SnpPolicy(policy.policy());
        return new LaunchOwner() {
            @Override
            public LaunchRequest start(BackendDescriptor backend, Map<String, byte[]> certs, GuestConfig config) {
                return new LaunchRequest(policy.policy(), Map.of(), config.vcpus(), config.vcpuType());
            }

            @Override
            public List<SecretPacket> approve(Measurement measurement) {
                return List.of();
            }
        };
    }

    @Override
    public byte[] expectedDigest(OwnerPolicy policy, int vcpus, String vcpuType) {
        if (policy.expectedDigest() != null) {
            return policy.expectedDigest();
        }
        byte[] fw = policy.firmware() != null ? policy.firmware() : DefaultFirmware.image();
        byte[] table = policy.kernel() == null ? null
                : KernelHashes.table(policy.kernel(), policy.initrd(), policy.cmdline());
        return SnpLaunchDigest.forOvmf(OvmfImage.parse(fw), vcpus, CpuModels.signature(vcpuType), GUEST_FEATURES,
                table);
    }
}
