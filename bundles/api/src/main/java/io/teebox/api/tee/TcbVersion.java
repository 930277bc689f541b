package io.teebox.api.tee;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trusted computing base version: the raw value as the device encodes it and its named security patch levels,
 * for example AMD's {@code BOOT_LOADER, TEE, SNP, MICROCODE}.
 *
 * @param raw the encoded value (AMD: the 8-byte TCB_VERSION as a little-endian long)
 * @param components named components in the vendor's order
 */
public record TcbVersion(long raw, Map<String, Integer> components) {

    /** Creates a TCB version; the component map is copied and keeps its order. */
    public TcbVersion {
        components = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(components, "components")));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(String.format("0x%016X", raw));
        if (!components.isEmpty()) {
            b.append(' ').append(components);
        }
        return b.toString();
    }
}
