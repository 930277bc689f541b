package io.teebox.tpm.guest;

import java.security.cert.X509Certificate;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The vTPMs of the platform's confidential guests. */
@ProviderType
public interface GuestTpms {

    /**
     * The guest's vTPM, provisioned at the first call: fresh seeds, TPM2_Startup, the EK (TCG template L-1,
     * RSA-2048) with a certificate from the vTPM CA in NV index {@value GuestTpm#EK_CERT_INDEX}, the AK and the
     * decryption key, all kept in the guest's own pages.
     *
     * @param guest a running SEV-SNP or TDX guest
     * @return its vTPM
     * @throws io.teebox.api.tee.TeeException INVALID_GUEST_STATE if the guest does not run
     * @throws IllegalArgumentException for an unknown guest or a TEE without the evidence a vTPM binds to
     */
    GuestTpm of(String guest);

    /**
     * @param guest a guest
     * @return its vTPM if one was provisioned (its pages hold one)
     */
    Optional<GuestTpm> find(String guest);

    /** @return the vTPM CA's certificate, the root of every EK certificate; the same in every run of the machine */
    X509Certificate caCertificate();
}
