package io.teebox.api.hypervisor;

import io.teebox.api.memory.KeySlot;

/**
 * A guest as the hypervisor sees it.
 *
 * @param id the hypervisor's id for the guest
 * @param config what it was created with
 * @param state its lifecycle state
 * @param handle the firmware's guest handle, or 0 before launch
 * @param keySlot the key slot its memory is encrypted under, or null before launch
 * @param policy the launch policy, or 0 before launch
 * @param residentPages number of guest pages backed by host memory
 * @param note why the guest is paused or terminated, or an empty string
 */
public record GuestInfo(String id, GuestConfig config, GuestState state, long handle, KeySlot keySlot, long policy,
        int residentPages, String note) {
}
