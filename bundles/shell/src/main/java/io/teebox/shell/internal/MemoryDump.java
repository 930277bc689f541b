package io.teebox.shell.internal;

import io.teebox.kit.hex.HexDump;

/**
 * Bytes of guest memory as one party sees them.
 *
 * @param guest the guest's name
 * @param view whose view: "guest" (plaintext through the guest key) or "host" (the stored bytes)
 * @param address the first guest physical address
 * @param data the bytes
 */
record MemoryDump(String guest, String view, long address, byte[] data) {

    @Override
    public String toString() {
        String who = view.equals("host") ? "host view (stored bytes, as the hypervisor sees them)"
                : "guest view (decrypted with the guest key)";
        return String.format("%s 0x%X+%d, %s%n%s", guest, address, data.length, who,
                HexDump.format(address, data)).stripTrailing();
    }
}
