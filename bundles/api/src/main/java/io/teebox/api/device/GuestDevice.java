package io.teebox.api.device;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A device as a driver inside a guest reaches it, obtained from {@link DeviceAssignment#device(String, String)}.
 * Every call checks that the guest runs and holds the device and otherwise throws a
 * {@link io.teebox.api.tee.TeeException} ({@link io.teebox.api.tee.FirmwareStatus#INVALID_GUEST_STATE}, or the
 * hypervisor's {@code DEVICE_NOT_ASSIGNED}); messages pass through the host, which sees them.
 */
@ProviderType
public interface GuestDevice {

    /** @return the device's id */
    String id();

    /** @return the guest's name */
    String guest();

    /** @return the device as of now */
    DeviceInfo info();

    /**
     * @param message a security-protocol message (SPDM)
     * @return the device's answer
     * @see DeviceTee#exchange(String, byte[])
     */
    byte[] exchange(byte[] message);

    /**
     * @param command a work submission
     * @return its completion
     * @see DeviceTee#submit(String, byte[])
     */
    byte[] submit(byte[] command);
}
