package io.teebox.api.attestation;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Appraises one evidence format: first verification (signatures and certificate chain up to a trusted root), then
 * validation (reference values and policy). Ships in the vendor bundle and is registered with the
 * {@code tee.type} service property and {@code evidence.format} set to {@link #format()}.
 */
@ProviderType
public interface EvidenceVerifier {

    /** The service property naming the format a verifier appraises. */
    String FORMAT_PROPERTY = "evidence.format";

    /** @return the evidence format this verifier appraises */
    String format();

    /**
     * Appraises evidence. Malformed evidence is not an exception: it gives an appraisal with a failed check naming
     * the malformed field.
     *
     * @param evidence the evidence
     * @param options trusted roots, reference values, policy and time
     * @return the appraisal: every check made with its outcome, the trustworthiness vector, the claims read
     */
    io.teebox.api.appraisal.Appraisal verify(Evidence evidence, VerificationOptions options);
}
