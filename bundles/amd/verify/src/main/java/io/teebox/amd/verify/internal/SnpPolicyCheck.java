package io.teebox.amd.verify.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.teebox.amd.abi.SnpPolicy;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.codec.Struct;

/**
 * Validates a report's fields against reference values ({@code measurement}, {@code report_data},
 * {@code host_data}, {@code id_key_digest}, {@code author_key_digest}, {@code family_id}, {@code image_id}: hex,
 * zero-padded; {@code vmpl}: 0..3) and policy ({@code allow_debug}: true or false, default false;
 * {@code minimum_tcb}: 16 hex digits compared byte by byte; {@code require_crl}, {@code product}: read by the
 * chain's steps).
 */
final class SnpPolicyCheck {

    /** Reference values by name, and the report field each is compared with. */
    private static final Map<String, String> REFERENCE_FIELDS = new LinkedHashMap<>();

    static {
        String[] kv = {"measurement", "MEASUREMENT", "report_data", "REPORT_DATA", "host_data", "HOST_DATA",
            "id_key_digest", "ID_KEY_DIGEST", "author_key_digest", "AUTHOR_KEY_DIGEST", "family_id", "FAMILY_ID",
            "image_id", "IMAGE_ID"};
        for (int i = 0; i < kv.length; i += 2) {
            REFERENCE_FIELDS.put(kv[i], kv[i + 1]);
        }
    }

    static final Set<String> REFERENCE_VALUES = new TreeSet<>(Set.of("measurement", "report_data", "host_data",
            "id_key_digest", "author_key_digest", "family_id", "image_id", "vmpl"));
    static final Set<String> POLICIES = new TreeSet<>(Set.of("allow_debug", "minimum_tcb", "require_crl",
            "product"));

    private SnpPolicyCheck() {
    }

    static void validate(Struct f, VerificationOptions options, Findings out) {
        for (Map.Entry<String, String> r : REFERENCE_FIELDS.entrySet()) {
            PolicyOptions.compare(r.getKey(), "reference value " + r.getKey(), r.getValue(),
                    options.referenceValues().get(r.getKey()), f.bytes(r.getValue()), "at most ", out);
        }
        String vmpl = options.referenceValues().get("vmpl");
        if (vmpl != null) {
            if (!vmpl.trim().matches("[0-3]")) {
                out.fail("options", "reference value vmpl is '" + vmpl + "'; accepted: 0, 1, 2 or 3");
            } else if (Integer.parseInt(vmpl.trim()) != f.u32("VMPL")) {
                out.fail("vmpl", "VMPL is " + f.u32("VMPL") + ", expected " + vmpl.trim());
            }
        }
        boolean allowDebug = PolicyOptions.flag(options, "allow_debug", out);
        long policy = f.u64("POLICY");
        if (!allowDebug && (policy & SnpPolicy.DEBUG) != 0) {
            out.fail("debug", String.format("the guest policy 0x%X allows debugging (bit 19, DEBUG), which policy "
                    + "allow_debug=false forbids", policy));
        }
        minimumTcb(f, options, out);
    }

    private static void minimumTcb(Struct f, VerificationOptions options, Findings out) {
        String min = options.policy().get("minimum_tcb");
        if (min == null) {
            return;
        }
        String digits = min.trim().replaceFirst("^0[xX]", "");
        if (!digits.matches("[0-9a-fA-F]{16}")) {
            out.fail("options", "policy minimum_tcb is '" + min + "'; accepted: a TCB_VERSION as 16 hex digits, "
                    + "optionally 0x-prefixed, e.g. 0x4405000000000002");
            return;
        }
        long want = Long.parseUnsignedLong(digits, 16);
        long got = f.u64("REPORTED_TCB");
        for (int b = 0; b < 8; b++) {
            int gb = (int) (got >>> (8 * b)) & 0xFF;
            int wb = (int) (want >>> (8 * b)) & 0xFF;
            if (gb < wb) {
                out.fail("tcb", String.format("REPORTED_TCB 0x%016X is below the minimum 0x%016X (byte %d: %d < %d)",
                        got, want, b, gb, wb));
                break;
            }
        }
    }
}
