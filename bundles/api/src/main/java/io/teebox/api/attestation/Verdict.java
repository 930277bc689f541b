package io.teebox.api.attestation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of appraising evidence: the claims read from it, and a failure for every check that did not pass.
 * Evidence is accepted only if there are no failures.
 *
 * @param claims the claims read from the evidence (field name to display text), in the format's order
 * @param failures every failed check; empty if the evidence is accepted
 */
public record Verdict(Map<String, String> claims, List<Failure> failures) {

    /** Creates a verdict; collections are copied. */
    public Verdict {
        claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        failures = List.copyOf(failures);
    }

    /** @return true if no check failed */
    public boolean accepted() {
        return failures.isEmpty();
    }

    /**
     * One failed check.
     *
     * @param check what was checked, for example {@code "signature"}, {@code "chain"} or {@code "measurement"}
     * @param reason what was found and what was expected
     */
    public record Failure(String check, String reason) {

        /** Creates a failure. */
        public Failure {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return check + ": " + reason;
        }
    }
}
