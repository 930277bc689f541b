package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.VerificationOptions;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;

/**
 * The TD-level policy over the quote body: check {@code debug} (a debuggable TD fails unless {@code allow_debug} is
 * true), {@code td_attributes} (no undefined ATTRIBUTES bits) and {@code min_tee_tcb_svn} (each TEE_TCB_SVN byte at
 * least the policy's).
 */
final class TdPolicyCheck {

    private TdPolicyCheck() {
    }

    static void validate(Struct body, VerificationOptions options, Findings out) {
        long attrs = body.u64("TDATTRIBUTES");
        boolean allowDebug = PolicyOptions.flag(options, "allow_debug", out);
        if (TdAttributes.isDebug(attrs) && !allowDebug) {
            out.fail("debug", "the TD is debuggable (ATTRIBUTES.DEBUG): the host can read and change its memory; "
                    + "policy allow_debug is false");
        }
        if ((attrs & ~TdAttributes.SUPPORTED) != 0) {
            out.fail("td_attributes", String.format("TD ATTRIBUTES 0x%016X set undefined bits 0x%X", attrs,
                    attrs & ~TdAttributes.SUPPORTED));
        }
        String min = options.policy().get("min_tee_tcb_svn");
        if (min != null) {
            byte[] want = PolicyOptions.hex("min_tee_tcb_svn", min, 16, out);
            byte[] svn = body.bytes("TEE_TCB_SVN");
            for (int i = 0; want != null && i < want.length; i++) {
                if ((svn[i] & 0xFF) < (want[i] & 0xFF)) {
                    out.fail("min_tee_tcb_svn", "TEE_TCB_SVN " + Hex.encode(svn) + " byte " + i + " is "
                            + (svn[i] & 0xFF) + ", below the minimum " + (want[i] & 0xFF));
                    break;
                }
            }
        }
    }
}
