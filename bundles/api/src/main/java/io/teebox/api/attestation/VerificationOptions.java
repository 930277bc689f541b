package io.teebox.api.attestation;

import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What evidence is appraised against. Time is injected so verification is deterministic in tests.
 *
 * @param clock the time at which certificates and collateral must be valid
 * @param trustedRoots root certificates in their native encoding; evidence chains must end in one of them
 * @param referenceValues expected values by name (hex text), for example {@code "measurement"} or
 *            {@code "report_data"}; each present one must match
 * @param policy further named checks, for example {@code "allow_debug=false"} or {@code "minimum_tcb=..."}
 */
public record VerificationOptions(Clock clock, List<byte[]> trustedRoots, Map<String, String> referenceValues,
        Map<String, String> policy) {

    /** Creates options; collections are copied. */
    public VerificationOptions {
        Objects.requireNonNull(clock, "clock");
        trustedRoots = trustedRoots.stream().map(byte[]::clone).toList();
        referenceValues = Collections.unmodifiableMap(new LinkedHashMap<>(referenceValues));
        policy = Collections.unmodifiableMap(new LinkedHashMap<>(policy));
    }

    /** @return copies of the trusted roots */
    @Override
    public List<byte[]> trustedRoots() {
        return trustedRoots.stream().map(byte[]::clone).toList();
    }

    /**
     * @param roots trusted roots
     * @return options at the current time with no reference values and no policy
     */
    public static VerificationOptions trusting(List<byte[]> roots) {
        return new VerificationOptions(Clock.systemUTC(), roots, Map.of(), Map.of());
    }
}
