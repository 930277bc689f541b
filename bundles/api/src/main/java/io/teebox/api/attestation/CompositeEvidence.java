package io.teebox.api.attestation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;

/**
 * Evidence of several attesters that together make one confidential workload, as the relying party receives it:
 * a CPU TEE's evidence and the evidence of the devices assigned to it ({@code cpu0}, {@code gpu0}, {@code gpu1}).
 * Each part is appraised by the verifier of its format; the parts are bound to each other by the evidence itself
 * (for example a GPU's SPDM nonce carried in the CPU report's report data), which the appraiser of the composite
 * checks.
 *
 * @param parts the parts by component name, in order: lower-case letters followed by an index
 */
public record CompositeEvidence(Map<String, Evidence> parts) {

    private static final Pattern NAME = Pattern.compile("[a-z]{2,16}[0-9]{1,3}");

    /**
     * Creates composite evidence; the map is copied, in order.
     *
     * @throws IllegalArgumentException if there are no parts or a name is not like {@code cpu0}
     */
    public CompositeEvidence {
        Objects.requireNonNull(parts, "parts");
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("composite evidence needs at least one part");
        }
        Map<String, Evidence> copy = new LinkedHashMap<>();
        parts.forEach((name, e) -> {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("component name '" + name + "' must be lower-case letters and "
                        + "an index, for example cpu0 or gpu1");
            }
            copy.put(name, Objects.requireNonNull(e, name));
        });
        parts = Collections.unmodifiableMap(copy);
    }

    /**
     * @param name a component name
     * @return its evidence
     * @throws IllegalArgumentException if there is no such part, naming those there are
     */
    public Evidence part(String name) {
        Evidence e = parts.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no part '" + name + "'; parts: " + parts.keySet());
        }
        return e;
    }

    /**
     * Appraises every part and composes the appraisals as submodules; the composite's status is the worst of them
     * and of the binding checks.
     *
     * @param appraise appraises one part (typically by the verifier of its format)
     * @param binding checks of how the parts bind each other, possibly none
     * @return the composite appraisal
     */
    public Appraisal appraise(Function<Evidence, Appraisal> appraise, java.util.List<Check> binding) {
        Map<String, Appraisal> submods = new LinkedHashMap<>();
        parts.forEach((name, e) -> submods.put(name, Objects.requireNonNull(appraise.apply(e), name)));
        return Appraisal.composite(submods, binding);
    }
}
