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

    /**
     * Decodes the report into its fields, for showing evidence field by field. Nothing is verified: a report whose
     * signature or values are wrong still decodes, as long as its structure parses.
     *
     * @param evidence the evidence, of this verifier's {@link #format()}
     * @return the report's fields in offset order as the vendor's format defines them, with their byte offsets in
     *         {@link Evidence#report()}; empty if this verifier does not decode its format (the default)
     * @throws IllegalArgumentException naming what is malformed when the report cannot be parsed (or the evidence
     *         is of another format)
     */
    default java.util.List<EvidenceField> fields(Evidence evidence) {
        return java.util.List.of();
    }
}
