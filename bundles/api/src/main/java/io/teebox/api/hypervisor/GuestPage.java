package io.teebox.api.hypervisor;

import java.util.Objects;

/**
 * One resident guest page as the host maps it, for a memory map.
 *
 * @param gpa the page-aligned guest physical address
 * @param hpa the page-aligned host physical address backing it
 * @param encrypted whether the page holds ciphertext under the guest's key slot (private)
 * @param shared whether the guest mapped the page shared with the host (plaintext to both sides); a page is never
 *            both encrypted and shared, and may be neither (host-written before launch, or never written)
 * @param firmwareState the backend's one-line text for the firmware's per-page state (for example
 *            {@code "RMP assigned validated ASID 3 VMPL0 rwxs"} or {@code "SEPT MAPPED"}), or an empty string where
 *            the TEE keeps no per-page table (SEV, SEV-ES) or its backend is away
 */
public record GuestPage(long gpa, long hpa, boolean encrypted, boolean shared, String firmwareState) {

    private static final long PAGE_MASK = 0xFFF;

    /** Checks the page. */
    public GuestPage {
        if (gpa < 0 || (gpa & PAGE_MASK) != 0) {
            throw new IllegalArgumentException(String.format("gpa 0x%X is not a 4 KiB aligned guest physical "
                    + "address", gpa));
        }
        if (hpa < 0 || (hpa & PAGE_MASK) != 0) {
            throw new IllegalArgumentException(String.format("hpa 0x%X is not a 4 KiB aligned host physical "
                    + "address", hpa));
        }
        if (encrypted && shared) {
            throw new IllegalArgumentException(String.format("page at gpa 0x%X cannot be both encrypted and shared",
                    gpa));
        }
        Objects.requireNonNull(firmwareState, "firmwareState");
        if (firmwareState.indexOf('\n') >= 0 || firmwareState.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(String.format("firmwareState of page 0x%X must be one line, got '%s'",
                    gpa, firmwareState.replace("\n", "\\n").replace("\r", "\\r")));
        }
    }
}
