package io.teebox.attestation.api;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.attestation.CompositeEvidence;
import io.teebox.api.attestation.Evidence;

/**
 * The attestation service in-process, as its HTTP endpoints offer it: a relying party (a key broker) asks for a
 * challenge, passes the evidence a guest made with {@link #reportData report data} binding the challenge's nonce and
 * its runtime data, and gets a signed EAR token (a JWT) whatever the evidence's trustworthiness; it later
 * {@link #verify verifies} tokens presented to it.
 */
@ProviderType
public interface AttestationTokens {

    /** @return a new single-use challenge */
    Challenge challenge();

    /**
     * What a guest's evidence must carry as report data to bind a nonce and runtime data: the SHA-384 of the RFC 8785
     * canonical JSON of the runtime data, zero-padded or truncated to the format's report-data field.
     *
     * @param format the evidence format, for example {@code sev-snp-report}
     * @param nonce the challenge nonce, which the runtime data's {@code nonce} member must equal
     * @param runtimeDataJson the runtime data, a JSON object such as Trustee's {@code {nonce, tee-pubkey}}
     * @return the report data
     * @throws AttestationRefused (400) for runtime data that is not such an object
     */
    byte[] reportData(String format, String nonce, String runtimeDataJson);

    /**
     * Appraises evidence against the attestation policy in force and signs the result.
     *
     * @param evidence the evidence
     * @param nonce a nonce from {@link #challenge()}, used up by this call
     * @param runtimeDataJson the runtime data bound in the evidence's report data (see {@link #reportData})
     * @return the EAR token, compact JWS
     * @throws AttestationRefused when the request is malformed, the nonce unknown, used or expired, the evidence
     *         not bound to the nonce and runtime data, or the verifier fails
     */
    String attest(Evidence evidence, String nonce, String runtimeDataJson);

    /**
     * Appraises composite evidence, a CVM's and that of the devices assigned to it, into one token with a submod per
     * part ({@code cpu0}, {@code gpu0}, ...). Every part binds the same hash of the nonce and runtime data, fitted to
     * its format's field: a GPU's 32-byte SPDM nonce is {@link #reportData reportData}{@code
     * ("nvidia-gpu-spdm-measurements", nonce, runtimeDataJson)}, the first 32 bytes of the CPU's report data.
     *
     * @param evidence the parts, {@code cpu0} (the CPU TEE's evidence) first
     * @param nonce a nonce from {@link #challenge()}, used up by this call
     * @param runtimeDataJson the runtime data bound in every part (see {@link #reportData})
     * @return the EAR token, compact JWS
     * @throws AttestationRefused as {@link #attest(Evidence, String, String)} does, and (400) for a part whose format
     *         has no verifier or (403) a part that does not bind the nonce, naming the part
     * @throws UnsupportedOperationException by a provider that appraises only single evidence, for more than one part
     * @since 1.1
     */
    default String attest(CompositeEvidence evidence, String nonce, String runtimeDataJson) {
        if (evidence.parts().size() == 1 && evidence.parts().containsKey("cpu0")) {
            return attest(evidence.part("cpu0"), nonce, runtimeDataJson);
        }
        throw new UnsupportedOperationException("this attestation service appraises single evidence only");
    }

    /**
     * Verifies a token as a relying party: its signature with the service's signing key and its expiry.
     *
     * @param token a compact JWS
     * @return its claims (JSON values as maps, lists, strings, numbers and booleans)
     * @throws AttestationRefused (401) for a token that does not parse, is not signed by this service or expired
     */
    Map<String, Object> verify(String token);

    /** @return the JWKS with the service's signing key */
    String jwks();
}
