package io.teebox.api.attestation;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.tee.TeeException;

/**
 * Produces evidence for a guest, binding caller-supplied report data. Registered with the {@code tee.type} service
 * property.
 */
@ProviderType
public interface AttestationService {

    /** @return the format of the evidence this service produces, for example {@code "sev-attestation"} */
    String format();

    /**
     * @param handle the firmware's guest handle
     * @param memory the guest's memory
     * @param reportData the caller's data to bind; its allowed length is the vendor's (SEV: 16-byte MNONCE,
     *            SNP and TDX: 64 bytes)
     * @return signed evidence
     * @throws TeeException with the vendor status, for example {@code INVALID_GUEST_STATE} if the guest has not
     *             been launched, or {@code INVALID_PARAM} for report data of the wrong length
     */
    Evidence attest(long handle, GuestMemory memory, byte[] reportData);
}
