package io.teebox.kbs.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.gson.Gson;
import com.google.gson.JsonParser;

import io.teebox.api.attestation.Evidence;
import io.teebox.attestation.api.AttestationRefused;
import io.teebox.attestation.api.AttestationTokens;
import io.teebox.attestation.api.Challenge;

/**
 * An attestation service for the broker's tests: evidence is the 64 bytes of report data followed by one status
 * byte (0 affirming, else contraindicated); the binding is SHA-384 of the runtime data's JSON as given (the real
 * service canonicalizes, see its own tests); tokens are opaque names of claims kept here.
 */
final class FakeTokens implements AttestationTokens {

    private final AtomicInteger n = new AtomicInteger();
    private final Map<String, Map<String, Object>> issued = new HashMap<>();
    private final java.util.Set<String> nonces = new java.util.HashSet<>();
    long now = Instant.parse("2026-03-01T10:00:00Z").getEpochSecond();

    @Override
    public synchronized Challenge challenge() {
        String nonce = "nonce-" + n.incrementAndGet();
        nonces.add(nonce);
        return new Challenge(nonce, Instant.ofEpochSecond(now + 60));
    }

    @Override
    public byte[] reportData(String format, String nonce, String runtimeDataJson) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-384").digest(runtimeDataJson
                    .getBytes(StandardCharsets.UTF_8)), 64);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] evidence(byte[] reportData, boolean affirming) {
        byte[] r = Arrays.copyOf(reportData, 65);
        r[64] = (byte) (affirming ? 0 : 1);
        return r;
    }

    @Override
    public synchronized String attest(Evidence evidence, String nonce, String runtimeDataJson) {
        if (!nonces.remove(nonce)) {
            throw new AttestationRefused(401, "InvalidNonce", "nonce " + nonce + " was not issued here");
        }
        byte[] r = evidence.report();
        if (!Arrays.equals(Arrays.copyOf(r, 64), reportData(evidence.format(), nonce, runtimeDataJson))) {
            throw new AttestationRefused(403, "EvidenceNotBound", "the report data is not the binding");
        }
        boolean ok = r[64] == 0;
        Map<String, Object> annotated = new HashMap<>();
        annotated.put("runtime_data_claims", new Gson().fromJson(JsonParser.parseString(runtimeDataJson), Map.class));
        Map<String, Object> cpu0 = new HashMap<>();
        cpu0.put("ear.status", ok ? "affirming" : "contraindicated");
        cpu0.put("ear.veraison.annotated-evidence", annotated);
        cpu0.put("teebox.reasons", ok ? List.of() : List.of(Map.of("check", "debug", "reason",
                "the guest allows debugging")));
        String token = "token-" + n.incrementAndGet();
        issued.put(token, Map.of("exp", now + 300, "eat_nonce", nonce, "submods", Map.of("cpu0", cpu0)));
        return token;
    }

    @Override
    public synchronized Map<String, Object> verify(String token) {
        Map<String, Object> c = issued.get(token);
        if (c == null) {
            throw new AttestationRefused(401, "InvalidToken", "not a token of this service");
        }
        if (now >= ((Number) c.get("exp")).longValue()) {
            throw new AttestationRefused(401, "ExpiredToken", "the token expired");
        }
        return c;
    }

    @Override
    public String jwks() {
        return "{\"keys\":[]}";
    }
}
