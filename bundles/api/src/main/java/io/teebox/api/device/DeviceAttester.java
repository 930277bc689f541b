package io.teebox.api.device;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.tee.Bytes;

/**
 * The guest's side of a device's attestation: the driver in a guest asks the device it holds for signed evidence
 * binding a verifier's nonce (over its secure session where it has one). Registered with {@code tee.type} by the
 * bundle holding the device's guest driver, so attestation tools compose CPU and device evidence
 * ({@link io.teebox.api.attestation.CompositeEvidence}) without knowing the vendor.
 */
@ProviderType
public interface DeviceAttester {

    /** @return the length of the nonce the device's evidence binds, in bytes (SPDM's GET_MEASUREMENTS: 32) */
    int nonceLength();

    /**
     * @param guest the guest whose driver asks
     * @param device a device the guest holds
     * @param nonce the verifier's nonce, {@link #nonceLength()} bytes
     * @return the device's evidence in its vendor's format
     * @throws io.teebox.api.tee.TeeException if the guest does not run or the device refuses
     * @throws IllegalArgumentException if the guest does not hold the device or the nonce has the wrong length
     */
    Evidence evidence(String guest, String device, Bytes nonce);
}
