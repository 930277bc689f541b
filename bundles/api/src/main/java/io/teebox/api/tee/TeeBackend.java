package io.teebox.api.tee;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A TEE backend: one per vendor bundle, registered with the service property {@code tee.type} (see
 * {@link TeeType}). The same bundle registers the backend's
 * {@link io.teebox.api.memory.MemoryEncryption}, {@link io.teebox.api.launch.LaunchService} and, where it has
 * them, {@link io.teebox.api.attestation.AttestationService} and
 * {@link io.teebox.api.attestation.EvidenceVerifier} with the same {@code tee.type}.
 */
@ProviderType
public interface TeeBackend {

    /** @return what this backend is and can do, as of now (firmware and TCB can change at runtime) */
    BackendDescriptor descriptor();

    /**
     * The platform's public certificates a guest owner needs before launch, in the vendor's encoding, for example
     * AMD's SEV-format {@code "pdh"}, {@code "pek"}, {@code "oca"} and {@code "cek"} certificates.
     *
     * @return certificates by name, in a stable order; empty if the backend needs none
     */
    Map<String, byte[]> platformCertificates();

    /**
     * Names a return code of one of this TEE's guest instructions or firmware commands, as its specification does,
     * so that generic tools can show it without a vendor table: for example SNP's PVALIDATE 1 is {@code FAIL_INPUT},
     * TDX's TDG.MEM.PAGE.ACCEPT 0xC0000B0A00000000 is {@code TDX_PAGE_ALREADY_ACCEPTED}.
     *
     * @param operation the operation, for example {@code "accept"}
     * @param code the code it returned
     * @return the name, or an empty string if the backend gives this code no name
     */
    default String returnCodeName(String operation, long code) {
        return code == 0 ? "success" : "";
    }
}
