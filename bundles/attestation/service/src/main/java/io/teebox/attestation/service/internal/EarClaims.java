package io.teebox.attestation.service.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.appraisal.Tier;
import io.teebox.api.appraisal.TrustClaim;
import io.teebox.api.tee.Bytes;

/**
 * An appraisal as the claims of an EAR (draft-ietf-rats-ear, veraison/ear), in Trustee's shape: {@code eat_profile},
 * {@code iat}, {@code exp}, {@code eat_nonce}, {@code ear.verifier-id} and one submod per component ({@code cpu0},
 * and for composite evidence {@code gpu0}, {@code gpu1}, ...) with {@code ear.status},
 * {@code ear.trustworthiness-vector}, {@code ear.appraisal-policy-id} and {@code ear.veraison.annotated-evidence}
 * (the verifier's claims under Trustee's per-TEE key: {@code snp}, {@code tdx}, {@code nvgpu}); every check that did
 * not affirm is in the submod's {@code teebox.reasons}. {@code teebox.status}, at the top, is the worst submod's
 * status (EAR has no overall status; a relying party that reads only one claim reads this one).
 * <p>
 * The vector has an entry for each claim some check bore on, valued by the worst tier of those checks: affirming 2,
 * warning 32, contraindicated 96 (AR4SI's generic values of the tiers); {@code ear.status} is the worst entry.
 * Checks of the evidence's signature and chain bear on {@code instance-identity} (the evidence is not shown to come
 * from the instance it names), whatever claim the verifier gave them; the others keep the verifier's claim
 * (measurements executables, TCB hardware, debug and guest policy configuration).
 */
final class EarClaims {

    /** Trustee's EAR profile (veraison's is {@code tag:github.com,2023:veraison/ear}). */
    static final String PROFILE = "tag:github.com,2024:confidential-containers/Trustee";

    /** Checks of the evidence's own signature and chain. */
    private static final Set<String> IDENTITY_CHECKS = Set.of("signature", "chain", "signing_key", "trusted_roots",
            "quote_signature", "qe_report_signature", "pck_chain", "qe_report_binding", "attestation_key");

    private EarClaims() {
    }

    /** The context of one token. */
    record Context(String nonce, Instant issued, Instant expires, String developer, String build, String policyId,
            Binding.Bound binding) {
    }

    /**
     * @param appraisal the verifier's appraisal (a composite one gives one submod per part)
     * @param extra the service's own checks (reference values with several accepted values, the binding)
     * @param c the token's context
     * @return the claims, in order
     */
    static Map<String, Object> of(Appraisal appraisal, List<Check> extra, Context c) {
        return of(appraisal, Map.of("cpu0", extra), c);
    }

