package io.teebox.hypervisor.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestPage;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeType;
import io.teebox.intel.tdx.VirtualizationException;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.intel.owner.internal.TdxGuestOwner;
import io.teebox.kit.hex.Hex;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * TDs on the real hypervisor: the launch from TDVF metadata, and what the host can and cannot do to TD memory.
 * (This test lives in the hypervisor's package to bind backends the way DS does.)
 */
public class TdxHypervisorTest {

    /** TempMem of the default firmware: added (unmeasured) at launch, so mapped and usable by the TD. */
    static final long TEMP_MEM = 0x810000;
    static final byte[] OTHER = "another private page".getBytes(StandardCharsets.UTF_8);
    static final byte[] SECRET = "the TD's private data".getBytes(StandardCharsets.UTF_8);

    private HypervisorImpl hv;
    private IntelPcs pcs;
    private TdxBackend tdx;

    static HypervisorConfig config(int mib, int guests) {
        return new HypervisorConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HypervisorConfig.class;
            }

            @Override
            public int hostMemoryMiB() {
                return mib;
            }

            @Override
            public int maxGuests() {
                return guests;
            }
        };
    }

    private static final Map<TdxBackend, io.teebox.intel.tdx.internal.TdxGuestInterface> INTERFACES =
            new java.util.concurrent.ConcurrentHashMap<>();

    static void bindTdx(HypervisorImpl hv, TdxBackend b) {
        hv.bindAll("tdx", b, INTERFACES.computeIfAbsent(b, io.teebox.intel.tdx.internal.TdxGuestInterface::new));
    }

    static void unbindTdx(HypervisorImpl hv, TdxBackend b) {
        hv.unbindAll("tdx", b, INTERFACES.get(b));
    }

    @Before
    public void setUp() {
        hv = new HypervisorImpl(config(256, 16));
        pcs = TdxTesting.pcs();
        tdx = TdxTesting.backend(pcs);
        bindTdx(hv, tdx);
    }

    @After
    public void tearDown() {
        TdxTesting.stop(pcs);
    }

    static LaunchResult launchTd(HypervisorImpl hv, String name, long attributes, byte[] firmware) {
        hv.create(new GuestConfig(name, "tdx", 1, "SPR", 16 << 20));
        return hv.launch(name, new LaunchPlan(firmware, null, null, null), new TdxGuestOwner().prepare(
                new OwnerPolicy(attributes, firmware, null, null, null, null, null, -1)));
    }

    private long handle(String guest) {
        return hv.guest(guest).handle();
    }

    @Test
    public void launchOfSyntheticOvmfThroughTheHypervisorGivesTheTdShimMrtd() {
        LaunchResult r = launchTd(hv, "synthetic", TdAttributes.SEPT_VE_DISABLE, TdxTesting.syntheticOvmf());
        assertEquals(GuestState.RUNNING, r.guest().state());
        assertEquals(TdxTesting.expected("tdx-mrtd"), Hex.encode(r.measurement().value()));
        assertEquals("HKID", r.guest().keySlot().kind());
        assertEquals("TDH.MNG.CREATE", r.log().get(0).command());
        assertEquals("TDH.VP.ENTER", r.log().get(r.log().size() - 1).command());
        assertEquals("RUNNABLE", hv.firmwareStatus("synthetic").state());
    }

    @Test
    public void aTdRunsCpuidThroughTdvmcallAndSeesGenuineIntel() {
        launchTd(hv, "cpuid", TdAttributes.SEPT_VE_DISABLE, null);
        io.teebox.api.hypervisor.ExitTrace t = hv.context("cpuid").execute(0, new io.teebox.api.hypervisor
                .GuestInstruction(io.teebox.api.hypervisor.GuestInstruction.Kind.CPUID, 0, 0, 0));
        assertTrue(t.path(), t.path().startsWith("#VE -> TDG.VP.VMCALL<Instruction.CPUID>"));
        assertEquals("the GHCI sub-function is the VMX exit reason CPUID", 10, t.exitCode());
        assertEquals("the host saw only the TDVMCALL registers", java.util.Set.of("r10", "r11", "r12", "r13"),
                t.hostSaw().keySet());
        String vendor = ascii(t.result().get("r13")) + ascii(t.result().get("r15")) + ascii(t.result().get("r14"));
        assertEquals("GenuineIntel", vendor);
        io.teebox.api.hypervisor.ExitTrace leaf1 = hv.context("cpuid").execute(0, new io.teebox.api.hypervisor
                .GuestInstruction(io.teebox.api.hypervisor.GuestInstruction.Kind.CPUID, 1, 0, 0));
        assertEquals("family 6 model 0x8F: Sapphire Rapids", 0x806F4L, (long) leaf1.result().get("r12"));
        assertTrue("the host reads none of the TD's registers", hv.hostVcpu("cpuid", 0).registers().isEmpty());
        assertTrue(TdxTesting.host(tdx, handle("cpuid")).calls().stream().anyMatch(c -> c.command().equals(
                "TDG.VP.VMCALL<Instruction.CPUID>")));
    }

    private static String ascii(long register) {
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) (register >>> (8 * i));
        }
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    public void aPausedTdRefusesEveryGuestContextAndTdcallWithInvalidGuestState() {
        launchTd(hv, "paused", TdAttributes.SEPT_VE_DISABLE, null);
        io.teebox.intel.tdx.TdxGuest calls = hv.context("paused").extension(io.teebox.intel.tdx.TdxGuest.class)
                .orElseThrow();
        io.teebox.api.guest.RuntimeMeasurements rtmrs = hv.context("paused").measurements();
        byte[] rtmr3 = rtmrs.read(3).value();
        hv.pause("paused");
        byte[] digest = new byte[48];
        for (Runnable call : java.util.List.<Runnable>of(
                () -> calls.rtmrExtend(3, digest, "after the pause"),
                () -> calls.tdReport(new byte[64]),
                () -> calls.getQuote(new byte[64]),
                () -> calls.acceptPage(0x900000),
                () -> calls.eventLog(),
                () -> calls.read(TEMP_MEM, 16),
                () -> rtmrs.extend(3, io.teebox.api.tee.Bytes.of(digest), null),
                () -> hv.context("paused").evidence(io.teebox.api.tee.Bytes.of(new byte[64])),
                () -> hv.context("paused").read(TEMP_MEM, 16))) {
            io.teebox.api.tee.TeeException e = assertThrows(io.teebox.api.tee.TeeException.class, call::run);
            assertEquals("INVALID_GUEST_STATE", e.status().name());
        }
        hv.resume("paused");
        assertArrayEquals("nothing was extended while paused", rtmr3, rtmrs.read(3).value());
        calls.rtmrExtend(3, digest, "after the resume");
        assertEquals("RTMR", rtmrs.kind());
        assertEquals(1, rtmrs.log().stream().filter(e -> e.description().equals("after the resume")).count());
    }

    @Test
    public void hostWriteToPrivateMemoryTerminatesTheTdOnItsNextReadAndOthersKeepRunning() {
        launchTd(hv, "victim", TdAttributes.SEPT_VE_DISABLE, null);
        launchTd(hv, "bystander", TdAttributes.SEPT_VE_DISABLE, null);
        hv.context("victim").write(TEMP_MEM, SECRET);
        hv.context("bystander").write(TEMP_MEM, SECRET);
        assertArrayEquals(SECRET, hv.context("victim").read(TEMP_MEM, SECRET.length));
        byte[] host = hv.hostRead("victim", TEMP_MEM, 4096);
        assertFalse(new String(host, StandardCharsets.ISO_8859_1).contains("private data"));
        assertEquals(HostAccessOutcome.Effect.FIXED_DATA, tdx.hostAccess(HostAccess.READ).effect());

        HostAccessOutcome o = hv.hostWrite("victim", TEMP_MEM + 0x40, new byte[] {1, 2, 3});
        assertEquals(HostAccessOutcome.Effect.GUEST_TERMINATED, o.effect());
        TeeException e = assertThrows(TeeException.class, () -> hv.context("victim").read(TEMP_MEM, 16));
        assertEquals(TdxStatus.TDX_TD_FATAL.status(), e.status());
        assertTrue(e.getMessage(), e.getMessage().contains("cache line 1"));
        assertEquals(GuestState.TERMINATED, hv.guest("victim").state());
        assertEquals("FATAL", tdx.status(handle("victim")).state());
        TeeException report = assertThrows(TeeException.class, () -> TdxTesting.guest(tdx, handle("victim")).tdReport(new byte[64]));
        assertEquals(TdxStatus.TDX_TD_FATAL.status(), report.status());

        assertEquals(GuestState.RUNNING, hv.guest("bystander").state());
        assertArrayEquals(SECRET, hv.context("bystander").read(TEMP_MEM, SECRET.length));
        hv.context("bystander").write(TEMP_MEM + 4096, SECRET);
        assertArrayEquals(SECRET, hv.context("bystander").read(TEMP_MEM + 4096, SECRET.length));
    }

    @Test
    public void movedOrReplayedCiphertextIsDetected() {
        launchTd(hv, "moved", TdAttributes.SEPT_VE_DISABLE, null);
        hv.context("moved").write(TEMP_MEM, SECRET);
        hv.context("moved").write(TEMP_MEM + 4096, new byte[16]);
        byte[] page = hv.hostRead("moved", TEMP_MEM, 4096);
        hv.hostWrite("moved", TEMP_MEM + 4096, page);
        assertArrayEquals(SECRET, Arrays.copyOf(hv.context("moved").read(TEMP_MEM, 4096), SECRET.length));
        assertThrows(TeeException.class, () -> hv.context("moved").read(TEMP_MEM + 4096, 16));
        assertEquals(GuestState.TERMINATED, hv.guest("moved").state());

        launchTd(hv, "replayed", TdAttributes.SEPT_VE_DISABLE, null);
        hv.context("replayed").write(TEMP_MEM, SECRET);
        byte[] old = hv.hostRead("replayed", TEMP_MEM, 4096);
        hv.context("replayed").write(TEMP_MEM, "new contents".getBytes(StandardCharsets.UTF_8));
        assertEquals(HostAccessOutcome.Effect.GUEST_TERMINATED, tdx.hostAccess(HostAccess.REPLAY).effect());
        hv.hostWrite("replayed", TEMP_MEM, old);
        assertThrows(TeeException.class, () -> hv.context("replayed").read(TEMP_MEM, 16));
        assertEquals(GuestState.TERMINATED, hv.guest("replayed").state());
    }

    @Test
    public void tdAccessToAPageItHasNotAcceptedRaisesVirtualizationException() {
        launchTd(hv, "ve", 0, null);
        long td = handle("ve");
        // the default firmware's PAGE.AUG TempMem: not added at launch
        VirtualizationException unmapped = assertThrows(VirtualizationException.class,
                () -> TdxTesting.guest(tdx, td).read(0x814000, 8));
        assertTrue(unmapped.delivered());
        assertEquals(0x814000, unmapped.gpa());
        assertThrows(VirtualizationException.class, () -> hv.context("ve").write(0x900000, SECRET));
        assertEquals(GuestState.RUNNING, hv.guest("ve").state());

        TdxTesting.host(tdx, td).augPage(0x901000);
        assertEquals("PENDING", TdxTesting.host(tdx, td).pageState(0x901000));
        VirtualizationException pending = assertThrows(VirtualizationException.class,
                () -> hv.context("ve").read(0x901000, 8));
        assertTrue(pending.getMessage(), pending.getMessage().contains("PENDING"));
        assertEquals(TdxStatus.TDX_SUCCESS, TdxTesting.guest(tdx, td).acceptPage(0x901000));
        assertArrayEquals(new byte[8], hv.context("ve").read(0x901000, 8));
        assertEquals(TdxStatus.TDX_PAGE_ALREADY_ACCEPTED, TdxTesting.guest(tdx, td).acceptPage(0x901000));

        assertEquals(TdxStatus.TDX_SUCCESS, TdxTesting.guest(tdx, td).acceptPage(0x814000));
        TdxTesting.guest(tdx, td).write(0x814000, SECRET);
        assertArrayEquals(SECRET, TdxTesting.guest(tdx, td).read(0x814000, SECRET.length));
        assertArrayEquals(SECRET, hv.context("ve").read(0x814000, SECRET.length));
        assertTrue(TdxTesting.host(tdx, td).calls().stream().anyMatch(c -> c.command().equals("TDH.MEM.PAGE.AUG")
                && c.detail().contains("0x814000")));
        assertEquals(GuestState.RUNNING, hv.guest("ve").state());

        // through the hypervisor: a page the TD never had, then TDG.MEM.PAGE.ACCEPT as mem:accept issues it
        VirtualizationException never = assertThrows(VirtualizationException.class,
                () -> hv.context("ve").read(0xA00000, 8));
        assertTrue(never.getMessage(), never.getMessage().contains("not mapped"));
        assertEquals(0, hv.context("ve").accept(0xA00000, true));
        assertEquals("MAPPED", TdxTesting.host(tdx, td).pageState(0xA00000));
        assertArrayEquals(new byte[8], hv.context("ve").read(0xA00000, 8));
        assertEquals(0xB0A, hv.context("ve").accept(0xA00000, true));
        TeeException rescind = assertThrows(TeeException.class, () -> hv.context("ve").accept(0xA00000, false));
        assertEquals(TdxStatus.TDX_OPERAND_INVALID.status(), rescind.status());
        assertEquals(GuestState.RUNNING, hv.guest("ve").state());

        launchTd(hv, "noVe", TdAttributes.SEPT_VE_DISABLE, null);
        VirtualizationException exit = assertThrows(VirtualizationException.class,
                () -> TdxTesting.guest(tdx, handle("noVe")).read(0x814000, 8));
        assertFalse(exit.delivered());
    }

    @Test
    public void theMemoryMapShowsEachPagesSecureEptState() {
        launchTd(hv, "map", 0, null);
        long td = handle("map");
        hv.context("map").write(TEMP_MEM, SECRET);
        java.util.List<GuestPage> pages = hv.pages("map");
        assertEquals(hv.guest("map").residentPages(), pages.size());
        GuestPage temp = page(pages, TEMP_MEM);
        assertTrue(temp.encrypted());
        assertFalse(temp.shared());
        assertEquals("SEPT MAPPED", temp.firmwareState());
        assertEquals("the firmware's last page, added at launch", "SEPT MAPPED",
                page(pages, 0xFFFF_F000L).firmwareState());

        TdxTesting.host(tdx, td).augPage(0x901000);
        GuestPage augmented = page(hv.pages("map"), 0x901000);
        assertEquals("SEPT PENDING", augmented.firmwareState());
        assertTrue("an augmented page belongs to the TD", augmented.encrypted());
        assertEquals(TdxStatus.TDX_SUCCESS, TdxTesting.guest(tdx, td).acceptPage(0x901000));
        assertEquals("SEPT MAPPED", page(hv.pages("map"), 0x901000).firmwareState());

        // a page the TD maps shared is not in the Secure EPT
        hv.context("map").share(0xB00000, true);
        hv.context("map").write(0xB00000, OTHER);
        GuestPage shared = page(hv.pages("map"), 0xB00000);
        assertTrue(shared.shared());
        assertFalse(shared.encrypted());
        assertEquals("SEPT FREE", shared.firmwareState());

        TdxTesting.host(tdx, td).blockRange(TEMP_MEM);
        assertEquals("SEPT BLOCKED", page(hv.pages("map"), TEMP_MEM).firmwareState());
        TdxTesting.host(tdx, td).track();
        TdxTesting.host(tdx, td).removePage(TEMP_MEM);
        assertEquals("removed from the Secure EPT, still backed by the host", "SEPT FREE",
                page(hv.pages("map"), TEMP_MEM).firmwareState());

        // paused: the module keeps its table; with the backend away there is no state to show
        hv.pause("map");
        assertEquals("SEPT MAPPED", page(hv.pages("map"), 0x901000).firmwareState());
        unbindTdx(hv, tdx);
        java.util.List<GuestPage> away = hv.pages("map");
        assertEquals(hv.guest("map").residentPages(), away.size());
        assertTrue(away.stream().allMatch(p -> p.firmwareState().isEmpty()));
        bindTdx(hv, tdx);
    }

    private static GuestPage page(java.util.List<GuestPage> pages, long gpa) {
        return pages.stream().filter(p -> p.gpa() == gpa).findFirst()
                .orElseThrow(() -> new AssertionError(String.format("no resident page at 0x%X", gpa)));
    }

    @Test
    public void theHostCannotRemapOrRemoveALivePrivatePage() {
        launchTd(hv, "sept", TdAttributes.SEPT_VE_DISABLE, null);
        long td = handle("sept");
        hv.context("sept").write(TEMP_MEM, SECRET);
        assertEquals(HostAccessOutcome.Effect.HOST_FAULT, tdx.hostAccess(HostAccess.REMAP).effect());
        TeeException remap = assertThrows(TeeException.class, () -> TdxTesting.host(tdx, td).augPage(TEMP_MEM));
        assertEquals(TdxStatus.TDX_EPT_ENTRY_NOT_FREE.status(), remap.status());
        TeeException live = assertThrows(TeeException.class, () -> TdxTesting.host(tdx, td).removePage(TEMP_MEM));
        assertEquals(TdxStatus.TDX_GPA_RANGE_NOT_BLOCKED.status(), live.status());
        assertArrayEquals(SECRET, hv.context("sept").read(TEMP_MEM, SECRET.length));
        // the hypervisor's remap of two private pages is refused: the TD keeps reading its own pages
        hv.context("sept").write(TEMP_MEM + 4096, OTHER);
        assertEquals(HostAccessOutcome.Effect.HOST_FAULT, hv.hostRemap("sept", TEMP_MEM, TEMP_MEM + 4096).effect());
        assertArrayEquals(SECRET, hv.context("sept").read(TEMP_MEM, SECRET.length));
        assertArrayEquals(OTHER, hv.context("sept").read(TEMP_MEM + 4096, OTHER.length));

        TdxTesting.host(tdx, td).blockRange(TEMP_MEM);
        TeeException untracked = assertThrows(TeeException.class, () -> TdxTesting.host(tdx, td).removePage(TEMP_MEM));
        assertEquals(TdxStatus.TDX_TLB_TRACKING_NOT_DONE.status(), untracked.status());
        assertFalse(assertThrows(VirtualizationException.class, () -> hv.context("sept").read(TEMP_MEM, 8)).delivered());
        TdxTesting.host(tdx, td).track();
        TdxTesting.host(tdx, td).removePage(TEMP_MEM);
        assertEquals("FREE", TdxTesting.host(tdx, td).pageState(TEMP_MEM));
        assertThrows(VirtualizationException.class, () -> hv.context("sept").read(TEMP_MEM, 8));
        assertEquals(GuestState.RUNNING, hv.guest("sept").state());
    }

    @Test
    public void destroyingATdFreesItsHkid() {
        GuestInfo g = launchTd(hv, "short", TdAttributes.SEPT_VE_DISABLE, null).guest();
        assertEquals(1, tdx.limits().inUse());
        hv.destroy("short");
        assertEquals(0, tdx.limits().inUse());
        assertNotEquals(0, g.handle());
    }
}
