package io.teebox.amd.sp;

import java.security.PublicKey;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.TcbVersion;
import io.teebox.api.tee.TeeException;

/**
 * The AMD Secure Processor: what the SEV, SEV-ES and SEV-SNP firmware modules share and what must outlive them.
 * Private keys never leave it; callers get operations on them.
 */
@ProviderType
public interface AmdSecureProcessor {

    /** @return the product line, for example {@code "Milan"} */
    String productLine();

    /** @return the running firmware's API version and build */
    FirmwareVersion firmwareVersion();

    /** @return the platform's TCB (one per chip: the same value as {@link #snpTcb()}, whichever backend asks) */
    TcbVersion tcb();

    /**
     * Loads the SEV firmware image a backend bundle carries (DOWNLOAD_FIRMWARE): from now on the secure processor
     * reports its version and SNP SPL, except for the values its configuration sets explicitly, which take
     * precedence. The newest image loaded runs: an image older than the running one (by SNP SPL, then version) is
     * not loaded, so a backend bundle that was not updated restarting keeps the firmware. Guest contexts, keys and
     * ASIDs are untouched.
     *
     * @param image the image
     * @param source who loaded it (for the log), for example a bundle's symbolic name and version
     */
    void loadFirmware(SpFirmwareImage image, String source);

    /** @return the firmware image loaded last, or null when no backend bundle carried one */
    SpFirmwareImage loadedFirmware();

    /** @return PLATFORM_STATUS */
    PlatformStatus platformStatus();

    /** @return the SEV-format certificates {@code pdh}, {@code pek}, {@code oca}, {@code cek} */
    Map<String, byte[]> platformCertificates();

    /**
     * ECDH of the platform's PDH private key with a guest owner's public key.
     *
     * @param ownerKey the GODH public key (P-384)
     * @return Z, the big-endian X coordinate of the shared point
     * @throws TeeException INVALID_CERTIFICATE if the key is not on the PDH's curve
     */
    byte[] pdhSharedSecret(PublicKey ownerKey);

    /**
     * @param data bytes to sign
     * @return the PEK's ECDSA P-384/SHA-256 signature {r, s}
     */
    java.math.BigInteger[] pekSign(byte[] data);

    /**
     * @param pool an ASID pool
     * @return its range and use
     */
    KeySlotLimits asidLimits(AsidPool pool);

    /**
     * The platform's ASID limits as CPUID Fn8000_001F reports them to every guest, whatever its TEE type: ECX the
     * number of encrypted guests (the highest ASID), EDX the first SEV-only ASID. Backends put these into their
     * descriptor properties ({@code cpuid.8000001F.ecx}, {@code cpuid.8000001F.edx}) for the hypervisor's CPUID
     * emulation.
     *
     * @return the two properties, decimal
     */
    default java.util.Map<String, String> cpuidAsidProperties() {
        KeySlotLimits sev = asidLimits(AsidPool.SEV);
        return java.util.Map.of("cpuid.8000001F.ecx", Integer.toString(sev.last()), "cpuid.8000001F.edx",
                Integer.toString(sev.first()));
    }

    /**
     * Creates the guest context of an SEV or SEV-ES launch: a free ASID of the pool and a fresh AES-128 memory key
     * (not yet active); the guest is UNINIT.
     *
     * @param pool the pool
     * @param policy the guest policy
     * @return the context
     * @throws TeeException RESOURCE_LIMIT when the pool is exhausted
     */
    SevGuestContext createSevContext(AsidPool pool, long policy);

    /**
     * Creates the guest context of an SEV-SNP launch: a free SEV-ES/SNP ASID and a fresh AES-256-XTS memory key (not
     * yet active); the guest is UNINIT.
     *
     * @param policy the guest policy
     * @return the context
     * @throws TeeException RESOURCE_LIMIT when the pool is exhausted
     */
    SnpGuestContext createSnpContext(long policy);

    /**
     * The emulated AMD key hierarchy of this chip (ARK, ASK, VCEKs); built on first use.
     *
     * @return the hierarchy
     */
    io.teebox.amd.abi.AmdKeyHierarchy keys();

    /** @return the Reverse Map Table (SEV-SNP) */
    Rmp rmp();

    /** @return the CSP id of the loaded VLEK when reports are VLEK-signed, or null when the VCEK signs them */
    String vlekCspId();

    /** @return the TCB the SNP firmware reports (TCB_VERSION in the product line's layout) */
    TcbVersion snpTcb();

    /**
     * @param handle a guest handle
     * @return its context, read-only
     * @throws TeeException INVALID_GUEST if there is none
     */
    GuestContext context(long handle);

    /**
     * @param handle the handle of an SEV or SEV-ES guest
     * @return its context
     * @throws TeeException INVALID_GUEST if there is none, or it is an SEV-SNP guest
     */
    SevGuestContext sevContext(long handle);

    /**
     * @param handle the handle of an SEV-SNP guest
     * @return its context
     * @throws TeeException INVALID_GUEST if there is none, or it is an SEV or SEV-ES guest
     */
    SnpGuestContext snpContext(long handle);

    /**
     * Installs the guest's memory key for its ASID (ACTIVATE).
     *
     * @param handle a guest handle
     */
    void activate(long handle);

    /**
     * Removes the guest's key from the memory controller (DEACTIVATE).
     *
     * @param handle a guest handle
     */
    void deactivate(long handle);

    /**
     * Destroys the context and frees its ASID (DECOMMISSION).
     *
     * @param handle a guest handle
     * @throws TeeException ACTIVE if the guest is still active
     */
    void decommission(long handle);

    /** @return whether the guest's key is installed */
    boolean isActive(long handle);

    /**
     * The memory controller encrypting a page under the key installed for an ASID.
     *
     * @param asid the ASID
     * @param hostPhysicalAddress the page's host physical address (the tweak)
     * @param page 4096 bytes
     * @return ciphertext
     * @throws TeeException INACTIVE if no key is installed for the ASID
     */
    byte[] encryptPage(int asid, long hostPhysicalAddress, byte[] page);

    /**
     * The memory controller decrypting a page.
     *
     * @param asid the ASID
     * @param hostPhysicalAddress the page's host physical address
     * @param page 4096 bytes of ciphertext
     * @return plaintext
     * @throws TeeException INACTIVE if no key is installed for the ASID
     */
    byte[] decryptPage(int asid, long hostPhysicalAddress, byte[] page);

    /**
     * The read of DBG_DECRYPT / SNP_DBG_DECRYPT once the command's policy check passed: guest memory decrypted with
     * the ASID's key, page by page, across page boundaries.
     *
     * @param asid the guest's ASID
     * @param memory the guest's memory
     * @param gpa the first guest physical address
     * @param length bytes, 0..1 MiB
     * @return the plaintext
     * @throws TeeException INVALID_LENGTH for a length outside 0..1 MiB
     */
    default byte[] decryptRange(int asid, io.teebox.api.launch.GuestMemory memory, long gpa, int length) {
        if (length < 0 || length > 1 << 20) {
            throw io.teebox.amd.abi.SevStatus.INVALID_LENGTH.error("DBG_DECRYPT length must be 0..1048576, got "
                    + length);
        }
        byte[] out = new byte[length];
        for (int off = 0; off < length;) {
            long page = (gpa + off) & ~0xFFFL;
            int in = (int) (gpa + off - page);
            int n = Math.min(4096 - in, length - off);
            byte[] plain = decryptPage(asid, memory.hostPhysicalAddress(page), memory.readPage(page));
            System.arraycopy(plain, in, out, off, n);
            off += n;
        }
        return out;
    }

}
