package io.teebox.amd.owner.snp.internal;

import java.security.KeyPair;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import io.teebox.amd.abi.SnpIdBlock;
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
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.lang.Lazy;
import io.teebox.kit.x86.CpuModels;

/**
 * The SEV-SNP guest owner. It computes the launch digest it expects and hands the firmware an ID block carrying it,
 * signed by its ID key (itself signed by its author key) when its policy asks for one: SNP_LAUNCH_FINISH then refuses
 * a launch whose digest differs. Without an ID block (the default, as in a plain QEMU launch) nothing is checked at
 * launch.
 * Secrets are released after verifying a report, not at launch, so {@link LaunchOwner#approve} releases none.
 */
@Component(service = GuestOwnerService.class)
@TeeType("sev-snp")
public final class SnpGuestOwner implements GuestOwnerService {

    /** VMSA SEV_FEATURES of QEMU's SNP guests: SNPActive. */
    static final long GUEST_FEATURES = 0x1;

    /** The owner's ID key (signs ID blocks) and author key (signs the ID key), made for its first ID block. */
    private final Lazy<KeyPair> idKey = Lazy.of(() -> EcKeys.generate("P-384"));
    private final Lazy<KeyPair> authorKey = Lazy.of(() -> EcKeys.generate("P-384"));

    @Override
    public LaunchOwner prepare(OwnerPolicy policy) {
        new SnpPolicy(policy.policy());
        return new LaunchOwner() {
            @Override
            public LaunchRequest start(BackendDescriptor backend, Map<String, byte[]> certs, GuestConfig config) {
                if (!policy.idBlock()) {
                    // As a plain QEMU/snpguest launch: no ID block, so the firmware enforces no digest and the
                    // report's ID and author key digests are zero; the owner appraises a report instead.
                    return new LaunchRequest(policy.policy(), Map.of(), config.vcpus(), config.vcpuType());
                }
                byte[][] id = SnpIdBlock.build(expectedDigest(policy, config.vcpus(), config.vcpuType()),
                        policy.policy(), new byte[16], new byte[16], 0, idKey.get(), authorKey.get());
                return new LaunchRequest(policy.policy(), Map.of("id-block", id[0], "id-auth", id[1]),
                        config.vcpus(), config.vcpuType());
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
