package io.teebox.attestation.service.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.appraisal.Tier;
import io.teebox.api.appraisal.TrustClaim;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.hex.Hex;

/**
 * The attestation service without its transport: challenges, and attestation requests appraised by the verifier of
 * their format against the policy in force and answered with a signed EAR.
 * <p>
 * An attest request is refused (a {@link Problem}) when it is malformed (400), when its nonce is unknown, reused or
 * expired (401), and when the evidence's report data is not the binding of the nonce and runtime data (403); every
 * other outcome, however bad the evidence, is a token whose trustworthiness vector says what failed and why.
 */
final class AttestationEngine {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    private static final Set<String> REQUEST_MEMBERS = Set.of("evidence", "nonce", "runtime_data",
            "runtime_data_hash_algorithm", "policy_id");

    private final Nonces nonces;
    private final PolicyDirectory policies;
    private final Function<String, EvidenceVerifier> verifiers;
    private final Supplier<Collection<String>> formats;
    private final Supplier<List<byte[]>> roots;
    private final EarSigner signer;
    private final Clock clock;
    private final Duration tokenLifetime;
    private final String build;

    /**
     * @param nonces the challenges
     * @param policies the policies in force
     * @param verifiers the verifier of a format, or null if none is present
     * @param formats the formats verifiers are present for, for messages
     * @param roots the trusted roots (DER), asked at each request
     * @param signer the token signer
     * @param clock the time
     * @param tokenLifetime how long a token is valid
     * @param build {@code ear.verifier-id.build}
     */
    AttestationEngine(Nonces nonces, PolicyDirectory policies, Function<String, EvidenceVerifier> verifiers,
            Supplier<Collection<String>> formats, Supplier<List<byte[]>> roots, EarSigner signer, Clock clock,
            Duration tokenLifetime, String build) {
        this.nonces = nonces;
        this.policies = policies;
        this.verifiers = verifiers;
        this.formats = formats;
        this.roots = roots;
        this.signer = signer;
        this.clock = clock;
        this.tokenLifetime = tokenLifetime;
        this.build = build;
    }

    /** @return the challenge as the endpoint answers it: {@code {nonce, expires}} */
    JsonObject challenge() {
        Nonces.Challenge c = nonces.issue();
        JsonObject o = new JsonObject();
        o.addProperty("nonce", c.nonce());
        o.addProperty("expires", c.expires().toString());
        return o;
    }

    /** @return the signer */
    EarSigner signer() {
        return signer;
    }

    /** @return the policies */
    PolicyDirectory policies() {
        return policies;
    }

    /**
     * @param body the request body, JSON text
     * @return the token
     * @throws Problem when the request is refused
     */
    String attest(String body) {
        JsonElement e;
        try {
            e = StrictJson.parse(body);
        } catch (IllegalArgumentException x) {
            throw Problem.malformed("the request body is " + x.getMessage());
        }
        if (!(e instanceof JsonObject request)) {
            throw Problem.malformed("the request body must be a JSON object {evidence, nonce, runtime_data?}");
        }
        for (String k : request.keySet()) {
            if (!REQUEST_MEMBERS.contains(k)) {
                throw Problem.malformed("unknown member '" + k + "'; accepted: " + REQUEST_MEMBERS);
            }
        }
        if (!(request.get("evidence") instanceof JsonObject ev)) {
            throw Problem.malformed("evidence is missing or not an object {format, evidence (base64), "
                    + "certificates?}");
        }
        for (String k : ev.keySet()) {
            if (!Set.of("format", "evidence", "certificates").contains(k)) {
                throw Problem.malformed("evidence: unknown member '" + k + "'; accepted: format, evidence, "
                        + "certificates");
            }
        }
        String format = string(ev, "format", "evidence.format");
        byte[] report = base64(string(ev, "evidence", "evidence.evidence"), "evidence.evidence");
        List<byte[]> certificates = certificates(ev.get("certificates"));
        String nonce = optionalString(request, "nonce");
        JsonElement runtimeData = request.get("runtime_data");
        if (nonce == null && runtimeData instanceof JsonObject rd && rd.get("nonce") instanceof JsonPrimitive p
                && p.isString()) {
            nonce = p.getAsString();
        }
        if (nonce == null) {
            throw Problem.malformed("nonce is missing: ask POST /challenge for one");
        }
        return attest(new Evidence(format, report, certificates, Map.of()), nonce, runtimeData,
                optionalString(request, "runtime_data_hash_algorithm"), optionalString(request, "policy_id"));
    }

