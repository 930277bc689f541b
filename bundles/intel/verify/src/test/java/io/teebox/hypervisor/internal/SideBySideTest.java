package io.teebox.hypervisor.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.teebox.amd.owner.testing.AmdOwners;
import io.teebox.amd.sev.testing.SevServices;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.intel.verify.internal.IntelVerifiers;
import io.teebox.kit.crypto.Digests;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * An AMD SEV guest and an Intel TD in one platform: both run, and either backend can go away and come back (as a
 * bundle stop or update does) without touching the other's guests. The TDX backend's update hands its TDs to the new
 * revision: their memory, keys, MACs and RTMRs survive, and their quotes still verify.
 */
public class SideBySideTest {

    static final long TEMP_MEM = TdxHypervisorTest.TEMP_MEM;
    static final byte[] TD_DATA = "kept across the update".getBytes(StandardCharsets.UTF_8);
    static final byte[] SEV_DATA = "an SEV guest's data".getBytes(StandardCharsets.UTF_8);
    static final byte[] SEV_SECRET = "released at launch".getBytes(StandardCharsets.UTF_8);

    private HypervisorImpl hv;
    private IntelPcs pcs;
    private TdxBackend tdx;
    /** The sev bundle's backend and guest interface. */
    private Object[] sev;

    private void bindSev(Object[] services) {
        hv.bindAll("sev", services);
    }

    private void unbindSev(Object[] services) {
        hv.unbindAll("sev", services);
    }

    @Before
    public void setUp() {
        hv = new HypervisorImpl(TdxHypervisorTest.config(256, 16));
        pcs = TdxTesting.pcs();
        tdx = TdxTesting.backend(pcs);
        TdxHypervisorTest.bindTdx(hv, tdx);
        AmdSecureProcessor sp = AmdPlatforms.processor(java.util.Map.of());
        sev = SevServices.sev(sp);
        bindSev(sev);
        hv.create(new GuestConfig("amd", "sev", 1, "EPYC-v4", 16 << 20));
        LaunchResult r = hv.launch("amd", LaunchPlan.DEFAULT, AmdOwners.sev().prepare(new OwnerPolicy(0x1, null,
                null, null, null, null, SEV_SECRET, 0x200000)));
        assertEquals(1, r.secretsInjected());
        TdxHypervisorTest.launchTd(hv, "intel", TdAttributes.SEPT_VE_DISABLE, null);
    }

    @After
    public void tearDown() {
        TdxTesting.stop(pcs);
    }

    private void bothWork() {
        hv.context("amd").write(0x300000, SEV_DATA);
        assertArrayEquals(SEV_DATA, hv.context("amd").read(0x300000, SEV_DATA.length));
        hv.context("intel").write(TEMP_MEM + 0x1000, TD_DATA);
        assertArrayEquals(TD_DATA, hv.context("intel").read(TEMP_MEM + 0x1000, TD_DATA.length));
    }

    @Test
    public void sevAndTdxGuestsRunSideBySide() {
        assertEquals(List.of("sev", "tdx"), hv.backends().stream().map(b -> b.teeType()).toList());
        assertEquals(GuestState.RUNNING, hv.guest("amd").state());
        assertEquals(GuestState.RUNNING, hv.guest("intel").state());
        assertEquals("ASID", hv.guest("amd").keySlot().kind());
        assertEquals("HKID", hv.guest("intel").keySlot().kind());
        assertArrayEquals(SEV_SECRET, hv.context("amd").read(0x200000, SEV_SECRET.length));
        bothWork();
        assertEquals("tdx-quote-v4", hv.context("intel").evidence(io.teebox.api.tee.Bytes.of(new byte[64])).format());
    }

    @Test
    public void updatingTheTdxBackendKeepsItsTdsAndLeavesSevGuestsAlone() {
        long handle = hv.guest("intel").handle();
        hv.context("intel").write(TEMP_MEM, TD_DATA);
        byte[] rtmr = TdxTesting.guest(tdx, handle).rtmrExtend(2, Digests.sha384(TD_DATA), "before the update");

        TdxBackend next = TdxTesting.update(tdx, pcs);
        TdxHypervisorTest.unbindTdx(hv, tdx);
        assertEquals(GuestState.PAUSED, hv.guest("intel").state());
        assertEquals(GuestState.RUNNING, hv.guest("amd").state());
        hv.context("amd").write(0x300000, SEV_DATA);
        assertArrayEquals(SEV_DATA, hv.context("amd").read(0x300000, SEV_DATA.length));

        TdxHypervisorTest.bindTdx(hv, next);
        assertEquals(GuestState.RUNNING, hv.guest("intel").state());
        assertTrue(hv.guest("intel").note(), hv.guest("intel").note().startsWith("resumed on tdx"));
        assertArrayEquals(TD_DATA, hv.context("intel").read(TEMP_MEM, TD_DATA.length));
        TdReport report = TdReport.parse(TdxTesting.guest(next, handle).tdReport(new byte[64]));
        assertArrayEquals(rtmr, report.rtmr(2));
        assertEquals(TdxStatus.TDX_SUCCESS, TdxTesting.guest(next, handle).acceptPage(0x814000));
        assertEquals(1, next.limits().inUse());
        assertTrue(TdxTesting.host(next, handle).calls().stream().anyMatch(c -> c.command().equals("TDH.MNG.CREATE")));

        Evidence e = hv.context("intel").evidence(io.teebox.api.tee.Bytes.of(new byte[64]));
        Appraisal v = IntelVerifiers.dcap(pcs).verify(e, VerificationOptions.trusting(List.of(pcs.rootCaCertificate())));
        assertTrue(v.failures().toString(), v.accepted());
        bothWork();
    }

    @Test
    public void swappingTheSevBackendLeavesTdsAlone() {
        unbindSev(sev);
        assertEquals(GuestState.PAUSED, hv.guest("amd").state());
        assertEquals(GuestState.RUNNING, hv.guest("intel").state());
        hv.context("intel").write(TEMP_MEM, TD_DATA);
        assertArrayEquals(TD_DATA, hv.context("intel").read(TEMP_MEM, TD_DATA.length));
        bindSev(sev);
        assertEquals(GuestState.RUNNING, hv.guest("amd").state());
        bothWork();
        assertNotEquals(hv.guest("amd").handle(), 0);
    }
}
