package io.teebox.intel.verify.internal;

import com.google.gson.JsonObject;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.codec.Struct;
import java.util.Arrays;
import java.util.List;

/**
 * Check {@code tcb_status}: the platform's TCB status from the verified TCB info ({@link TcbEvaluation}: the TCB
 * level, the TDX module identity, the TD relaunch check) combined with the QE's, against the policy
 * {@code allowed_tcb_status} (comma-separated, default {@code UpToDate}; {@code Revoked} never passes). Claims
 * {@code tcb_date}, {@code tcb_status} and {@code advisory_ids}.
 */
final class TcbStatus {

    private TcbStatus() {
    }

    /**
     * @param tcb the verified TCB info
     * @param pck the PCK certificate's extensions
     * @param body the TD quote body
     * @param qeStatus the QE's TCB status, or null if it is unknown
     * @param advisories the QE's advisory IDs; the platform's are added
     * @param options the policy
     * @param out where claims and failures go
     */
    static void appraise(JsonObject tcb, PckExtensions pck, Struct body, String qeStatus, List<String> advisories,
            VerificationOptions options, Findings out) {
        TcbEvaluation.Result r;
        try {
            r = new TcbEvaluation(tcb, pck, body.bytes("TEE_TCB_SVN"), body.layout().hasField("TEE_TCB_SVN2")
                    ? body.bytes("TEE_TCB_SVN2") : null, body.bytes("MRSIGNERSEAM"), body.u64("SEAMATTRIBUTES"))
                    .evaluate(qeStatus);
        } catch (Json.FormatException e) {
            out.fail("tcb_info", "TCB info is not the expected JSON: " + e.getMessage());
            return;
        }
        r.failures().forEach(f -> out.fail(f.check(), f.reason()));
        if (r.tcbDate() != null) {
            out.claim("tcb_date", r.tcbDate());
        }
        for (String a : r.advisories()) {
            if (!advisories.contains(a)) {
                advisories.add(a);
            }
        }
        String status = r.status();
        if (status != null) {
            out.claim("tcb_status", status);
            out.claim("advisory_ids", String.join(",", advisories));
            String allowed = options.policy().getOrDefault("allowed_tcb_status", "UpToDate");
            List<String> ok = Arrays.stream(allowed.split(",")).map(String::trim).toList();
            if ("Revoked".equals(status) || !ok.contains(status)) {
                out.fail("tcb_status", "TCB status is " + status + (advisories.isEmpty() ? "" : " (" + advisories
                        + ")") + ", allowed: " + ok);
            }
        }
    }
}
