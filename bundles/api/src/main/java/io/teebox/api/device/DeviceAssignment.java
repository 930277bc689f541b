package io.teebox.api.device;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The hypervisor's device assignment: which guest holds which device. An assignment outlives its device backend:
 * when the backend goes (stopped, or updated to new firmware) the guest keeps running without the device, and when
 * one of the same {@code tee.type} returns the device is attached again from reset, so the guest's driver
 * establishes a new session.
 */
@ProviderType
public interface DeviceAssignment {

    /**
     * An assignment.
     *
     * @param device the device's id
     * @param teeType the device backend's {@code tee.type}
     * @param guest the guest that holds it
     * @param present whether the device's backend is present now
     */
    record Assignment(String device, String teeType, String guest, boolean present) {
    }

    /** @return every device of every present device backend, in order of their ids */
    List<DeviceInfo> devices();

    /**
     * Attaches a device to a running guest.
     *
     * @param guest the guest
     * @param device the device's id
     * @throws io.teebox.api.tee.TeeException if the guest does not run, the device is held, or the device refuses
     * @throws IllegalArgumentException for an unknown guest or device
     */
    void attach(String guest, String device);

    /**
     * Detaches a device from its guest.
     *
     * @param guest the guest
     * @param device the device's id
     * @throws IllegalArgumentException if the guest does not hold the device
     */
    void detach(String guest, String device);

    /** @return the assignments, in order of device ids */
    List<Assignment> assignments();

    /**
     * @param guest the guest
     * @param device a device the guest holds
     * @return the device as the guest's driver reaches it
     * @throws IllegalArgumentException if the guest does not hold the device
     */
    GuestDevice device(String guest, String device);
}
