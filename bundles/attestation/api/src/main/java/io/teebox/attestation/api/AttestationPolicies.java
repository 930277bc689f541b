package io.teebox.attestation.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The attestation service's appraisal policies and their reference values, for the operators' tools (a key broker's
 * admin API, as Trustee's {@code /attestation-policy} and {@code /reference-value}; the shell). A policy set here
 * is checked as a policy file is, stored as the service's file {@code <id>.json} in its policy directory and in force
 * when the call returns; a refused one changes nothing.
 */
@ProviderType
public interface AttestationPolicies {

    /** @return the ids of the policies in force */
    List<String> ids();

    /**
     * @param id a policy's id
     * @return the policy's JSON as its file holds it, or empty if no policy has that id
     */
    Optional<String> policy(String id);

    /**
     * Checks and stores a policy, replacing the one of the same id.
     *
     * @param id the policy's id, which the JSON's {@code id} must equal
     * @param json the policy in the service's grammar
     * @throws AttestationRefused (400) for a policy that does not parse, names an unknown reference value or policy,
     *         or whose id differs, with the reason
     */
    void setPolicy(String id, String json);

    /**
     * @param id a policy's id
     * @return its reference values: format → name → the accepted values (one or several)
     * @throws AttestationRefused (404) if no policy has that id
     */
    Map<String, Map<String, List<String>>> referenceValues(String id);

    /**
     * Sets the accepted values of one reference value of a policy, keeping the rest of the policy; a format the policy
     * did not cover yet is added with that one reference value.
     *
     * @param id the policy's id
     * @param format the evidence format, for example {@code sev-snp-report}
     * @param name the reference value's name, for example {@code measurement}
     * @param values the accepted values (hex); at least one
     * @throws AttestationRefused (404) if no policy has that id, (400) for a name the format's verifier does not know,
     *         a value that is not hex or no value
     */
    void setReferenceValues(String id, String format, String name, List<String> values);
}
