package io.teebox.api.owner;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.hypervisor.LaunchOwner;

/**
 * Creates the guest owner's side of launches for one TEE type. Registered with the {@code tee.type} service
 * property. The owner computes its expected launch digest itself, from the firmware and kernel it expects; it
 * trusts nothing the host tells it but what the firmware signed or MACed.
 */
@ProviderType
public interface GuestOwnerService {

    /**
     * @param policy what the owner expects and releases
     * @return a launch owner for one launch
     * @throws IllegalArgumentException if the policy is malformed, naming the field
     */
    LaunchOwner prepare(OwnerPolicy policy);

    /**
     * Computes the launch digest the owner expects, the same way the firmware computes it.
     *
     * @param policy the expectation
     * @param vcpus number of vCPUs
     * @param vcpuType the vCPU model
     * @return the digest
     */
    byte[] expectedDigest(OwnerPolicy policy, int vcpus, String vcpuType);
}