    /**
     * @param appraisal the verifier's appraisal, or the composite of the parts' appraisals (one submod per part)
     * @param extra the service's own checks per part ({@code cpu0}, {@code gpu0})
     * @param c the token's context
     * @return the claims, in order
     */
    static Map<String, Object> of(Appraisal appraisal, Map<String, List<Check>> extra, Context c) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("eat_profile", PROFILE);
        claims.put("iat", c.issued().getEpochSecond());
        claims.put("exp", c.expires().getEpochSecond());
        claims.put("eat_nonce", c.nonce());
        claims.put("ear.verifier-id", Map.of("developer", c.developer(), "build", c.build()));
        Map<String, Object> submods = new LinkedHashMap<>();
        if (appraisal.submods().isEmpty()) {
            submods.put("cpu0", submod(appraisal, extra.getOrDefault("cpu0", List.of()), c));
        } else {
            appraisal.submods().forEach((name, a) -> submods.put(name, submod(a, extra.getOrDefault(name,
                    List.of()), c)));
        }
        Tier overall = Tier.NONE;
        for (Object s : submods.values()) {
            Tier t = Tier.valueOf(String.valueOf(((Map<?, ?>) s).get("ear.status")).toUpperCase(Locale.ROOT));
            overall = overall.worst(t);
        }
        if (appraisal.status() == Tier.CONTRAINDICATED) {
            overall = Tier.CONTRAINDICATED; // the composite's own binding checks
        }
        claims.put("teebox.status", name(overall));
        claims.put("submods", submods);
        return claims;
    }

    /** @return the EAR claim a check bears on */
    static TrustClaim claimOf(Check c) {
        return IDENTITY_CHECKS.contains(c.check().toLowerCase(Locale.ROOT)) ? TrustClaim.INSTANCE_IDENTITY
                : c.claim();
    }

    /** @return the AR4SI value of a tier */
    static int value(Tier t) {
        return t.code();
    }

    /** @return a tier's EAR name */
    static String name(Tier t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The tier of a trustworthiness value, by the ranges of draft-ietf-rats-ar4si: none -1..1, affirming 2..31 and
     * -32..-2, warning 32..95 and -96..-33, contraindicated 96..127 and -128..-97.
     */
    static Tier tierOf(int value) {
        int v = Math.abs(value);
        if (v <= 1) {
            return Tier.NONE;
        }
        if (value >= 0 ? v <= 31 : v <= 32) {
            return Tier.AFFIRMING;
        }
        if (value >= 0 ? v <= 95 : v <= 96) {
            return Tier.WARNING;
        }
        return Tier.CONTRAINDICATED;
    }

    private static Map<String, Object> submod(Appraisal a, List<Check> extra, Context c) {
        List<Check> checks = new ArrayList<>(a.checks());
        checks.addAll(extra);
        Map<TrustClaim, Tier> vector = new EnumMap<>(TrustClaim.class);
        Tier status = checks.isEmpty() ? Tier.NONE : Tier.AFFIRMING;
        List<Object> reasons = new ArrayList<>();
        for (Check k : checks) {
            TrustClaim claim = claimOf(k);
            vector.merge(claim, k.tier(), Tier::worst);
            status = status.worst(k.tier());
            if (k.tier() != Tier.AFFIRMING) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("check", k.check());
                r.put("claim", claim.earName());
                r.put("tier", name(k.tier()));
                r.put("reason", k.reason());
                reasons.add(r);
            }
        }
        if (a.status() == Tier.CONTRAINDICATED && status != Tier.CONTRAINDICATED) {
            status = Tier.CONTRAINDICATED; // a verifier's verdict is never softened here
        }
        Map<String, Object> tv = new LinkedHashMap<>();
        vector.forEach((k, t) -> {
            if (t != Tier.NONE) {
                tv.put(k.earName(), value(t));
            }
        });
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("ear.status", name(status));
        s.put("ear.trustworthiness-vector", tv);
        s.put("ear.appraisal-policy-id", c.policyId());
        Map<String, Object> annotated = new LinkedHashMap<>();
        annotated.put("report_data", a.nonce().map(Bytes::hex).orElse(""));
        annotated.put("runtime_data_claims", c.binding().runtimeDataClaims() == null ? null
                : toJava(c.binding().runtimeDataClaims()));
        annotated.put("runtime_data_hash_algorithm", c.binding().algorithm());
        Map<String, Object> tee = new LinkedHashMap<>();
        a.claims().forEach((k, v) -> tee.put(k, v instanceof Bytes b ? b.hex() : v instanceof Long || v instanceof
                Boolean || v instanceof Integer ? v : String.valueOf(v)));
        annotated.put(teeKey(a.format()), tee);
        s.put("ear.veraison.annotated-evidence", annotated);
        s.put("teebox.reasons", reasons);
        return s;
    }

    /** @return the per-TEE key of the annotated evidence, as Trustee names them */
    static String teeKey(String format) {
        return switch (format) {
            case "sev-snp-report" -> "snp";
            case "tdx-quote-v4" -> "tdx";
            case "sev-attestation" -> "sev";
            case Binding.GPU_FORMAT -> "nvgpu";
            default -> format;
        };
    }

    /** @return a Gson value as maps, lists, strings, numbers and booleans (for the claims set) */
    static Object toJava(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e instanceof JsonObject o) {
            Map<String, Object> m = new LinkedHashMap<>();
            o.entrySet().forEach(x -> m.put(x.getKey(), toJava(x.getValue())));
            return m;
        }
        if (e instanceof JsonArray a) {
            List<Object> l = new ArrayList<>();
            a.forEach(x -> l.add(toJava(x)));
            return l;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            java.math.BigDecimal d = p.getAsBigDecimal();
            return d.scale() <= 0 || d.stripTrailingZeros().scale() <= 0 ? (Object) d.longValue() : d.doubleValue();
        }
        return p.getAsString();
    }
}
