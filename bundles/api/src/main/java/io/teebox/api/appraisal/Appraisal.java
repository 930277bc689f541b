package io.teebox.api.appraisal;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.teebox.api.tee.Bytes;

/**
 * The result of appraising evidence, as an attestation result carries it: the overall tier, the trustworthiness
 * vector, every check with its outcome, the claims read from the evidence, the nonce (report data) it answered, and
 * the appraisals of the components of composite evidence ({@code cpu0}, {@code gpu0}).
 *
 * @param format the evidence format appraised, or {@code "composite"}
 * @param status the overall tier: the worst of the checks and submodules
 * @param vector the worst tier per trustworthiness claim the checks bore on
 * @param claims the claims read from the evidence, in the format's order: {@link String}, {@link Long},
 *            {@link Boolean} or {@link Bytes} values
 * @param checks every check made, in order
 * @param nonce the report data the evidence binds, if it binds any
 * @param submods the appraisals of the components, by name
 */
public record Appraisal(String format, Tier status, Map<TrustClaim, Tier> vector, Map<String, Object> claims,
        List<Check> checks, Optional<Bytes> nonce, Map<String, Appraisal> submods) {

    /** Creates an appraisal; collections are copied. */
    public Appraisal {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(status, "status");
        vector = Collections.unmodifiableMap(vector.isEmpty() ? new EnumMap<>(TrustClaim.class)
                : new EnumMap<>(vector));
        claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        checks = List.copyOf(checks);
        Objects.requireNonNull(nonce, "nonce");
        submods = Collections.unmodifiableMap(new LinkedHashMap<>(submods));
    }

    /**
     * An appraisal of one piece of evidence: its status and vector follow from the checks, AFFIRMING when all
     * passed.
     *
     * @param format the evidence format
     * @param claims the claims read
     * @param checks the checks
     * @param nonce the report data the evidence binds, or null
     * @return the appraisal
     */
    public static Appraisal of(String format, Map<String, ?> claims, List<Check> checks, Bytes nonce) {
        Map<TrustClaim, Tier> vector = new EnumMap<>(TrustClaim.class);
        Tier status = checks.isEmpty() ? Tier.NONE : Tier.AFFIRMING;
        for (Check c : checks) {
            vector.merge(c.claim(), c.tier(), Tier::worst);
            status = status.worst(c.tier());
        }
        return new Appraisal(format, status, vector, new LinkedHashMap<>(claims), checks, Optional.ofNullable(nonce),
                Map.of());
    }

    /**
     * An appraisal of the failures a verifier found among the checks it made: every named check without a failure
     * passed.
     *
     * @param format the evidence format
     * @param claims the claims read
     * @param made the names of the checks made, in order
     * @param failures the failed checks
     * @param nonce the report data the evidence binds, or null
     * @return the appraisal
     */
    public static Appraisal of(String format, Map<String, ?> claims, List<String> made, List<Check> failures,
            Bytes nonce) {
        Set<String> failed = new LinkedHashSet<>();
        failures.forEach(f -> failed.add(f.check()));
        List<Check> all = new java.util.ArrayList<>();
        for (String name : made) {
            if (!failed.contains(name)) {
                all.add(Check.passed(name, "ok"));
            }
        }
        all.addAll(failures);
        return of(format, claims, all, nonce);
    }

    /**
     * The appraisal of composite evidence: each component's appraisal as a submodule, the status the worst of them.
     *
     * @param submods the components' appraisals by name ({@code cpu0}, {@code gpu0})
     * @param checks checks of the composite itself (for example the binding of the parts), possibly none
     * @return the appraisal
     */
    public static Appraisal composite(Map<String, Appraisal> submods, List<Check> checks) {
        Tier status = submods.isEmpty() && checks.isEmpty() ? Tier.NONE : Tier.AFFIRMING;
        Map<TrustClaim, Tier> vector = new EnumMap<>(TrustClaim.class);
        for (Appraisal a : submods.values()) {
            status = status.worst(a.status());
        }
        for (Check c : checks) {
            vector.merge(c.claim(), c.tier(), Tier::worst);
            status = status.worst(c.tier());
        }
        return new Appraisal("composite", status, vector, Map.of(), checks, Optional.empty(), submods);
    }

    /** @return true if nothing contraindicates trust (the status is affirming or a warning) */
    public boolean accepted() {
        return status == Tier.AFFIRMING || status == Tier.WARNING;
    }

    /** @return the checks that did not pass, with those of the submodules, in order */
    public List<Check> failures() {
        List<Check> out = new java.util.ArrayList<>();
        checks.stream().filter(c -> !c.passed()).forEach(out::add);
        submods.forEach((name, a) -> a.failures().forEach(f -> out.add(new Check(name + "." + f.check(), f.claim(),
                f.tier(), f.reason()))));
        return List.copyOf(out);
    }

    /** @return the checks that passed */
    public List<Check> passes() {
        return checks.stream().filter(Check::passed).toList();
    }

    /**
     * @param name a claim's name
     * @return its display text, or null
     */
    public String claim(String name) {
        Object v = claims.get(name);
        return v == null ? null : v.toString();
    }

    /** @return the claims as display text, in order */
    public Map<String, String> claimTexts() {
        Map<String, String> out = new LinkedHashMap<>();
        claims.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return Collections.unmodifiableMap(out);
    }
}
