package io.teebox.amd.sp.internal;

import java.util.Arrays;

import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.SnpLaunchDigest;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.SnpIdentity;

/**
 * The context of an SEV-SNP guest: the PAGE_INFO launch digest, launch data, the ID block's fields, the secrets
 * page and the sequence numbers of the guest channel per VMPCK.
 */
final class SnpContext extends FirmwareContext implements SnpGuestContext {

    private static final int VMPCK_OFFSET = 0x20;
    private static final int VMPCK_SIZE = 32;

    private final SnpLaunchDigest digest = new SnpLaunchDigest();
    private byte[] reportId = new byte[32];
    private byte[] hostData = new byte[32];
    private long launchTcb;
    private SnpIdentity identity = SnpIdentity.NONE;
    private byte[] secretsPage;
    /** The last sequence number the firmware answered with, per VMPCK. */
    private final long[] firmwareSeqno = new long[4];
    /** The guest driver's next sequence number per VMPCK. */
    private final long[] guestSeqno = {1, 1, 1, 1};

    SnpContext(long handle, int asid, long policy) {
        super(handle, AsidPool.SEV_ES_SNP, asid, policy);
    }

    @Override
    public synchronized void launchStart(byte[] reportId, long launchTcb, byte[] hostData) {
        if (reportId.length != 32 || hostData != null && hostData.length != 32) {
            throw SevStatus.INVALID_PARAM.error("REPORT_ID and HOST_DATA are 32 bytes");
        }
        transition("SNP_LAUNCH_START", SevGuestState.LUPDATE, SevGuestState.UNINIT);
        this.reportId = reportId.clone();
        this.launchTcb = launchTcb;
        if (hostData != null) {
            this.hostData = hostData.clone();
        }
    }

    @Override
    public synchronized void launchPage(int pageType, long gpa, byte[] contents) {
        require("SNP_LAUNCH_UPDATE", SevGuestState.LUPDATE);
        launchPage("SNP_LAUNCH_UPDATE", gpa, SevStatus.INVALID_PAGE_STATE);
        digest.update(pageType, gpa, contents);
    }

    @Override
    public synchronized void launchSecretsPage(long gpa, byte[] page) {
        if (page.length != 4096) {
            throw SevStatus.INVALID_PARAM.error("the secrets page is 4096 bytes, got " + page.length);
        }
        launchPage(SnpLaunchDigest.SECRETS, gpa, new byte[48]);
        secretsPage = page.clone();
    }

    @Override
    public synchronized void launchVmsa(int vcpu, byte[] vmsa) {
        require("SNP_LAUNCH_UPDATE", SevGuestState.LUPDATE);
        launchVmsa("SNP_LAUNCH_UPDATE", vcpu);
        digest.vmsa(vmsa);
    }

    /** The launch digest a snapshot carried, once the launch is over; null while this context measures. */
    private byte[] restoredDigest;

    @Override
    public synchronized byte[] launchDigest() {
        return restoredDigest != null ? restoredDigest.clone() : digest.digest();
    }

    /** @return the secrets page, or null (for a snapshot) */
    synchronized byte[] secretsPage() {
        return secretsPage == null ? null : secretsPage.clone();
    }

    /** @return the four VMPCKs' next firmware and guest sequence numbers, for a snapshot */
    synchronized long[] seqnos() {
        long[] out = new long[8];
        System.arraycopy(firmwareSeqno, 0, out, 0, 4);
        System.arraycopy(guestSeqno, 0, out, 4, 4);
        return out;
    }

    /**
     * Puts back a finished launch (a snapshot of a running guest).
     *
     * @param launchDigest the launch digest
     * @param reportId REPORT_ID
     * @param hostData HOST_DATA
     * @param launchTcb the TCB at launch
     * @param restoredIdentity the ID block's identity
     * @param secrets the secrets page, or null
     * @param seqnos as {@link #seqnos()} gives them
     */
    synchronized void restoreLaunch(byte[] launchDigest, byte[] reportId, byte[] hostData, long launchTcb,
            SnpIdentity restoredIdentity, byte[] secrets, long[] seqnos) {
        this.restoredDigest = launchDigest.clone();
        this.reportId = reportId.clone();
        this.hostData = hostData.clone();
        this.launchTcb = launchTcb;
        this.identity = restoredIdentity;
        this.secretsPage = secrets == null ? null : secrets.clone();
        System.arraycopy(seqnos, 0, firmwareSeqno, 0, 4);
        System.arraycopy(seqnos, 4, guestSeqno, 0, 4);
    }

    @Override
    public synchronized void closeLaunch() {
        transition("SNP_LAUNCH_FINISH", SevGuestState.LSECRET, SevGuestState.LUPDATE);
    }

    @Override
    public synchronized void launchFinish(SnpIdentity identity) {
        transition("SNP_LAUNCH_FINISH", SevGuestState.RUNNING, SevGuestState.LUPDATE, SevGuestState.LSECRET);
        this.identity = identity;
    }

    @Override
    public synchronized SnpIdentity identity() {
        return identity;
    }

    @Override
    public synchronized byte[] hostData() {
        return hostData.clone();
    }

    @Override
    public synchronized byte[] reportId() {
        return reportId.clone();
    }

    @Override
    public synchronized long launchTcb() {
        return launchTcb;
    }

    @Override
    public synchronized boolean hasSecretsPage() {
        return secretsPage != null;
    }

    @Override
    public synchronized byte[] vmpck(int index) {
        if (index < 0 || index > 3 || secretsPage == null) {
            throw SevStatus.INVALID_PARAM.error("MSG_VMPCK " + index + " names no key of this guest");
        }
        int at = VMPCK_OFFSET + VMPCK_SIZE * index;
        return Arrays.copyOfRange(secretsPage, at, at + VMPCK_SIZE);
    }

    @Override
    public synchronized long expectedSeqno(int index) {
        return firmwareSeqno[index] + 1;
    }

    @Override
    public synchronized void answered(int index, long seqno) {
        if (seqno != expectedSeqno(index)) {
            throw SevStatus.INVALID_PARAM.error("VMPCK" + index + " answers sequence number " + expectedSeqno(index)
                    + " next, not " + seqno);
        }
        firmwareSeqno[index] = seqno + 1;
    }

    @Override
    public synchronized long guestSeqno(int index) {
        return guestSeqno[index];
    }

    @Override
    public synchronized void guestAnswered(int index) {
        guestSeqno[index] += 2;
    }
}
