package io.teebox.amd.verify.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.hex.Hex;

/**
 * Reading a verifier's options: unknown names, boolean policies and hex reference values, each a failure of check
 * {@code options} naming the key and what is accepted.
 */
final class PolicyOptions {

    private PolicyOptions() {
    }

    /** Fails every reference value and policy the verifier does not know. */
    static void rejectUnknown(VerificationOptions options, Set<String> referenceValues, Set<String> policies,
            Findings out) {
        for (String k : options.referenceValues().keySet()) {
            if (!referenceValues.contains(k)) {
                out.fail("options", "unknown reference value '" + k + "'; known: " + referenceValues);
            }
        }
        for (String k : options.policy().keySet()) {
            if (!policies.contains(k)) {
                out.fail("options", "unknown policy '" + k + "'; known: " + policies);
            }
        }
    }

    /** @return the policy's boolean, false if absent; a failure naming the key if it is neither true nor false */
    static boolean flag(VerificationOptions options, String key, Findings out) {
        String v = options.policy().get(key);
        if (v == null) {
            return false;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return t.equals("true");
        }
        out.fail("options", "policy " + key + " is '" + v + "'; accepted: true or false");
        return false;
    }

    /**
     * Compares a reference value (hex, zero-padded to the field) with a field.
     *
     * @param check the check a mismatch fails
     * @param option how a malformed value is named, for example {@code reference value host_data}
     * @param field the field's name in the message
     * @param expectedHex the reference value, or null for none
     * @param actual the field
     * @param tooLong what a value longer than the field is called: "is N bytes, " + this
     * @param out the findings
     */
    static void compare(String check, String option, String field, String expectedHex, byte[] actual, String tooLong,
            Findings out) {
        if (expectedHex == null) {
            return;
        }
        byte[] want;
        try {
            want = Hex.decode(expectedHex.trim());
        } catch (IllegalArgumentException e) {
            out.fail("options", option + " is not hex: " + e.getMessage());
            return;
        }
        if (want.length > actual.length) {
            out.fail("options", option + " is " + want.length + " bytes, " + tooLong
                    + actual.length);
            return;
        }
        want = Arrays.copyOf(want, actual.length);
        if (!Arrays.equals(want, actual)) {
            out.fail(check, field + " is " + Hex.encode(actual) + ", expected " + Hex.encode(want));
        }
    }
}
