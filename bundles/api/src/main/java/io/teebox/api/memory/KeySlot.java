package io.teebox.api.memory;

import java.util.Objects;

/**
 * A memory-encryption key slot held by one guest: an AMD ASID or an Intel HKID. The key itself never leaves the
 * backend; the slot only names it.
 *
 * @param kind what the vendor calls the slot, for example {@code "ASID"}
 * @param id the slot number
 */
public record KeySlot(String kind, int id) {

    /**
     * @throws IllegalArgumentException if the id is negative
     */
    public KeySlot {
        Objects.requireNonNull(kind, "kind");
        if (id < 0) {
            throw new IllegalArgumentException(kind + " must not be negative, got " + id);
        }
    }

    @Override
    public String toString() {
        return kind + " " + id;
    }
}
