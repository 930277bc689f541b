package org.example.cca.rmm.internal;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchRejectedException;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.TeeType;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import org.example.cca.rmm.Cca;
import org.example.cca.rmm.RealmImage;
import org.osgi.service.component.annotations.Component;

/**
 * The realm owner: it recomputes the RIM from the realm image it expects ({@link RealmImage#measure}, the RMM's
 * descriptors byte for byte) and refuses a launch whose RMI_REALM_ACTIVATE measurement differs. The RMM has no
 * launch secret: the owner releases secrets later, to a realm whose attestation token verifies.
 */
@Component(service = GuestOwnerService.class)
@TeeType(Cca.TEE_TYPE)
public final class CcaOwner implements GuestOwnerService {

    @Override
    public LaunchOwner prepare(OwnerPolicy policy) {
        RealmImage.params(policy.policy(), null); // refuses undefined policy bits now
        if (policy.secret() != null) {
            throw new IllegalArgumentException("secret: a realm has no launch secret; release it after verifying "
                    + "the realm's attestation token");
        }
        return new LaunchOwner() {
            private int vcpus;

            @Override
            public LaunchRequest start(BackendDescriptor backend, Map<String, byte[]> platformCertificates,
                    GuestConfig config) {
                vcpus = config.vcpus();
                return new LaunchRequest(policy.policy(), Map.of(), config.vcpus(), config.vcpuType());
            }

            @Override
            public List<SecretPacket> approve(Measurement measurement) {
                byte[] expected = policy.expectedDigest() != null ? policy.expectedDigest()
                        : expectedDigest(policy, vcpus, "");
                if (!Cca.MEASUREMENT_FORMAT.equals(measurement.format())
                        || !MessageDigest.isEqual(expected, measurement.value())) {
                    throw new LaunchRejectedException("the realm's RIM " + Rmm.hex(measurement.value())
                            + " is not the RIM the owner expects, " + Rmm.hex(expected));
                }
                return List.of();
            }
        };
    }

    @Override
    public byte[] expectedDigest(OwnerPolicy policy, int vcpus, String vcpuType) {
        return RealmImage.measure(RealmImage.params(policy.policy(), null), policy.firmware(), vcpus).value();
    }
}
