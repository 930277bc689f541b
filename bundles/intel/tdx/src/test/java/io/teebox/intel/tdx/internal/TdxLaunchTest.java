package io.teebox.intel.tdx.internal;

import io.teebox.intel.pcs.IntelPcs;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.tee.TeeException;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.intel.tdx.abi.TdParams;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The TD build: MRTD against td-shim's vector, the SEAMCALL sequence and its refusals. */
public class TdxLaunchTest {

    private IntelPcs pcs;
    private TdxBackend backend;

    @Before
    public void start() {
        pcs = TdxTesting.pcs();
        backend = TdxTesting.backend(pcs);
    }

    @After
    public void stop() {
        TdxTesting.stop(pcs);
    }

    private static void assertStatus(TdxStatus expected, Runnable r) {
        TeeException e = assertThrows(TeeException.class, r::run);
        assertEquals(e.getMessage(), expected.status(), e.status());
    }

    @Test
    public void mrtdOfSyntheticOvmfMatchesTdShimVector() {
        String expected = TdxTesting.expected("tdx-mrtd");
        assertEquals(expected, Hex.encode(TdMeasurement.mrtd(OvmfImage.parse(TdxTesting.syntheticOvmf()))));

        LaunchSession s = TdxTesting.build(backend, TdxTesting.syntheticOvmf(), TdAttributes.SEPT_VE_DISABLE, 1,
                new MapGuestMemory(1), Map.of());
        Measurement m = s.measure();
        assertEquals(Tdx.MEASUREMENT_FORMAT, m.format());
        assertEquals(expected, Hex.encode(m.value()));
        assertEquals(expected, m.fields().get("MRTD"));
    }

    @Test
    public void mrtdRegressionVectorsOfSpec42() {
        TdMeasurement one = new TdMeasurement();
        one.pageAdd(0);
        assertEquals("8f3e9a8aca6784eab874f7aa4dda5d49104a88047f1f86695ef2a88f5691a90e"
                + "34aac48ce45ffa1f5a23c7d62980d570", Hex.encode(one.finish()));
        TdMeasurement zero = new TdMeasurement();
        zero.addAndExtend(0, new byte[4096]);
        assertEquals("236f0efa607ff8843f1855d7ef80dc3dda8fb455787a186b8787212951eab0096e3193bb26f817c2b63c21f5e10f9938",
                Hex.encode(zero.finish()));
    }

