package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;
import java.util.Arrays;
import java.util.Map;

/**
 * The reference values ({@link PolicyOptions#REFERENCE_VALUES}), each its own check: the quote body's field equals
 * the value, which is zero-padded to the field's length.
 */
final class ReferenceValues {

    private static final Map<String, String> FIELDS = Map.of("mrtd", "MRTD", "rtmr0", "RTMR0", "rtmr1", "RTMR1",
            "rtmr2", "RTMR2", "rtmr3", "RTMR3", "mrconfigid", "MRCONFIGID", "mrowner", "MROWNER", "mrownerconfig",
            "MROWNERCONFIG", "report_data", "REPORTDATA");

    private ReferenceValues() {
    }

    static void compare(Struct body, VerificationOptions options, Findings out) {
        for (Map.Entry<String, String> e : options.referenceValues().entrySet()) {
            String field = FIELDS.get(e.getKey());
            if (field == null) {
                continue;
            }
            byte[] actual = body.bytes(field);
            byte[] want = PolicyOptions.hex(e.getKey(), e.getValue(), actual.length, out);
            if (want != null) {
                want = Arrays.copyOf(want, actual.length);
                if (!Arrays.equals(want, actual)) {
                    out.fail(e.getKey(), field + " is " + Hex.encode(actual) + ", expected " + Hex.encode(want));
                }
            }
        }
    }
}
