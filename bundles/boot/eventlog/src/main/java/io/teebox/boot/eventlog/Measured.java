package io.teebox.boot.eventlog;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a record's digests are of: its own event data (EV_SEPARATOR, EV_EFI_VARIABLE_*, EV_EFI_ACTION), other bytes
 * the event only describes (the kernel GRUB loaded, a firmware volume), or digests the caller computed (a PE image's
 * Authenticode hash for EV_EFI_BOOT_SERVICES_APPLICATION).
 */
public sealed interface Measured {

    /**
     * The digests are of the event data itself.
     *
     * @return the choice
     */
    static Measured eventData() {
        return EventData.INSTANCE;
    }

    /**
     * The digests are of these bytes.
     *
     * @param measured the bytes the TPM measures
     * @return the choice
     */
    static Measured bytes(byte[] measured) {
        return new Bytes(measured.clone());
    }

    /**
     * The caller computed the digests, one for each bank of the log.
     *
     * @param digests the digests by bank
     * @return the choice
     */
    static Measured digests(Map<HashAlgorithm, byte[]> digests) {
        Map<HashAlgorithm, byte[]> copy = new EnumMap<>(HashAlgorithm.class);
        digests.forEach((k, v) -> copy.put(k, v.clone()));
        return new Digests(copy);
    }

    /** The event data. */
    enum EventData implements Measured {
        /** The only value. */
        INSTANCE
    }

    /**
     * Separate bytes.
     *
     * @param measured the bytes
     */
    record Bytes(byte[] measured) implements Measured {
    }

    /**
     * Precomputed digests.
     *
     * @param digests by bank
     */
    record Digests(Map<HashAlgorithm, byte[]> digests) implements Measured {
    }
}
