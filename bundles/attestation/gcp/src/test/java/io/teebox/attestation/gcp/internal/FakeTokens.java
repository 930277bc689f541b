package io.teebox.attestation.gcp.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.teebox.api.attestation.Evidence;
import io.teebox.attestation.api.AttestationRefused;
import io.teebox.attestation.api.AttestationTokens;
import io.teebox.attestation.api.Challenge;

/**
 * An attestation service that appraises nothing: it hands out nonces, records what it was asked to attest and
 * answers an EAR of the attestation service's shape with the TD fields the test sets.
 */
final class FakeTokens implements AttestationTokens {

    final List<String> attested = new ArrayList<>();
    final List<String> runtimeData = new ArrayList<>();
    String tdAttributes = "0x0000000000000000 (none)";
    String mrtd = "c6602765405007e21cb7a0b06c4d52d3d467277760d4fbe9cb406b6728fc9fc9eb191220b9787b7f26a57366f2b3532e";
    int instanceIdentity = 2;
    AttestationRefused refuse;
    private int n;

    @Override
    public Challenge challenge() {
        return new Challenge("nonce-" + (++n), Instant.now().plusSeconds(300));
    }

    @Override
    public byte[] reportData(String format, String nonce, String runtimeDataJson) {
        return new byte[64];
    }

    @Override
    public String attest(Evidence evidence, String nonce, String runtimeDataJson) {
        if (refuse != null) {
            throw refuse;
        }
        attested.add(evidence.format() + ":" + nonce + ":" + evidence.report().length);
        runtimeData.add(runtimeDataJson);
        return "ear-token";
    }

    @Override
    public Map<String, Object> verify(String token) {
        Map<String, Object> td = new LinkedHashMap<>();
        td.put("mrtd", mrtd);
        for (int i = 0; i < 4; i++) {
            td.put("rtmr" + i, "00".repeat(48));
        }
        td.put("mrseam", "11".repeat(48));
        td.put("td_attributes", tdAttributes);
        td.put("xfam", "0x00000000000602E7");
        td.put("tee_tcb_svn", "03000500000000000000000000000000");
        Map<String, Object> annotated = new LinkedHashMap<>();
        annotated.put("tdx", td);
        Map<String, Object> vector = new LinkedHashMap<>();
        vector.put("instance-identity", instanceIdentity);
        Map<String, Object> cpu0 = new LinkedHashMap<>();
        cpu0.put("ear.status", instanceIdentity == 2 ? "affirming" : "contraindicated");
        cpu0.put("ear.trustworthiness-vector", vector);
        cpu0.put("ear.veraison.annotated-evidence", annotated);
        cpu0.put("teebox.reasons", instanceIdentity == 2 ? List.of() : List.of(Map.of("check", "quote_signature",
                "claim", "instance-identity", "tier", "contraindicated", "reason", "the quote's signature does not "
                        + "verify with the attestation key")));
        return Map.of("submods", Map.of("cpu0", cpu0));
    }

    @Override
    public String jwks() {
        return "{\"keys\":[]}";
    }
}
