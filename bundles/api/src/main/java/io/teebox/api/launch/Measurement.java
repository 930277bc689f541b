package io.teebox.api.launch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A launch measurement as the firmware returns it to the host, for the guest owner to check.
 *
 * @param format the vendor format, for example {@code "sev-launch-measure"} (MEASURE[32] followed by MNONCE[16])
 * @param value the raw bytes in that format
 * @param fields the decoded fields for display (hex or decimal text), in the vendor's order
 */
public record Measurement(String format, byte[] value, Map<String, String> fields) {

    /** Creates a measurement; arrays and maps are copied. */
    public Measurement {
        Objects.requireNonNull(format, "format");
        value = value.clone();
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** @return a copy of the raw bytes */
    @Override
    public byte[] value() {
        return value.clone();
    }
}
