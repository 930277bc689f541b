package io.teebox.amd.sp;

import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;

import io.teebox.amd.abi.SevGuestState;

/**
 * A guest context held by the secure processor (the GCTX): it outlives any backend bundle, so a restarted or updated
 * backend finds its guests here. Fields are written only by firmware code holding the context's monitor.
 */
public final class GuestContext {

    /** The firmware's guest handle. */
    public final long handle;
    /** The ASID pool the guest draws from. */
    public final AsidPool pool;
    /** The guest's ASID. */
    public final int asid;
    /** The guest policy. */
    public final long policy;
    /** The guest state. */
    public SevGuestState state = SevGuestState.UNINIT;
    /** Transport encryption key of the owner session. */
    public byte[] tek;
    /** Transport integrity key of the owner session. */
    public byte[] tik;
    /** The launch digest in progress. */
    public MessageDigest launchDigest;
    /** The LAUNCH_MEASURE output (MEASURE || MNONCE), once measured. */
    public byte[] measurement;
    /** SEV/SEV-ES: the SHA-256 launch digest LAUNCH_MEASURE finalized, which ATTESTATION reports. */
    public byte[] launchDigestValue;
    /** Guest pages encrypted by the launch, by guest physical address. */
    public final Set<Long> launchedPages = new HashSet<>();
    /** SEV-SNP: the launch digest chain (PAGE_INFO), its final value once launched, and launch data. */
    public io.teebox.amd.abi.SnpLaunchDigest snpDigest;
    /** SEV-SNP: HOST_DATA given at SNP_LAUNCH_FINISH. */
    public byte[] hostData = new byte[32];
    /** SEV-SNP: REPORT_ID, random per guest. */
    public byte[] reportId;
    /** SEV-SNP: the secrets page content the firmware wrote (VMPCKs). */
    public byte[] secretsPage;
    /** SEV-SNP: the last guest-message sequence number the firmware accepted, per VMPCK. */
    public final long[] msgSeqno = new long[4];
    /** SEV-SNP: the guest driver's next sequence number per VMPCK (Linux keeps it in the secrets page OS area). */
    public final long[] guestSeqno = {1, 1, 1, 1};
    /** SEV-SNP: from the ID block at SNP_LAUNCH_FINISH (zeros without one). */
    public byte[] familyId = new byte[16];
    /** SEV-SNP: IMAGE_ID from the ID block. */
    public byte[] imageId = new byte[16];
    /** SEV-SNP: GUEST_SVN from the ID block. */
    public long guestSvn;
    /** SEV-SNP: SHA-384 of the ID key, or zeros. */
    public byte[] idKeyDigest = new byte[48];
    /** SEV-SNP: SHA-384 of the author key, or zeros. */
    public byte[] authorKeyDigest = new byte[48];
    /** SEV-SNP: whether an author key signed the ID key. */
    public boolean authorKeyEn;
    /** SEV-SNP: the TCB at launch. */
    public long launchTcb;

    /** vCPUs whose VMSA was measured and encrypted (SEV-ES), in order. */
    public final java.util.List<Integer> measuredVmsas = new java.util.ArrayList<>();

    /**
     * @param handle handle
     * @param pool ASID pool
     * @param asid ASID
     * @param policy policy
     */
    public GuestContext(long handle, AsidPool pool, int asid, long policy) {
        this.handle = handle;
        this.pool = pool;
        this.asid = asid;
        this.policy = policy;
    }
}
