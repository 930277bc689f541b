package io.teebox.boot.chain;

import io.teebox.boot.eventlog.HashAlgorithm;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One extend a stage made, as its event log record says it.
 *
 * @param pcr the PCR
 * @param eventType the event type's spec name, e.g. "EV_EFI_BOOT_SERVICES_APPLICATION"
 * @param digests the digest per bank
 * @param description what was measured, e.g. "Authenticode SHA-256 of EFI/BOOT/grubx64.efi"
 */
public record Measurement(int pcr, String eventType, Map<HashAlgorithm, byte[]> digests, String description) {

    /** Copies the digests. */
    public Measurement {
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(description, "description");
        Map<HashAlgorithm, byte[]> copy = new EnumMap<>(HashAlgorithm.class);
        digests.forEach((k, v) -> copy.put(k, v.clone()));
        digests = Collections.unmodifiableMap(copy);
    }

    @Override
    public String toString() {
        return "PCR " + pcr + " " + eventType + ": " + description;
    }
}