    /**
     * @param evidence the evidence
     * @param nonce the challenge nonce
     * @param runtimeData the runtime data, or null
     * @param hashAlgorithm the binding's hash, or null for sha384
     * @param policyId the policy asked for, or null
     * @return the token
     * @throws Problem when the request is refused
     */
    String attest(Evidence evidence, String nonce, JsonElement runtimeData, String hashAlgorithm, String policyId) {
        EvidenceVerifier verifier = verifiers.apply(evidence.format());
        if (verifier == null) {
            throw new Problem(400, "UnsupportedFormat", "no verifier for evidence format '" + evidence.format()
                    + "' is present; present: " + formats.get());
        }
        Binding.Bound binding = Binding.of(evidence.format(), nonce, runtimeData, hashAlgorithm);
        AttestationPolicy policy = policies.select(policyId, evidence.format());
        switch (nonces.consume(nonce)) {
            case UNKNOWN -> throw new Problem(401, "InvalidNonce", "nonce " + abbreviate(nonce) + " was not issued "
                    + "here or was already used: ask POST /challenge for a new one");
            case EXPIRED -> throw new Problem(401, "ExpiredNonce", "nonce " + abbreviate(nonce) + " expired (nonces "
                    + "are valid for " + nonces.lifetime().toSeconds() + " s): ask POST /challenge for a new one");
            default -> {
            }
        }
        AttestationPolicy.Rules rules = policy.rules(evidence.format());
        Appraisal appraisal;
        try {
            appraisal = verifier.verify(evidence, new VerificationOptions(clock, roots.get(),
                    rules.referenceValues(), rules.policy()));
        } catch (RuntimeException x) {
            throw new Problem(500, "VerifierFailure", "the " + evidence.format() + " verifier failed: "
                    + x.getClass().getSimpleName() + ": " + x.getMessage());
        }
        byte[] actual = appraisal.nonce().map(Bytes::value).orElse(null);
        if (actual == null) {
            throw new Problem(403, "EvidenceNotBound", "the evidence gives no report data, so it cannot bind the "
                    + "nonce: " + appraisal.failures());
        }
        int n = Math.max(actual.length, binding.reportData().length);
        if (!Arrays.equals(Arrays.copyOf(actual, n), Arrays.copyOf(binding.reportData(), n))) {
            throw new Problem(403, "EvidenceNotBound", "the evidence's report data " + Hex.encode(actual)
                    + " is not the binding of the nonce and runtime data, " + Hex.encode(binding.reportData())
                    + " (" + binding.algorithm() + " of " + describe(binding) + ", zero-padded to "
                    + Binding.field(evidence.format()) + " bytes)");
        }
        List<Check> extra = new ArrayList<>();
        extra.add(new Check("report_data", TrustClaim.INSTANCE_IDENTITY, Tier.AFFIRMING, "the report data is the "
                + binding.algorithm() + " of the runtime data bound to nonce " + abbreviate(nonce)));
        rules.anyOf().forEach((name, accepted) -> extra.add(anyOf(name, accepted, appraisal)));
        Instant now = clock.instant();
        EarClaims.Context c = new EarClaims.Context(nonce, now, now.plus(tokenLifetime), "https://teebox.io",
                build, policy.id(), binding);
        return signer.sign(EarClaims.of(appraisal, extra, c));
    }

    /** A reference value with several accepted values, checked against the verifier's claim of that name. */
    static Check anyOf(String name, List<String> accepted, Appraisal a) {
        Object v = a.claims().get(name);
        String got = v == null ? null : v instanceof Bytes b ? b.hex() : String.valueOf(v).trim().split("\\s+")[0];
        TrustClaim claim = TrustClaim.forCheck(name);
        if (got == null || !got.matches("(0[xX])?([0-9a-fA-F]{2})+")) {
            return new Check(name, claim, Tier.CONTRAINDICATED, "the evidence gives no hex claim '" + name
                    + "' to compare with the policy's " + accepted.size() + " accepted values");
        }
        String g = got.replaceFirst("^0[xX]", "").toLowerCase(Locale.ROOT);
        for (String want : accepted) {
            int len = Math.max(g.length(), want.length());
            if (pad(g, len).equals(pad(want, len))) {
                return new Check(name, claim, Tier.AFFIRMING, name + " is one of the policy's accepted values");
            }
        }
        return new Check(name, claim, Tier.CONTRAINDICATED, name + " is " + g + ", none of the policy's "
                + accepted.size() + " accepted values " + accepted);
    }

