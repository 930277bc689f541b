package io.teebox.spi.loader;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.hypervisor.GuestConfig;

/**
 * The host's side of loading an image, implemented by the hypervisor: it copies plaintext into guest pages (which
 * the firmware then encrypts in place as the loader adds them to the launch) and sets each vCPU's reset state.
 */
@ProviderType
public interface LaunchStaging {

    /** @return the guest being launched */
    GuestConfig config();

    /**
     * Copies plaintext into guest pages not yet encrypted.
     *
     * @param guestPhysicalAddress where
     * @param data what
     * @throws IllegalArgumentException for a range outside guest memory
     * @throws IllegalStateException if a page there is already encrypted
     */
    void place(long guestPhysicalAddress, byte[] data);

    /**
     * Sets a vCPU's save area as the host creates it at reset.
     *
     * @param vcpu the vCPU index
     * @param saveArea the save area bytes in the TEE's format (a VMSA on AMD), or an empty page for a TEE that keeps
     *            vCPU state inside its firmware
     * @param encrypted true if the host cannot read it
     */
    void resetVcpu(int vcpu, byte[] saveArea, boolean encrypted);
}
