package io.teebox.amd.sp.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.SevGuestContext;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.SnpIdentity;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TeeException;

/** The guest contexts enforce the firmware's state machine themselves, whoever calls them. */
public class GuestContextStateTest {

    private final AmdSecureProcessorImpl sp = TestConfigs.processor(15, 5);
    private static final FirmwareVersion FW = FirmwareVersion.of(1, 55, 21);

    private static String refused(Runnable r) {
        return assertThrows(TeeException.class, r::run).status().name();
    }

    @Test
    public void sevLaunchCommandsRunOnlyInTheirStatesAndInOrder() {
        SevGuestContext c = sp.createSevContext(AsidPool.SEV, 0x1);
        assertEquals(SevGuestState.UNINIT, c.state());
        assertEquals("INVALID_GUEST_STATE", refused(() -> c.measureData(0, new byte[4096], 0, 16)));
        assertEquals("INVALID_GUEST_STATE", refused(() -> c.launchMeasure(FW, new byte[16])));
        c.launchStart(new byte[16], new byte[16]);
        assertEquals("LAUNCH_START is once", "INVALID_GUEST_STATE", refused(() -> c.launchStart(new byte[16],
                new byte[16])));
        assertEquals("a VMSA comes after data", "INVALID_GUEST_STATE", refused(() -> c.measureVmsa(0,
                new byte[4096])));
        c.measureData(0x1000, new byte[4096], 0, 4096);
        assertTrue(c.launched(0x1000));
        assertEquals("a page is launched once", "INVALID_PARAM", refused(() -> c.measureData(0x1000, new byte[4096],
                0, 16)));
        c.measureVmsa(0, new byte[4096]);
        assertEquals("a VMSA once", "INVALID_PARAM", refused(() -> c.measureVmsa(0, new byte[4096])));
        assertEquals("no data after a VMSA", "INVALID_GUEST_STATE", refused(() -> c.measureData(0x2000,
                new byte[4096], 0, 16)));
        assertEquals(null, c.launchDigest());
        assertEquals("LAUNCH_FINISH needs LSECRET", "INVALID_GUEST_STATE", refused(c::launchFinish));
        byte[] m = c.launchMeasure(FW, new byte[16]);
        assertEquals(48, m.length);
        assertEquals(SevGuestState.LSECRET, c.state());
        assertEquals(32, c.launchDigest().length);
        c.launchFinish();
        assertEquals(SevGuestState.RUNNING, c.state());
        assertEquals("the TEK is gone", "INVALID_GUEST_STATE", refused(() -> c.decryptSecret(new byte[16],
                new byte[16])));
    }

    @Test
    public void snpGuestChannelTakesEachSequenceNumberOnce() {
        SnpGuestContext c = sp.createSnpContext(0x30000);
        assertEquals("INVALID_PARAM", refused(() -> c.vmpck(0)));
        c.launchStart(new byte[32], 0, null);
        byte[] secrets = new byte[4096];
        secrets[0x20] = 7;
        c.launchSecretsPage(0x3000, secrets);
        assertEquals("INVALID_PAGE_STATE", refused(() -> c.launchPage(1, 0x3000, new byte[48])));
        assertEquals(7, c.vmpck(0)[0]);
        assertEquals("INVALID_PARAM", refused(() -> c.vmpck(4)));
        c.closeLaunch();
        assertEquals("INVALID_GUEST_STATE", refused(() -> c.launchPage(1, 0x4000, new byte[48])));
        c.launchFinish(SnpIdentity.NONE);
        assertEquals("INVALID_GUEST_STATE", refused(() -> c.launchFinish(SnpIdentity.NONE)));
        assertEquals(1, c.expectedSeqno(0));
        c.answered(0, 1);
        assertEquals(3, c.expectedSeqno(0));
        assertEquals("a replay", "INVALID_PARAM", refused(() -> c.answered(0, 1)));
        assertEquals("VMPCKs count apart", 1, c.expectedSeqno(1));
        assertArrayEquals(new byte[32], c.hostData());
    }

    @Test
    public void aContextIsLookedUpOnlyAsItsKind() {
        SevGuestContext sev = sp.createSevContext(AsidPool.SEV, 0x1);
        SnpGuestContext snp = sp.createSnpContext(0x30000);
        assertEquals(sev, sp.sevContext(sev.handle()));
        assertEquals(snp, sp.snpContext(snp.handle()));
        assertEquals("INVALID_GUEST", refused(() -> sp.snpContext(sev.handle())));
        assertEquals("INVALID_GUEST", refused(() -> sp.sevContext(snp.handle())));
        assertEquals(AsidPool.SEV_ES_SNP, sp.context(snp.handle()).pool());
        assertFalse(sp.context(snp.handle()).anyLaunched());
    }
}