    @Test
    public void buildLogsEverySeamcallInOrderWithItsStatus() {
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, 2,
                new MapGuestMemory(2), Map.of());
        s.measure();
        s.finish();
        List<LaunchLogEntry> log = s.log();
        List<String> first = log.subList(0, 8).stream().map(LaunchLogEntry::command).toList();
        assertEquals(List.of("TDH.MNG.CREATE", "TDH.MNG.KEY.CONFIG", "TDH.MNG.ADDCX", "TDH.MNG.INIT", "TDH.VP.CREATE",
                "TDH.VP.ADDCX", "TDH.VP.CREATE", "TDH.VP.ADDCX"), first);
        assertTrue(log.stream().allMatch(e -> e.status().isSuccess()));
        // the default firmware: CFV (2 pages) unmeasured, BFV (30 pages) extended, TempMem 4, TD_HOB 1; TempMem with
        // PAGE.AUG is not added
        assertEquals(2 + 30 + 4 + 1, log.stream().filter(e -> e.command().equals("TDH.MEM.PAGE.ADD")).count());
        assertEquals(30 * 16, log.stream().filter(e -> e.command().equals("TDH.MR.EXTEND")).count());
        assertEquals(2, log.stream().filter(e -> e.command().equals("TDH.VP.INIT")).count());
        List<String> last = log.subList(log.size() - 2, log.size()).stream().map(LaunchLogEntry::command).toList();
        assertEquals(List.of("TDH.MR.FINALIZE", "TDH.VP.ENTER"), last);
        assertEquals("RUNNABLE", backend.status(s.handle()).state());
        assertEquals(TdxStatus.VENDOR, log.get(0).status().vendor());
    }

    @Test
    public void ownerMeasurementOfDefaultFirmwareMatchesTheBuild() {
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), 0, 1, new MapGuestMemory(1), Map.of());
        assertArrayEquals(TdMeasurement.mrtd(DefaultFirmware.parsed()), s.measure().value());
    }

    @Test
    public void tdParamsFromTheOwnerReachTheReport() {
        byte[] configId = new byte[48];
        Arrays.fill(configId, (byte) 0xC1);
        byte[] owner = new byte[48];
        Arrays.fill(owner, (byte) 0x0E);
        TdParams p = TdParams.builder().attributes(TdAttributes.SEPT_VE_DISABLE).maxVcpus(4).mrConfigId(configId)
                .mrOwner(owner).build();
        assertArrayEquals(p.toBytes(), TdParams.parse(p.toBytes()).toBytes());
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, 1,
                new MapGuestMemory(1), Map.of(Tdx.OWNER_TD_PARAMS, p.toBytes()));
        s.measure();
        s.finish();
        TdReport r = TdReport.parse(TdxTesting.guest(backend, s.handle()).tdReport(new byte[64]));
        assertArrayEquals(configId, r.mrConfigId());
        assertArrayEquals(owner, r.mrOwner());
        assertArrayEquals(new byte[48], r.mrOwnerConfig());
        assertEquals(TdAttributes.SEPT_VE_DISABLE, r.attributes());
        assertEquals(TdParams.DEFAULT_XFAM, r.xfam());
    }

    @Test
    public void malformedOrUnsupportedTdParamsAreOperandInvalidAndFreeTheHkid() {
        byte[] p = TdParams.defaults(0, 1).toBytes();
        p[0x12] = 1; // reserved
        assertStatus(TdxStatus.TDX_OPERAND_INVALID, () -> backend.begin(new LaunchRequest(0,
                Map.of(Tdx.OWNER_TD_PARAMS, p), 1, "SPR"), new MapGuestMemory(1)));
        assertStatus(TdxStatus.TDX_OPERAND_INVALID, () -> backend.begin(new LaunchRequest(1L << 40, Map.of(), 1,
                "SPR"), new MapGuestMemory(1)));
        byte[] noSse = TdParams.builder().attributes(0).xfam(0x1).build().toBytes();
        assertStatus(TdxStatus.TDX_OPERAND_INVALID, () -> backend.begin(new LaunchRequest(0,
                Map.of(Tdx.OWNER_TD_PARAMS, noSse), 1, "SPR"), new MapGuestMemory(1)));
        byte[] twoVcpus = TdParams.builder().attributes(0).maxVcpus(1).build().toBytes();
        assertStatus(TdxStatus.TDX_MAX_VCPUS_EXCEEDED, () -> backend.begin(new LaunchRequest(0,
                Map.of(Tdx.OWNER_TD_PARAMS, twoVcpus), 2, "SPR"), new MapGuestMemory(2)));
        TeeException amd = assertThrows(TeeException.class, () -> backend.begin(new LaunchRequest(0, Map.of(), 1,
                "EPYC-v4"), new MapGuestMemory(1)));
        assertEquals(TdxStatus.TDX_OPERAND_INVALID.status(), amd.status());
        assertTrue(amd.getMessage(), amd.getMessage().contains("'EPYC-v4' is not an Intel TDX-capable CPU model"));
        LaunchSession spr = backend.begin(new LaunchRequest(0, Map.of(), 1, "SapphireRapids-v2"), new MapGuestMemory(1));
        backend.deactivate(spr.handle());
        backend.decommission(spr.handle());
        assertEquals(0, backend.limits().inUse());
    }

    @Test
    public void wrongStateAndPageTypesAreRefusedWithTheModuleStatus() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), 0, 1, mem, Map.of());
        long bfv = 0xFFFE2000L;
        assertStatus(TdxStatus.TDX_EPT_ENTRY_NOT_FREE, () -> s.addPages(bfv, 4096, PageType.NORMAL));
        assertStatus(TdxStatus.TDX_OPERAND_INVALID, () -> s.addPages(0x100, 4096, PageType.NORMAL));
        for (PageType t : List.of(PageType.ZERO, PageType.SECRETS, PageType.CPUID)) {
            assertStatus(TdxStatus.TDX_OPERAND_INVALID, () -> s.addPages(0x200000, 4096, t));
        }
        assertStatus(TdxStatus.TDX_VCPU_STATE_INCORRECT, () -> s.addVcpuState(0));
        assertStatus(TdxStatus.TDX_OPERAND_INVALID, () -> s.addVcpuState(1));
        assertStatus(TdxStatus.TDX_OP_STATE_INCORRECT, s::finish);
        byte[] mrtd = s.measure().value();
        assertStatus(TdxStatus.TDX_OP_STATE_INCORRECT, s::measure);
        assertStatus(TdxStatus.TDX_OP_STATE_INCORRECT, () -> s.addPages(0x200000, 4096, PageType.NORMAL));
        assertStatus(TdxStatus.TDX_OPERAND_INVALID, () -> s.injectSecret(new SecretPacket(0, new byte[0x34],
                new byte[16])));
        assertStatus(TdxStatus.TDX_OP_STATE_INCORRECT, () -> TdxTesting.guest(backend, s.handle()).tdReport(new byte[64]));
        s.finish();
        assertArrayEquals(mrtd, TdReport.parse(TdxTesting.guest(backend, s.handle()).tdReport(new byte[64])).mrtd());
        LaunchLogEntry refused = s.log().stream().filter(e -> !e.status().isSuccess()).findFirst().orElseThrow();
        assertEquals("TDH.MEM.PAGE.ADD", refused.command());
        assertEquals(TdxStatus.TDX_EPT_ENTRY_NOT_FREE.code(), refused.status().code());
    }

    @Test
    public void pagesAreEncryptedWithTheTdKeyAndMeasuredByContent() {
        MapGuestMemory a = new MapGuestMemory(1);
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), 0, 1, a, Map.of());
        byte[] stored = a.readPage(0xFFFE2000L);
        byte[] plain = Arrays.copyOfRange(DefaultFirmware.image(), 0x2000, 0x3000);
        assertNotEquals(Hex.encode(plain), Hex.encode(stored));
        assertTrue(new String(plain, java.nio.charset.StandardCharsets.US_ASCII).startsWith(DefaultFirmware.BANNER));
        byte[] mrtd = s.measure().value();
        byte[] changed = DefaultFirmware.image();
        changed[0x2000] ^= 1;
        LaunchSession t = TdxTesting.build(backend, changed, 0, 1, new MapGuestMemory(1), Map.of());
        assertNotEquals(Hex.encode(mrtd), Hex.encode(t.measure().value()));
    }

    @Test
    public void keyIdSpaceIsLimitedAndFreedOnDecommission() {
        IntelPcs p = TdxTesting.pcs();
        try {
            TdxBackend small = TdxTesting.backend(p, 60, 2, "05010300000000000000000000000000");
            LaunchSession a = small.begin(new LaunchRequest(0, Map.of(), 1, "SPR"), new MapGuestMemory(1));
            LaunchSession b = small.begin(new LaunchRequest(0, Map.of(), 1, "SPR"), new MapGuestMemory(1));
            assertEquals(60, a.keySlot().id());
            assertEquals(61, b.keySlot().id());
            assertEquals("HKID 60..61 (2 of 2 in use)", small.limits().toString());
            TeeException e = assertThrows(TeeException.class, () -> small.begin(new LaunchRequest(0, Map.of(), 1,
                    "SPR"), new MapGuestMemory(1)));
            assertEquals("ENOSPC", e.status().name());
            assertStatus(TdxStatus.TDX_FLUSHVP_NOT_DONE, () -> small.decommission(a.handle()));
            small.deactivate(a.handle());
            GuestStatus st = small.status(a.handle());
            assertEquals("TEARDOWN", st.state());
            assertNull(st.slot());
            small.decommission(a.handle());
            assertStatus(TdxStatus.TDX_OPERAND_INVALID, () -> small.status(a.handle()));
            assertEquals(60, small.begin(new LaunchRequest(0, Map.of(), 1, "SPR"), new MapGuestMemory(1)).keySlot()
                    .id());
        } finally {
            TdxTesting.stop(p);
        }
    }
}
