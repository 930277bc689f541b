package io.teebox.amd.sp;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.amd.abi.SecretHeader;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TeeException;

/**
 * The guest context of an SEV or SEV-ES launch as the SEV firmware's commands change it: LAUNCH_START (UNINIT to
 * LUPDATE), LAUNCH_UPDATE_DATA and LAUNCH_UPDATE_VMSA (LUPDATE), LAUNCH_MEASURE (to LSECRET), LAUNCH_SECRET
 * (LSECRET), LAUNCH_FINISH (to RUNNING). The transport keys and the launch digest in progress never leave it. Each
 * method refuses, with INVALID_GUEST_STATE or INVALID_PARAM, what the state machine forbids; the firmware command
 * checks its own parameters first and reports in its own words.
 */
@ProviderType
public interface SevGuestContext extends GuestContext {

    /**
     * LAUNCH_START: takes the owner session's transport keys and opens the launch digest.
     *
     * @param tek the transport encryption key (16 bytes)
     * @param tik the transport integrity key (16 bytes)
     * @throws TeeException INVALID_GUEST_STATE unless the guest is UNINIT
     */
    void launchStart(byte[] tek, byte[] tik);

    /**
     * LAUNCH_UPDATE_DATA of one page: measures bytes {@code from..to} of its plaintext; the page counts as launched.
     *
     * @param page the page-aligned guest physical address
     * @param plaintext the page's 4096 bytes
     * @param from the first measured byte
     * @param to the end of the measured bytes
     * @throws TeeException INVALID_GUEST_STATE outside LUPDATE or after a VMSA; INVALID_PARAM for a page already
     *             launched
     */
    void measureData(long page, byte[] plaintext, int from, int to);

    /**
     * LAUNCH_UPDATE_VMSA: measures a vCPU's save area, after the data pages.
     *
     * @param vcpu the vCPU index
     * @param vmsa its save area
     * @throws TeeException INVALID_GUEST_STATE outside LUPDATE or before any data page; INVALID_PARAM for a VMSA
     *             already measured
     */
    void measureVmsa(int vcpu, byte[] vmsa);

    /**
     * LAUNCH_MEASURE: finalizes the launch digest and computes MEASURE with the TIK; the guest goes to LSECRET.
     *
     * @param firmware the running firmware's API version and build
     * @param mnonce the 16-byte MNONCE
     * @return MEASURE (32 bytes) followed by the MNONCE
     * @throws TeeException INVALID_GUEST_STATE outside LUPDATE
     */
    byte[] launchMeasure(FirmwareVersion firmware, byte[] mnonce);

    /** @return the launch digest LAUNCH_MEASURE finalized (ATTESTATION reports it), or null before */
    byte[] launchDigest();

    /**
     * LAUNCH_SECRET's integrity check: the packet's MAC under the TIK, bound to this launch's MEASURE.
     *
     * @param header the secret header
     * @param packet the encrypted secret
     * @param firmware the running firmware's API version
     * @return whether the header's MAC matches
     * @throws TeeException INVALID_GUEST_STATE outside LSECRET
     */
    boolean secretMacMatches(SecretHeader header, byte[] packet, FirmwareVersion firmware);

    /**
     * LAUNCH_SECRET's decryption with the TEK.
     *
     * @param iv the header's IV
     * @param packet the encrypted secret
     * @return the plaintext (the caller erases it once written)
     * @throws TeeException INVALID_GUEST_STATE outside LSECRET
     */
    byte[] decryptSecret(byte[] iv, byte[] packet);

    /**
     * LAUNCH_FINISH: the guest runs; the TEK is erased.
     *
     * @throws TeeException INVALID_GUEST_STATE outside LSECRET
     */
    void launchFinish();
}
