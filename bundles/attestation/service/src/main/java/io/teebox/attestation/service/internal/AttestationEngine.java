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
import io.teebox.api.attestation.CompositeEvidence;
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
 * <p>
 * Composite evidence (Trustee's {@code additional_evidence}): the request's {@code evidence} is the primary part
 * {@code cpu0} and {@code additional_evidence} maps further parts ({@code gpu0}, {@code gpu1}) to evidence of the same
 * shape. Each part is appraised by the verifier of its format with the policy's rules for that format, and each must
 * bind the same hash of the nonce and runtime data, fitted to its own field: a GPU's 32-byte SPDM nonce is the first
 * 32 bytes of the CPU's report data (Trustee's {@code regularize_data}); a part that does not is refused (403) naming
 * it. The token has one submod per part.
 */
final class AttestationEngine {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    private static final Set<String> REQUEST_MEMBERS = Set.of("evidence", "nonce", "runtime_data",
            "runtime_data_hash_algorithm", "policy_id", "additional_evidence");
    /** The primary part of composite evidence: the CPU TEE's evidence, the request's {@code evidence}. */
    static final String PRIMARY = "cpu0";

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
        Map<String, Evidence> parts = new LinkedHashMap<>();
        parts.put(PRIMARY, evidence(ev, "evidence"));
        additional(request.get("additional_evidence"), parts);
        String nonce = optionalString(request, "nonce");
        JsonElement runtimeData = request.get("runtime_data");
        if (nonce == null && runtimeData instanceof JsonObject rd && rd.get("nonce") instanceof JsonPrimitive p
                && p.isString()) {
            nonce = p.getAsString();
        }
        if (nonce == null) {
            throw Problem.malformed("nonce is missing: ask POST /challenge for one");
        }
        return attest(new CompositeEvidence(parts), nonce, runtimeData,
                optionalString(request, "runtime_data_hash_algorithm"), optionalString(request, "policy_id"));
    }

    /** @return the evidence of a request member {format, evidence, certificates?} */
    private static Evidence evidence(JsonObject ev, String where) {
        for (String k : ev.keySet()) {
            if (!Set.of("format", "evidence", "certificates").contains(k)) {
                throw Problem.malformed(where + ": unknown member '" + k + "'; accepted: format, evidence, "
                        + "certificates");
            }
        }
        String format = string(ev, "format", where + ".format");
        byte[] report = base64(string(ev, "evidence", where + ".evidence"), where + ".evidence");
        return new Evidence(format, report, certificates(ev.get("certificates"), where + ".certificates"), Map.of());
    }

    /** Adds the parts of {@code additional_evidence} (absent, null or {} for none), checking their names. */
    private static void additional(JsonElement v, Map<String, Evidence> parts) {
        if (v == null || v.isJsonNull()) {
            return;
        }
        if (!(v instanceof JsonObject o)) {
            throw Problem.malformed("additional_evidence is " + Binding.kind(v) + "; it must be an object of "
                    + "component name to evidence {format, evidence (base64), certificates?}, e.g. {\"gpu0\": {...}}");
        }
        for (String name : o.keySet()) {
            String where = "additional_evidence." + name;
            if (name.equals(PRIMARY)) {
                throw Problem.malformed(where + ": " + PRIMARY + " is the primary evidence, the request's member "
                        + "evidence; name the others gpu0, gpu1, ...");
            }
            try {
                new CompositeEvidence(Map.of(name, new Evidence("-", new byte[0], List.of(), Map.of())));
            } catch (IllegalArgumentException e) {
                throw Problem.malformed(where + ": " + e.getMessage());
            }
            if (!(o.get(name) instanceof JsonObject ev)) {
                throw Problem.malformed(where + " is " + Binding.kind(o.get(name)) + "; it must be an object "
                        + "{format, evidence (base64), certificates?}");
            }
            parts.put(name, evidence(ev, where));
        }
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
        return attest(new CompositeEvidence(Map.of(PRIMARY, evidence)), nonce, runtimeData, hashAlgorithm, policyId);
    }

    /**
     * Appraises composite evidence into one token with a submod per part: the in-process entry for a CVM's evidence
     * and that of the devices assigned to it (attest:guest with GPUs). Every part's report data must be the binding
     * of the nonce and runtime data fitted to its format's field ({@link Binding#field}); for a GPU, the 32-byte SPDM
     * nonce it was asked with is {@code Binding.of(GPU_FORMAT, nonce, runtimeData, hashAlgorithm).reportData()}.
     *
     * @param evidence the parts: {@value #PRIMARY} first (the CPU TEE's evidence, whose format selects the policy),
     *            then the devices ({@code gpu0}, {@code gpu1})
     * @param nonce the challenge nonce
     * @param runtimeData the runtime data, or null
     * @param hashAlgorithm the binding's hash, or null for sha384
     * @param policyId the policy asked for, or null
     * @return the token
     * @throws Problem when the request is refused: 400 for a part without a verifier, 401 for the nonce, 403 for a
     *         part that does not bind the nonce and runtime data
     */
    String attest(CompositeEvidence evidence, String nonce, JsonElement runtimeData, String hashAlgorithm,
            String policyId) {
        Evidence primary = evidence.parts().get(PRIMARY);
        if (primary == null || !evidence.parts().keySet().iterator().next().equals(PRIMARY)) {
            throw Problem.malformed("composite evidence must start with its primary part " + PRIMARY + " (the CPU "
                    + "TEE's evidence); parts: " + evidence.parts().keySet());
        }
        boolean composite = evidence.parts().size() > 1;
        Map<String, EvidenceVerifier> verifierOf = new LinkedHashMap<>();
        evidence.parts().forEach((name, e) -> {
            EvidenceVerifier verifier = verifiers.apply(e.format());
            if (verifier == null) {
                throw new Problem(400, "UnsupportedFormat", (composite ? name + ": " : "") + "no verifier for "
                        + "evidence format '" + e.format() + "' is present; present: " + formats.get());
            }
            verifierOf.put(name, verifier);
        });
        Binding.Bound binding = Binding.of(primary.format(), nonce, runtimeData, hashAlgorithm);
        AttestationPolicy policy = policies.select(policyId, primary.format());
        switch (nonces.consume(nonce)) {
            case UNKNOWN -> throw new Problem(401, "InvalidNonce", "nonce " + abbreviate(nonce) + " was not issued "
                    + "here or was already used: ask POST /challenge for a new one");
            case EXPIRED -> throw new Problem(401, "ExpiredNonce", "nonce " + abbreviate(nonce) + " expired (nonces "
                    + "are valid for " + nonces.lifetime().toSeconds() + " s): ask POST /challenge for a new one");
            default -> {
            }
        }
        List<byte[]> trusted = roots.get();
        Map<String, Appraisal> submods = new LinkedHashMap<>();
        Map<String, List<Check>> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Evidence> part : evidence.parts().entrySet()) {
            String name = part.getKey();
            Evidence e = part.getValue();
            AttestationPolicy.Rules rules = policy.rules(e.format());
            Map<String, String> refs = new LinkedHashMap<>(rules.referenceValues());
            byte[] expected = name.equals(PRIMARY) ? binding.reportData() : binding.reportDataOf(e.format());
            if (!name.equals(PRIMARY)) {
                refs.put("report_data", Hex.encode(expected)); // the device's verifier checks its nonce too
            }
            Appraisal appraisal;
            try {
                appraisal = verifierOf.get(name).verify(e, new VerificationOptions(clock, trusted, refs,
                        rules.policy()));
            } catch (RuntimeException x) {
                throw new Problem(500, "VerifierFailure", (composite ? name + ": " : "") + "the " + e.format()
                        + " verifier failed: " + x.getClass().getSimpleName() + ": " + x.getMessage());
            }
            List<Check> checks = new ArrayList<>();
            checks.add(name.equals(PRIMARY) ? bindPrimary(appraisal, binding, primary.format(), nonce)
                    : bindPart(name, e.format(), appraisal, expected, nonce));
            rules.anyOf().forEach((n, accepted) -> checks.add(anyOf(n, accepted, appraisal)));
            rules.claims().forEach((n, accepted) -> checks.add(claim(n, accepted, appraisal)));
            submods.put(name, appraisal);
            extra.put(name, checks);
        }
        Appraisal appraisal = composite ? Appraisal.composite(submods, List.of()) : submods.get(PRIMARY);
        Instant now = clock.instant();
        EarClaims.Context c = new EarClaims.Context(nonce, now, now.plus(tokenLifetime), "https://teebox.io",
                build, policy.id(), binding);
        return signer.sign(EarClaims.of(appraisal, extra, c));
    }

    /** The primary part binds the nonce and runtime data in its report data, or the request is refused. */
    private static Check bindPrimary(Appraisal appraisal, Binding.Bound binding, String format, String nonce) {
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
                    + Binding.field(format) + " bytes)");
        }
        return new Check("report_data", TrustClaim.INSTANCE_IDENTITY, Tier.AFFIRMING, "the report data is the "
                + binding.algorithm() + " of the runtime data bound to nonce " + abbreviate(nonce));
    }

    /**
     * A further part (a GPU) binds the same hash as the primary, fitted to its field, or the request is refused:
     * evidence of a device of another CVM, or a replayed report, answers another nonce.
     */
    private static Check bindPart(String name, String format, Appraisal appraisal, byte[] expected, String nonce) {
        boolean gpu = format.equals(Binding.GPU_FORMAT);
        String what = gpu ? "SPDM nonce" : "report data";
        byte[] actual = appraisal.nonce().map(Bytes::value).orElse(null);
        if (actual == null) {
            throw new Problem(403, "EvidenceNotBound", name + "'s evidence gives no " + what + ", so it cannot "
                    + "bind the nonce: " + appraisal.failures());
        }
        if (!Arrays.equals(actual, expected)) {
            throw new Problem(403, "EvidenceNotBound", name + "'s " + what + " " + Hex.encode(actual) + " is not "
                    + "the first " + expected.length + " bytes of the binding " + Hex.encode(expected) + " (the "
                    + PRIMARY + " report data's hash of the nonce and runtime data)" + (gpu ? ": GPU evidence from "
                    + "another CVM or a replayed report" : ""));
        }
        return new Check("binding", TrustClaim.INSTANCE_IDENTITY, Tier.AFFIRMING, name + "'s " + what + " is the "
                + "first " + expected.length + " bytes of the hash " + PRIMARY + "'s report data carries, bound to "
                + "nonce " + abbreviate(nonce));
    }

    /** A claim the policy demands: present, and one of the accepted values as text without regard to case. */
    static Check claim(String name, List<String> accepted, Appraisal a) {
        Object v = a.claims().get(name);
        TrustClaim claim = TrustClaim.forCheck(name);
        if (v == null) {
            return new Check(name, claim, Tier.CONTRAINDICATED, "the evidence gives no claim '" + name + "', which "
                    + "the policy demands to be " + (accepted.size() == 1 ? accepted.get(0) : "one of " + accepted)
                    + "; the verifier's claims are " + a.claims().keySet());
        }
        String got = v instanceof Bytes b ? b.hex() : String.valueOf(v).trim();
        for (String want : accepted) {
            if (got.equalsIgnoreCase(want)) {
                return new Check(name, claim, Tier.AFFIRMING, name + " is " + got + ", as the policy demands");
            }
        }
        return new Check(name, claim, Tier.CONTRAINDICATED, name + " is " + got + ", the policy demands "
                + (accepted.size() == 1 ? accepted.get(0) : "one of " + accepted));
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
        return certificates(v, "evidence.certificates");
    }

    /** The certificates of a request member ({@code where} names it in messages). */
    static List<byte[]> certificates(JsonElement v, String where) {
        List<byte[]> out = new ArrayList<>();
        if (v == null || v.isJsonNull()) {
            return out;
        }
        if (v instanceof JsonPrimitive p && p.isString()) {
            Matcher m = PEM.matcher(p.getAsString());
            while (m.find()) {
                out.add(base64(m.group(2), where + " PEM block " + (out.size() + 1)));
            }
            if (out.isEmpty()) {
                throw Problem.malformed(where + " is a string without a complete PEM block");
            }
            return out;
        }
        if (v instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                JsonElement c = a.get(i);
                if (!(c instanceof JsonPrimitive p && p.isString())) {
                    throw Problem.malformed(where + "[" + i + "] is " + Binding.kind(c)
                            + "; it must be base64 DER");
                }
                out.add(base64(p.getAsString(), where + "[" + i + "]"));
            }
            return out;
        }
        throw Problem.malformed(where + " is " + Binding.kind(v) + "; accepted: a list of base64 DER "
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
