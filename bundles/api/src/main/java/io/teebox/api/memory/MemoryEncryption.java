package io.teebox.api.memory;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.TeeException;

/**
 * The memory controller's encryption engine for one TEE: it encrypts and decrypts 4 KiB pages under a guest's key
 * slot, tweaked by the host physical address so that the same plaintext at another address gives other
 * ciphertext. Keys stay inside the backend; callers name them by {@link KeySlot}. Registered with the
 * {@code tee.type} service property.
 */
@ProviderType
public interface MemoryEncryption {

    /** The page size in bytes. */
    int PAGE_SIZE = 4096;

    /** @return the key slots this engine has and how many are in use */
    KeySlotLimits limits();

    /**
     * Encrypts one page as the memory controller does when the guest writes it.
     *
     * @param slot the guest's key slot
     * @param hostPhysicalAddress the page-aligned host physical address the page is stored at
     * @param plaintext exactly {@link #PAGE_SIZE} bytes
     * @return the ciphertext, {@link #PAGE_SIZE} bytes
     * @throws TeeException if the slot has no key (for example {@code INVALID_ASID}) or the address is not
     *             page-aligned ({@code INVALID_ADDRESS})
     * @throws IllegalArgumentException if the page is not {@link #PAGE_SIZE} bytes
     */
    byte[] encryptPage(KeySlot slot, long hostPhysicalAddress, byte[] plaintext);

    /**
     * Decrypts one page as the memory controller does when the guest reads it.
     *
     * @param slot the guest's key slot
     * @param hostPhysicalAddress the page-aligned host physical address the page is stored at
     * @param ciphertext exactly {@link #PAGE_SIZE} bytes
     * @return the plaintext; garbage if the ciphertext was changed or moved and the TEE has no integrity
     * @throws TeeException if the slot has no key, or integrity is checked and fails
     * @throws IllegalArgumentException if the page is not {@link #PAGE_SIZE} bytes
     */
    byte[] decryptPage(KeySlot slot, long hostPhysicalAddress, byte[] ciphertext);

    /**
     * The rule for a host access to a guest's private page on this TEE.
     *
     * @param access what the host tries
     * @return what it yields
     */
    HostAccessOutcome hostAccess(HostAccess access);

    /**
     * The host hands a page to the guest's private memory at a guest physical address (SNP RMPUPDATE, TDX
     * TDH.MEM.PAGE.AUG). TEEs without page ownership do nothing.
     *
     * @param slot the guest's key slot
     * @param guestPhysicalAddress the page's GPA
     * @param hostPhysicalAddress the host page
     */
    default void assignPage(KeySlot slot, long guestPhysicalAddress, long hostPhysicalAddress) {
    }

    /**
     * The host takes a page back from the guest's private memory, after the guest converted it to shared (SNP
     * RMPUPDATE to the hypervisor state). TEEs without page ownership do nothing.
     *
     * @param slot the guest's key slot
     * @param guestPhysicalAddress the page's GPA
     * @param hostPhysicalAddress the host page
     */
    default void releasePage(KeySlot slot, long guestPhysicalAddress, long hostPhysicalAddress) {
    }

    /**
     * The guest accepts (validates) or rescinds a private page (SNP PVALIDATE, TDX TDG.MEM.PAGE.ACCEPT). TEEs
     * without page validation accept everything.
     *
     * @param slot the guest's key slot
     * @param guestPhysicalAddress the page's GPA
     * @param hostPhysicalAddress the host page backing it
     * @param accept true to validate, false to rescind
     * @return the instruction's return code (0 success; SNP: 1 FAIL_INPUT, 255 no change)
     */
    default int acceptPage(KeySlot slot, long guestPhysicalAddress, long hostPhysicalAddress, boolean accept) {
        return 0;
    }

    /**
     * A guest's read of a private page: on TEEs with page ownership the access is checked first (SNP RMP, TDX
     * Secure EPT), so a remapped or unaccepted page raises an exception in the guest.
     *
     * @param slot the guest's key slot
     * @param guestPhysicalAddress the GPA the guest reads
     * @param hostPhysicalAddress the host page mapped there
     * @param ciphertext the stored page
     * @return the plaintext
     * @throws TeeException the guest exception (for example SNP #VC, TDX #VE) or integrity failure
     */
    default byte[] guestDecrypt(KeySlot slot, long guestPhysicalAddress, long hostPhysicalAddress,
            byte[] ciphertext) {
        return decryptPage(slot, hostPhysicalAddress, ciphertext);
    }

    /**
     * A guest's write of a private page, checked like {@link #guestDecrypt}.
     *
     * @param slot the guest's key slot
     * @param guestPhysicalAddress the GPA the guest writes
     * @param hostPhysicalAddress the host page mapped there
     * @param plaintext the page
     * @return the ciphertext
     * @throws TeeException the guest exception
     */
    default byte[] guestEncrypt(KeySlot slot, long guestPhysicalAddress, long hostPhysicalAddress,
            byte[] plaintext) {
        return encryptPage(slot, hostPhysicalAddress, plaintext);
    }
}