    private static String pad(String hex, int len) {
        return hex + "0".repeat(len - hex.length());
    }

    private static String describe(Binding.Bound b) {
        if (b.runtimeDataClaims() != null) {
            return io.teebox.attestation.api.CanonicalJson.write(b.runtimeDataClaims());
        }
        return "the nonce followed by " + (b.hashed().length) + " bytes of raw runtime data";
    }

    private static String abbreviate(String nonce) {
        String safe = nonce.replaceAll("[^A-Za-z0-9_=+/-]", "?");
        return safe.length() <= 16 ? "'" + safe + "'" : "'" + safe.substring(0, 12) + "...'";
    }

    private static String string(JsonObject o, String name, String where) {
        JsonElement v = o.get(name);
        if (!(v instanceof JsonPrimitive p && p.isString()) || p.getAsString().isEmpty()) {
            throw Problem.malformed(where + " is " + (v == null ? "missing" : Binding.kind(v))
                    + "; it must be a non-empty string");
        }
        return p.getAsString();
    }

    private static String optionalString(JsonObject o, String name) {
        JsonElement v = o.get(name);
        if (v == null || v.isJsonNull()) {
            return null;
        }
        if (!(v instanceof JsonPrimitive p && p.isString())) {
            throw Problem.malformed(name + " is " + Binding.kind(v) + "; it must be a string");
        }
        return p.getAsString();
    }

    static byte[] base64(String text, String where) {
        try {
            // strict: the MIME decoder would skip any character that is not base64 and accept garbage
            String t = text.replaceAll("\\s+", "");
            byte[] b = t.contains("-") || t.contains("_") ? Base64.getUrlDecoder().decode(t)
                    : Base64.getDecoder().decode(t);
            if (b.length == 0) {
                throw new IllegalArgumentException("it is empty");
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw Problem.malformed(where + " is not base64: " + e.getMessage());
        }
    }

    /** The certificates: a list of base64 DER, or one PEM text of {@code CERTIFICATE} blocks. */
    static List<byte[]> certificates(JsonElement v) {
        List<byte[]> out = new ArrayList<>();
        if (v == null || v.isJsonNull()) {
            return out;
        }
        if (v instanceof JsonPrimitive p && p.isString()) {
            Matcher m = PEM.matcher(p.getAsString());
            while (m.find()) {
                out.add(base64(m.group(2), "evidence.certificates PEM block " + (out.size() + 1)));
            }
            if (out.isEmpty()) {
                throw Problem.malformed("evidence.certificates is a string without a complete PEM block");
            }
            return out;
        }
        if (v instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                JsonElement c = a.get(i);
                if (!(c instanceof JsonPrimitive p && p.isString())) {
                    throw Problem.malformed("evidence.certificates[" + i + "] is " + Binding.kind(c)
                            + "; it must be base64 DER");
                }
                out.add(base64(p.getAsString(), "evidence.certificates[" + i + "]"));
            }
            return out;
        }
        throw Problem.malformed("evidence.certificates is " + Binding.kind(v) + "; accepted: a list of base64 DER "
                + "certificates (leaf first) or a PEM text");
    }

    /** @return the trusted roots from PEM text, for the configured root files */
    static List<byte[]> pemCertificates(String text) {
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            out.add(Base64.getDecoder().decode(m.group(2).replaceAll("\\s+", "")));
        }
        return out;
    }

    /** @return the policies and refused files as JSON, for {@code GET /policies} */
    JsonObject policiesJson() {
        JsonObject o = new JsonObject();
        JsonArray ps = new JsonArray();
        policies.policies().values().forEach(p -> {
            JsonObject j = p.toJson();
            j.addProperty("file", policies.file(p.id()));
            ps.add(j);
        });
        o.add("policies", ps);
        JsonObject refused = new JsonObject();
        policies.refusals().forEach(refused::addProperty);
        o.add("refused", refused);
        o.addProperty("directory", policies.directory().toString());
        return o;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> copy(Map<String, String> m) {
        return new LinkedHashMap<>(m);
    }
}
