package io.teebox.api.launch;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.tee.TeeException;

/**
 * A TEE's launch state machine and guest-context commands behind one vendor-neutral interface. Registered with the
 * {@code tee.type} service property. Guest contexts are held by the secure processor, not by this service, so they
 * survive a restart or update of the backend bundle.
 */
@ProviderType
public interface LaunchService {

    /**
     * Starts a launch (SEV LAUNCH_START, SNP_LAUNCH_START, TDH.MNG.CREATE/INIT): creates a guest context, checks the
     * policy against the platform, unwraps the owner's session and allocates a key slot.
     *
     * @param request policy, owner parameters and vCPUs
     * @param memory the guest's memory as the firmware reaches it
     * @return the session
     * @throws TeeException with the vendor status, for example {@code POLICY_FAILURE}, {@code BAD_MEASUREMENT}
     *             (a wrong session MAC) or {@code RESOURCE_LIMIT} (no free key slot)
     */
    LaunchSession begin(LaunchRequest request, GuestMemory memory);

    /**
     * The page types {@link LaunchSession#addPages} takes on this TEE; it refuses the others with the vendor's
     * status (SEV {@code UNSUPPORTED}, TDX {@code TDX_OPERAND_INVALID}).
     *
     * @return the page types, never empty
     */
    default java.util.Set<PageType> pageTypes() {
        return java.util.EnumSet.of(PageType.NORMAL);
    }

    /**
     * @param handle a guest handle
     * @return the guest context's status
     * @throws TeeException with {@code INVALID_GUEST} if the firmware has no such guest
     */
    GuestStatus status(long handle);

    /**
     * The guest context's state alone, what {@link GuestStatus#state()} says, without the details a status
     * gathers: the hypervisor asks it of every guest when a backend comes back. The default asks
     * {@link #status(long)}; a backend whose status is costly (SNP lists RMP entries) answers it directly.
     *
     * @param handle a guest handle
     * @return the firmware's guest state name, for example {@code "RUNNING"}
     * @throws TeeException with {@code INVALID_GUEST} if the firmware has no such guest
     * @since 2.1
     */
    default String state(long handle) {
        return status(handle).state();
    }

    /**
     * Makes the guest's key usable by the memory controller again after {@link #deactivate(long)} (SEV ACTIVATE).
     *
     * @param handle a guest handle
     * @throws TeeException with {@code INVALID_GUEST} or {@code ASID_OWNED}
     */
    void activate(long handle);

    /**
     * Unbinds the guest's key from the memory controller; its memory cannot be read until it is activated again
     * (SEV DEACTIVATE).
     *
     * @param handle a guest handle
     * @throws TeeException with {@code INVALID_GUEST}
     */
    void deactivate(long handle);

    /**
     * Destroys the guest context and frees its key slot (SEV DECOMMISSION, TDH.MNG.KEY.FREEID).
     *
     * @param handle a guest handle
     * @throws TeeException with {@code INVALID_GUEST} or {@code ACTIVE} (deactivate first)
     */
    void decommission(long handle);

    /**
     * Decrypts guest memory for a debugger (SEV DBG_DECRYPT), only if the guest policy allows debugging.
     *
     * @param handle a guest handle
     * @param memory the guest's memory
     * @param guestPhysicalAddress start address
     * @param length number of bytes
     * @return the plaintext
     * @throws TeeException with {@code POLICY_FAILURE} if the policy forbids debugging
     */
    byte[] debugDecrypt(long handle, GuestMemory memory, long guestPhysicalAddress, int length);
}
