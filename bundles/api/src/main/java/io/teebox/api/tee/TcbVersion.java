package io.teebox.api.tee;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trusted computing base version: the bytes as the device encodes it (AMD's 8-byte TCB_VERSION, TDX's 16-byte
 * TEE_TCB_SVN) and its named security patch levels in the vendor's order (AMD's {@code BOOT_LOADER, TEE, SNP,
 * MICROCODE}, TDX's {@code SEAM_MINOR, SEAM_MAJOR, ...}).
 *
 * @param raw the encoded value
 * @param components named components in the vendor's order
 */
public record TcbVersion(Bytes raw, Map<String, Integer> components) {

    /** Creates a TCB version; the component map is copied and keeps its order. */
    public TcbVersion {
        Objects.requireNonNull(raw, "raw");
        components = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(components,
                "components")));
    }

    /**
     * An AMD-style TCB held in a little-endian 64-bit value.
     *
     * @param value the TCB as a little-endian u64
     * @param components named components
     * @return the TCB version, 8 raw bytes
     */
    public static TcbVersion ofLong(long value, Map<String, Integer> components) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return new TcbVersion(new Bytes(b), components);
    }

    /**
     * @return the raw bytes (at most 8) as a little-endian u64
     * @throws IllegalStateException if the TCB has more than 8 bytes, as TDX's TEE_TCB_SVN has
     */
    public long asLong() {
        if (raw.length() > 8) {
            throw new IllegalStateException("this TCB is " + raw.length() + " bytes and does not fit a 64-bit value");
        }
        long v = 0;
        for (int i = raw.length() - 1; i >= 0; i--) {
            v = v << 8 | (raw.at(i) & 0xFF);
        }
        return v;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(raw.length() <= 8 ? String.format("0x%016X", asLong()) : raw.hex());
        if (!components.isEmpty()) {
            b.append(' ').append(components);
        }
        return b.toString();
    }
}
