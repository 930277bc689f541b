package io.teebox.api.launch;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A guest's memory and vCPU save areas as the firmware reaches them through host physical memory. The hypervisor
 * implements it and hands it to the backend; the backend reads and writes raw page contents (ciphertext, or
 * plaintext the host placed before launch) and uses its own key to encrypt and decrypt.
 */
@ConsumerType
public interface GuestMemory {

    /**
     * @param guestPhysicalAddress a page-aligned guest physical address
     * @return the host physical address backing it; a page is assigned on first use
     * @throws IllegalArgumentException if the address is not page-aligned or outside the guest's address space
     */
    long hostPhysicalAddress(long guestPhysicalAddress);

    /**
     * @param guestPhysicalAddress a page-aligned guest physical address
     * @return a copy of the page's raw bytes as stored in host memory (4096 bytes; zeros if never written)
     */
    byte[] readPage(long guestPhysicalAddress);

    /**
     * Stores raw bytes in the page's host memory.
     *
     * @param guestPhysicalAddress a page-aligned guest physical address
     * @param raw exactly 4096 bytes
     */
    void writePage(long guestPhysicalAddress, byte[] raw);

    /** @return the number of vCPUs */
    int vcpuCount();

    /**
     * @param vcpu the vCPU index
     * @return a copy of the vCPU's 4 KiB save area as stored (plaintext or ciphertext)
     */
    byte[] readSaveArea(int vcpu);

    /**
     * Stores a vCPU's save area.
     *
     * @param vcpu the vCPU index
     * @param raw exactly 4096 bytes
     * @param encrypted whether the bytes are now ciphertext under the guest key (hidden from the host)
     */
    void writeSaveArea(int vcpu, byte[] raw, boolean encrypted);
}
