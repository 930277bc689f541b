package io.teebox.api.launch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.api.memory.KeySlot;

/**
 * A guest context as the firmware reports it (SEV GUEST_STATUS, SNP GUEST_STATUS, TDH.MNG.RD).
 *
 * @param handle the firmware's guest handle
 * @param state the firmware's guest state name, for example {@code "RUNNING"}
 * @param slot the key slot bound to the guest, or null if none is active
 * @param policy the guest policy
 * @param details further fields for display
 */
public record GuestStatus(long handle, String state, KeySlot slot, long policy, Map<String, String> details) {

    /** Creates a status; the map is copied. */
    public GuestStatus {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
