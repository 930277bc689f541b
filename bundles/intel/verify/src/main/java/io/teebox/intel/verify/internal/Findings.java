package io.teebox.intel.verify.internal;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.codec.Claims;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one appraisal finds, as it finds it: the claims read from the quote and its collateral, in order, and the
 * failed checks, each with a one-line reason; then the appraisal they make.
 */
final class Findings {

    private final Map<String, String> claims = new LinkedHashMap<>();
    private final List<Check> failures = new ArrayList<>();

    void fail(String check, String reason) {
        failures.add(new Check(check, oneLine(reason)));
    }

    void claim(String name, String value) {
        claims.put(name, value);
    }

    String claim(String name) {
        return claims.get(name);
    }

    /**
     * The appraisal: the checks the verifier makes pass unless they failed; nothing passes if the evidence or the
     * options were malformed (a {@code format} or {@code options} failure).
     *
     * @param format the evidence format
     * @param options the options (their reference values are checks too)
     * @param checks the checks every appraisal of a well-formed quote makes
     * @param eventLog whether an event log was appraised (check {@code event_log})
     * @return the appraisal, whose nonce is the quote's REPORTDATA
     */
    Appraisal appraisal(String format, VerificationOptions options, List<String> checks, boolean eventLog) {
        boolean malformed = failures.stream().anyMatch(f -> f.check().equals("format")
                || f.check().equals("options"));
        List<String> made = new ArrayList<>();
        if (!malformed) {
            made.addAll(checks);
            made.addAll(options.referenceValues().keySet());
            if (eventLog) {
                made.add("event_log");
            }
        }
        String nonce = claims.get("report_data");
        return Appraisal.of(format, Claims.typed(claims), made, failures, nonce == null ? null
                : Bytes.fromHex(nonce));
    }

    /**
     * A reason as one line: collateral, options and evidence are quoted in reasons, and their text may hold line
     * breaks or other control characters (C0, DEL, C1, U+2028/2029), which are shown escaped.
     */
    static String oneLine(String reason) {
        StringBuilder b = null;
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            boolean control = c < 0x20 || c >= 0x7F && c <= 0x9F || c == 0x2028 || c == 0x2029;
            if (control && b == null) {
                b = new StringBuilder(reason.length() + 8).append(reason, 0, i);
            }
            if (b != null) {
                if (!control) {
                    b.append(c);
                } else if (c == '\n') {
                    b.append("\\n");
                } else if (c == '\r') {
                    b.append("\\r");
                } else if (c == '\t') {
                    b.append("\\t");
                } else {
                    b.append(String.format("\\u%04X", (int) c));
                }
            }
        }
        return b == null ? reason : b.toString();
    }
}
