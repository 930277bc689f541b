package io.teebox.amd.sp.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;

import org.junit.Test;

import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SnpLaunchDigest;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.Rmp;
import io.teebox.amd.sp.SevGuestContext;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.SnpIdentity;
import io.teebox.api.tee.TeeException;

/**
 * The secure processor's hand-over to its next revision (an update or a reinstall of its bundle): running guests
 * keep their handle, ASID, key, launch results and RMP entries; a guest in the middle of its launch does not.
 */
public class SpSnapshotTest {

    private static final long HPA = 0x10_0000_0000L;

    @Test
    public void runningGuestsAreTakenOverWithTheirKeysLaunchResultsAndRmpAndUnfinishedLaunchesAreNot() {
        AmdSecureProcessorImpl old = TestConfigs.processor(15, 5);
        SnpGuestContext snp = old.createSnpContext(0x30000);
        snp.launchStart(new byte[32], 0x1234L, filled(32, 7));
        snp.launchPage(SnpLaunchDigest.NORMAL, 0x1000, filled(48, 1));
        byte[] secrets = filled(4096, 9);
        snp.launchSecretsPage(0x2000, secrets);
        snp.launchFinish(SnpIdentity.NONE);
        old.activate(snp.handle());
        old.rmp().launch(HPA, snp.asid(), 0x1000, false);
        assertEquals(0, old.rmp().rmpadjust(snp.asid(), 0x1000, 1, 0b0011, false));
        assertEquals(0, old.rmp().rmpadjust(snp.asid(), 0x1000, 3, 0b1100, false));
        snp.answered(0, 1);
        SevGuestContext sev = old.createSevContext(AsidPool.SEV, 0x1);
        sev.launchStart(filled(16, 2), filled(16, 3));
        byte[] measurement = sev.launchMeasure(old.firmwareVersion(), filled(16, 6));
        sev.launchFinish();
        old.activate(sev.handle());
        SevGuestContext midLaunch = old.createSevContext(AsidPool.SEV, 0x1);
        midLaunch.launchStart(filled(16, 4), filled(16, 5));
        byte[] page = filled(4096, 0x5A);
        byte[] snpCipher = old.encryptPage(snp.asid(), HPA, page);
        byte[] sevCipher = old.encryptPage(sev.asid(), HPA, page);
        byte[] digest = snp.launchDigest();

        byte[] snapshot = old.snapshot();
        AmdSecureProcessorImpl next = TestConfigs.processor(15, 5);
        assertEquals("the two running guests", 2, next.restore(snapshot));

        SnpGuestContext s = next.snpContext(snp.handle());
        assertEquals(SevGuestState.RUNNING, s.state());
        assertEquals(snp.asid(), s.asid());
        assertArrayEquals(digest, s.launchDigest());
        assertEquals(0x1234L, s.launchTcb());
        assertArrayEquals(filled(32, 7), s.hostData());
        assertArrayEquals(Arrays.copyOfRange(secrets, 0x20, 0x40), s.vmpck(0));
        assertEquals("sequence numbers carry on", 3, s.expectedSeqno(0));
        assertTrue(s.launched(0x1000));
        assertTrue("the key is installed again", next.isActive(snp.handle()));
        assertArrayEquals("the same VEK decrypts", page, next.decryptPage(snp.asid(), HPA, snpCipher));
        assertArrayEquals(page, next.decryptPage(sev.asid(), HPA, sevCipher));
        Rmp.Entry e = next.rmp().entry(HPA);
        assertTrue(e.assigned());
        assertEquals(snp.asid(), e.asid());
        assertEquals(0x1000, e.gpa());
        assertEquals("the VMPL permissions VMPL0 gave (VMPL1 rw, VMPL3 execute) carry on", 0x0C0003, e.vmplPerms());
        assertEquals(SevGuestState.RUNNING, next.sevContext(sev.handle()).state());
        assertArrayEquals(sev.launchDigest(), next.sevContext(sev.handle()).launchDigest());
        assertEquals(48, measurement.length);

        TeeException lost = assertThrows(TeeException.class, () -> next.context(midLaunch.handle()));
        assertEquals("INVALID_GUEST", lost.status().name());
        assertEquals("the unfinished launch's ASID is free again; the running ones are not", 2,
                next.asidLimits(AsidPool.SEV).inUse() + next.asidLimits(AsidPool.SEV_ES_SNP).inUse());
        assertTrue("a new guest gets a new handle", next.createSevContext(AsidPool.SEV, 0).handle()
                > midLaunch.handle());
    }

    @Test
    public void nothingRunningGivesNoSnapshotAndForeignBytesAreRefused() {
        AmdSecureProcessorImpl sp = TestConfigs.processor(15, 5);
        sp.createSevContext(AsidPool.SEV, 0x1).launchStart(new byte[16], new byte[16]);
        assertNull(sp.snapshot());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sp.restore(new byte[] {1, 2, 3, 4}));
        assertTrue(e.getMessage(), e.getMessage().contains("not a secure processor snapshot"));
    }

    @Test
    public void aGuestWhoseAsidTheNewConfigurationLacksIsNotTakenOver() {
        AmdSecureProcessorImpl old = TestConfigs.processor(15, 5);
        SevGuestContext sev = old.createSevContext(AsidPool.SEV, 0x1);
        sev.launchStart(filled(16, 2), filled(16, 3));
        sev.launchMeasure(old.firmwareVersion(), filled(16, 6));
        sev.launchFinish();
        AmdSecureProcessorImpl next = TestConfigs.processor(15, 10);
        assertEquals(sev.asid() + " is an SEV-ES/SNP ASID there", 0, next.restore(old.snapshot()));
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
