package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.hex.Hex;
import java.util.Locale;
import java.util.Set;

/** Reads the verification options: unknown names, flags and hex values that do not parse are failures of check
 * {@code options}. */
final class PolicyOptions {

    /** The reference values a TD quote is compared with (hex). */
    static final Set<String> REFERENCE_VALUES = Set.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid",
            "mrowner", "mrownerconfig", "report_data");
    /** The policies the verifier applies. */
    static final Set<String> POLICIES = Set.of("allow_debug", "min_tee_tcb_svn", "allowed_tcb_status");

    private PolicyOptions() {
    }

    /** Fails check {@code options} for every reference value and policy the verifier does not know. */
    static void rejectUnknown(VerificationOptions options, Findings out) {
        for (String k : options.referenceValues().keySet()) {
            if (!REFERENCE_VALUES.contains(k)) {
                out.fail("options", "unknown reference value '" + k + "'; known: " + REFERENCE_VALUES);
            }
        }
        for (String k : options.policy().keySet()) {
            if (!POLICIES.contains(k)) {
                out.fail("options", "unknown policy '" + k + "'; known: " + POLICIES);
            }
        }
    }

    /** @return the policy flag (absent = false), failing check {@code options} if it is neither true nor false */
    static boolean flag(VerificationOptions options, String name, Findings out) {
        String value = options.policy().get(name);
        if (value == null) {
            return false;
        }
        String t = value.trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return t.equals("true");
        }
        out.fail("options", "policy " + name + " is '" + value + "'; accepted: true or false");
        return false;
    }

    /** @return the option's bytes, or null after an {@code options} failure (not hex, or longer than max) */
    static byte[] hex(String name, String value, int max, Findings out) {
        try {
            byte[] b = Hex.decode(value.trim());
            if (b.length > max) {
                out.fail("options", name + " is " + b.length + " bytes, at most " + max);
                return null;
            }
            return b;
        } catch (IllegalArgumentException e) {
            out.fail("options", name + " is not hex: " + e.getMessage());
            return null;
        }
    }
}
