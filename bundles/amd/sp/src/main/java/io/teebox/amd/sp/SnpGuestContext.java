package io.teebox.amd.sp;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.tee.TeeException;

/**
 * The guest context of an SEV-SNP guest as the SNP firmware's commands change it: SNP_LAUNCH_START (UNINIT to
 * LUPDATE), SNP_LAUNCH_UPDATE page by page (LUPDATE), the launch closed (LSECRET) and SNP_LAUNCH_FINISH (to RUNNING,
 * with the ID block's fields); then SNP_GUEST_REQUEST, whose messages are sealed with the VMPCKs of the secrets page
 * and numbered, each sequence number used once. Each method refuses, with INVALID_GUEST_STATE or INVALID_PARAM,
 * what the state machine forbids.
 */
@ProviderType
public interface SnpGuestContext extends GuestContext {

    /**
     * SNP_LAUNCH_START.
     *
     * @param reportId REPORT_ID (32 bytes, random per guest)
     * @param launchTcb the TCB at launch
     * @param hostData HOST_DATA (32 bytes), or null for zeros
     * @throws TeeException INVALID_GUEST_STATE unless the guest is UNINIT
     */
    void launchStart(byte[] reportId, long launchTcb, byte[] hostData);

    /**
     * SNP_LAUNCH_UPDATE of one page: extends the launch digest with its PAGE_INFO; the page counts as launched.
     *
     * @param pageType the page type ({@code io.teebox.amd.abi.SnpLaunchDigest.NORMAL} ..)
     * @param gpa the page-aligned guest physical address
     * @param contents the page's 48-byte content digest
     * @throws TeeException INVALID_GUEST_STATE outside LUPDATE; INVALID_PAGE_STATE for a page already launched
     */
    void launchPage(int pageType, long gpa, byte[] contents);

    /**
     * SNP_LAUNCH_UPDATE of the secrets page: measured as type SECRETS; the firmware keeps the page it wrote, whose
     * VMPCKs seal the guest's messages.
     *
     * @param gpa the page-aligned guest physical address
     * @param page the secrets page the firmware wrote (4096 bytes)
     * @throws TeeException as {@link #launchPage}
     */
    void launchSecretsPage(long gpa, byte[] page);

    /**
     * SNP_LAUNCH_UPDATE of a vCPU's VMSA.
     *
     * @param vcpu the vCPU index
     * @param vmsa the save area
     * @throws TeeException INVALID_GUEST_STATE outside LUPDATE; INVALID_PARAM for a VMSA already added
     */
    void launchVmsa(int vcpu, byte[] vmsa);

    /** @return the launch digest (MEASUREMENT) so far, final once the guest runs */
    byte[] launchDigest();

    /**
     * The launch takes no more pages; SNP_LAUNCH_FINISH comes next.
     *
     * @throws TeeException INVALID_GUEST_STATE outside LUPDATE
     */
    void closeLaunch();

    /**
     * SNP_LAUNCH_FINISH: the guest runs with the ID block's fields.
     *
     * @param identity what the ID block gave, or {@link SnpIdentity#NONE}
     * @throws TeeException INVALID_GUEST_STATE unless the guest is in LUPDATE or LSECRET
     */
    void launchFinish(SnpIdentity identity);

    /** @return the ID block's fields, {@link SnpIdentity#NONE} until SNP_LAUNCH_FINISH took one */
    SnpIdentity identity();

    /** @return a copy of HOST_DATA */
    byte[] hostData();

    /** @return a copy of REPORT_ID */
    byte[] reportId();

    /** @return the TCB at launch */
    long launchTcb();

    /** @return whether the launch placed a secrets page (and so the guest has VMPCKs) */
    boolean hasSecretsPage();

    /**
     * @param index 0..3
     * @return a copy of VMPCK{index} from the secrets page
     * @throws TeeException INVALID_PARAM for an index outside 0..3 or a guest without a secrets page
     */
    byte[] vmpck(int index);

    /**
     * @param index the VMPCK
     * @return the sequence number the firmware accepts next on it: one more than its last response's
     */
    long expectedSeqno(int index);

    /**
     * The firmware answered a request on a VMPCK: its response carries the next number, and the request's
     * number is never accepted again.
     *
     * @param index the VMPCK
     * @param seqno the request's sequence number
     * @throws TeeException INVALID_PARAM unless seqno is {@link #expectedSeqno}
     */
    void answered(int index, long seqno);

    /**
     * @param index the VMPCK
     * @return the guest driver's next sequence number on it (Linux keeps it in the secrets page's OS area)
     */
    long guestSeqno(int index);

    /**
     * The guest driver's request on a VMPCK was answered: its counter moves past request and response.
     *
     * @param index the VMPCK
     */
    void guestAnswered(int index);
}
