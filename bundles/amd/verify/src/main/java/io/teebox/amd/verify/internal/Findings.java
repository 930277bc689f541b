package io.teebox.amd.verify.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.codec.Claims;

/**
 * What one appraisal finds, as it finds it: the claims read from the evidence, in order, and the failed checks,
 * each with its reason; then the appraisal they make.
 */
final class Findings {

    private final Map<String, String> claims = new LinkedHashMap<>();
    private final List<Check> failures = new ArrayList<>();

    void fail(String check, String reason) {
        failures.add(new Check(check, reason));
    }

    void claim(String name, String value) {
        claims.put(name, value);
    }

    String claim(String name) {
        return claims.get(name);
    }

    /**
     * Parses evidence of one format, failing check {@code format} if it is of another or does not parse.
     *
     * @param evidence the evidence
     * @param format the format the verifier appraises
     * @param parser reads the report
     * @return the report, or null after a format failure
     */
    <T> T parse(io.teebox.api.attestation.Evidence evidence, String format, java.util.function.Function<byte[], T>
            parser) {
        if (!format.equals(evidence.format())) {
            fail("format", "evidence format is '" + evidence.format() + "', expected " + format);
            return null;
        }
        try {
            return parser.apply(evidence.report());
        } catch (io.teebox.kit.codec.MalformedStructureException e) {
            fail("format", e.getMessage());
            return null;
        }
    }

    /**
     * The appraisal: the checks the verifier makes pass unless they failed; nothing passes if the evidence or the
     * options were malformed (a {@code format} or {@code options} failure).
     *
     * @param format the evidence format
     * @param options the options (their reference values are checks too)
     * @param checks the checks every appraisal of well-formed evidence makes
     * @param nonceClaim the claim holding the nonce the evidence answers, hex
     * @return the appraisal
     */
    Appraisal appraisal(String format, VerificationOptions options, List<String> checks, String nonceClaim) {
        boolean malformed = failures.stream().anyMatch(f -> f.check().equals("format")
                || f.check().equals("options"));
        List<String> made = new ArrayList<>();
        if (!malformed) {
            made.addAll(checks);
            made.addAll(options.referenceValues().keySet());
        }
        String nonce = claims.get(nonceClaim);
        return Appraisal.of(format, Claims.typed(claims), made, failures, nonce == null || nonce.isEmpty() ? null
                : Bytes.fromHex(nonce));
    }
}
