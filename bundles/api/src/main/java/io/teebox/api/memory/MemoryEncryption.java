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
}
