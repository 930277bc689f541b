package io.teebox.tck;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.tee.TeeBackend;

/**
 * What the device contract ({@link DeviceContract}) needs of a device TEE backend and of the platform around it.
 */
@ConsumerType
public interface DeviceSubject {

    /** @return the backend's {@code tee.type} */
    String teeType();

    /** @return the hypervisor */
    Hypervisor hypervisor();

    /** @return the hypervisor's device assignment */
    DeviceAssignment assignment();

    /** @return the backend's descriptor service */
    TeeBackend backend();

    /** @return the backend's device service */
    DeviceTee device();

    /**
     * Creates and launches a guest of a CPU TEE with memory integrity (SEV-SNP, TDX, a realm), running.
     *
     * @param name the guest's name
     */
    void launchConfidentialGuest(String name);

    /**
     * Creates and launches a guest of a CPU TEE without memory integrity (SEV), running, if the platform has one.
     *
     * @param name the guest's name
     * @return whether it did
     */
    default boolean launchPlainGuest(String name) {
        return false;
    }

    /** Updates the backend's bundle (a device firmware update) and waits until the backend is back. */
    void updateBackend();

    /**
     * @return a message in the device's transport framing whose content its security protocol responder cannot
     *         parse (an SPDM request with an unknown code), if the subject knows one: the device must answer it
     */
    default Optional<byte[]> malformedMessage() {
        return Optional.empty();
    }
}
