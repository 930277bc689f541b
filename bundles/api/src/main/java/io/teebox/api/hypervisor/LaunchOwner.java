package io.teebox.api.hypervisor;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.tee.BackendDescriptor;

/**
 * The guest owner's side of a launch, called by the hypervisor: it supplies the launch parameters (policy and an
 * owner session wrapped for this platform) and, once the firmware has measured the guest, checks the measurement
 * and releases its secrets. The owner sees only what crosses the host: the platform's public certificates and the
 * measurement.
 */
@ConsumerType
public interface LaunchOwner {

    /**
     * @param backend the platform the guest will run on
     * @param platformCertificates the platform's public certificates (SEV: PDH, PEK, OCA, CEK)
     * @param config the guest being launched
     * @return the launch request, with the owner session
     * @throws LaunchRejectedException if the owner will not launch on this platform
     */
    LaunchRequest start(BackendDescriptor backend, Map<String, byte[]> platformCertificates, GuestConfig config);

    /**
     * @param measurement the firmware's launch measurement
     * @return the secrets to inject, possibly none
     * @throws LaunchRejectedException if the measurement is not the expected one; the launch is then abandoned
     */
    List<SecretPacket> approve(Measurement measurement);
}
