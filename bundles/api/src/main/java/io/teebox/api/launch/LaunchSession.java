package io.teebox.api.launch;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.memory.KeySlot;
import io.teebox.api.tee.TeeException;

/**
 * One guest's launch, driven by the hypervisor. Each method issues the vendor's firmware commands, appends them to
 * {@link #log()} with the status they returned, and throws a {@link TeeException} carrying that status when the
 * firmware refuses. A refused command leaves the guest context as it was.
 */
@ProviderType
public interface LaunchSession {

    /** @return the firmware's handle for this guest */
    long handle();

    /** @return the key slot the guest's memory is encrypted under */
    KeySlot keySlot();

    /**
     * Encrypts pages in place and measures them by type (SEV LAUNCH_UPDATE_DATA, SNP_LAUNCH_UPDATE,
     * TDH.MEM.PAGE.ADD and TDH.MR.EXTEND).
     *
     * @param guestPhysicalAddress page-aligned start
     * @param length bytes; rounded up to whole pages
     * @param type how the pages enter the guest
     * @throws TeeException with the vendor's status: after the launch was measured (SEV {@code INVALID_GUEST_STATE},
     *             TDX {@code TDX_OP_STATE_INCORRECT}), for a page type not among
     *             {@link LaunchService#pageTypes()}, for an unaligned address
     */
    void addPages(long guestPhysicalAddress, long length, PageType type);

    /**
     * Encrypts and measures a vCPU's initial register state, as the TEE's firmware command for it does.
     *
     * @param vcpu the vCPU index
     * @throws TeeException with {@code UNSUPPORTED} if the TEE does not protect register state, or
     *             {@code INVALID_GUEST_STATE}
     */
    void addVcpuState(int vcpu);

    /**
     * Closes the measured part of the launch and returns the measurement for the guest owner (SEV LAUNCH_MEASURE).
     *
     * @return the measurement in the vendor's format
     * @throws TeeException with {@code INVALID_GUEST_STATE} if called twice
     */
    Measurement measure();

    /**
     * Injects a secret the guest owner wrapped for this launch (SEV LAUNCH_SECRET). The firmware checks the
     * packet's MAC, decrypts it and writes it into guest memory under the guest key.
     *
     * @param packet the wrapped secret
     * @throws TeeException with {@code BAD_MEASUREMENT} for a bad MAC, {@code INVALID_GUEST_STATE} before
     *             {@link #measure()} or after {@link #finish()}
     */
    void injectSecret(SecretPacket packet);

    /**
     * Finishes the launch; the guest may run (SEV LAUNCH_FINISH, SNP_LAUNCH_FINISH, TDH.MR.FINALIZE).
     *
     * @throws TeeException with {@code INVALID_GUEST_STATE} in the wrong state
     */
    void finish();

    /** @return the firmware commands issued so far, oldest first */
    List<LaunchLogEntry> log();
}
