package io.teebox.api.device;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.memory.HostAccess;

/**
 * A device TEE, registered with the service property {@code tee.type} by the bundle that also registers its
 * {@link io.teebox.api.tee.TeeBackend} (kind {@link io.teebox.api.tee.TeeKind#DEVICE}) and, where it has one, the
 * {@link io.teebox.api.attestation.EvidenceVerifier} for its evidence. The hypervisor's
 * {@link DeviceAssignment} attaches its devices to guests; a driver in the guest talks to a device through
 * {@link GuestDevice}, which relays to {@link #exchange} and {@link #submit}.
 */
@ProviderType
public interface DeviceTee {

    /** @return the devices, in order of their ids */
    List<DeviceInfo> devices();

    /**
     * @param id a device id
     * @return the device
     * @throws IllegalArgumentException if there is no such device, naming those there are
     */
    DeviceInfo device(String id);

    /**
     * Sets a device's confidential-computing mode from the host, as the vendor's host tool does; the device resets.
     *
     * @param id the device
     * @param mode one of {@link DeviceInfo#modes()}
     * @return the device in its new mode
     * @throws io.teebox.api.tee.TeeException with the vendor's status if a guest holds the device
     * @throws IllegalArgumentException for an unknown device or mode
     */
    DeviceInfo setMode(String id, String mode);

    /**
     * Gives a device to a guest (the hypervisor calls this). The device starts from reset: no session, its
     * protected memory cleared.
     *
     * @param id the device
     * @param host the guest and its DMA window
     * @throws io.teebox.api.tee.TeeException with the vendor's status if the device refuses the guest, for example a
     *             device in a confidential mode given to a guest that is not a confidential VM
     */
    void attach(String id, DeviceHost host);

    /**
     * Takes a device from its guest: sessions end, keys and protected memory are scrubbed.
     *
     * @param id the device
     */
    void detach(String id);

    /**
     * One message to the device's security protocol responder and its answer, bit-exact in the vendor's protocol
     * (DSP0274 SPDM, or a DSP0277 secured message), as the host's transport (PCIe DOE, a driver mailbox) carries
     * them: the host sees and can change every byte.
     *
     * @param id the device
     * @param message the request
     * @return the response (an SPDM ERROR response rather than an exception for a protocol error)
     * @throws io.teebox.api.tee.TeeException if no guest holds the device
     */
    byte[] exchange(String id, byte[] message);

    /**
     * One work submission from the guest's driver and its completion, in the vendor's encoding (a copy between a
     * bounce buffer and device memory, for example); the host relays it and sees it.
     *
     * @param id the device
     * @param command the submission
     * @return the completion
     * @throws io.teebox.api.tee.TeeException with the vendor's status if the device refuses the work
     */
    byte[] submit(String id, byte[] command);

    /**
     * What a host access to device memory yields (a BAR access, as the host's tools make it).
     *
     * @param id the device
     * @param deviceAddress the device memory address
     * @param access the kind of access, {@link HostAccess#READ} or {@link HostAccess#WRITE}
     * @param data for a write, the bytes written; for a read, a buffer whose length is how much to read
     * @return for a read, the bytes and the outcome; for a write, an empty read with the outcome
     * @throws IllegalArgumentException for an address range outside device memory
     */
    HostRead hostAccess(String id, long deviceAddress, HostAccess access, byte[] data);
}
