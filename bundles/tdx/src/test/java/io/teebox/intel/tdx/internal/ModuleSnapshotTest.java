package io.teebox.intel.tdx.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.launch.LaunchSession;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The module's state handed from one revision to the next, and discarded when it comes from another JVM run. */
public class ModuleSnapshotTest {

    private PcsServer pcs;

    @Before
    public void start() {
        pcs = TdxTesting.pcs();
    }

    @After
    public void stop() {
        TdxTesting.stop(pcs);
    }

    @Test
    public void finalizedTdsSurviveAndTdsBeingBuiltAreDropped() {
        TdxBackend a = TdxTesting.backend(pcs);
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = TdxTesting.build(a, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, 1, mem, Map.of());
        s.measure();
        s.finish();
        a.write(s.handle(), 0x810000, "hello".getBytes(StandardCharsets.US_ASCII));
        a.rtmrExtend(s.handle(), 3, Digests.sha384(new byte[1]), "x");
        LaunchSession building = TdxTesting.build(a, DefaultFirmware.image(), 0, 1, new MapGuestMemory(1), Map.of());
        byte[] before = a.tdReport(s.handle(), new byte[64]);

        TdxBackend b = TdxTesting.update(a, pcs);
        assertEquals(1, b.module().all().size());
        assertEquals(1, b.limits().inUse());
        assertEquals("hello", new String(b.read(s.handle(), 0x810000, 5), StandardCharsets.US_ASCII));
        TdReport r = TdReport.parse(b.tdReport(s.handle(), new byte[64]));
        TdReport old = TdReport.parse(before);
        assertArrayEquals(old.mrtd(), r.mrtd());
        assertArrayEquals(old.rtmr(3), r.rtmr(3));
        assertEquals(1, io.teebox.intel.tdx.abi.EventLog.parse(b.eventLog(s.handle())).size());
        assertEquals(b.calls(s.handle()).size(), a.calls(s.handle()).size() + 1);
        assertTrue(b.module().all().stream().noneMatch(td -> td.handle == building.handle()));
        long next = b.begin(new io.teebox.api.launch.LaunchRequest(0, Map.of(), 1, "SPR"), new MapGuestMemory(1))
                .handle();
        assertTrue(next > building.handle());
    }

    @Test
    public void aSnapshotFromAnotherJvmRunIsDiscarded() {
        TdxBackend a = TdxTesting.backend(pcs);
        LaunchSession s = TdxTesting.build(a, DefaultFirmware.image(), 0, 1, new MapGuestMemory(1), Map.of());
        s.measure();
        s.finish();
        byte[] snap = ModuleSnapshot.write(a.module().all(), 2);
        assertEquals(1, ModuleSnapshot.read(snap).tds().size());
        String run = ModuleSnapshot.jvmRun();
        byte[] id = run.getBytes(StandardCharsets.UTF_8);
        snap[10] ^= 1; // the first byte of the run id (after magic, version and the UTF length)
        assertEquals(id[0], (byte) (snap[10] ^ 1));
        assertEquals(List.of(), ModuleSnapshot.read(snap).tds());
    }

    @Test
    public void aCorruptedSnapshotIsAnIllegalArgumentNeverANegativeArraySize() {
        TdxBackend a = TdxTesting.backend(pcs);
        LaunchSession s = TdxTesting.build(a, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, 1,
                new MapGuestMemory(1), Map.of());
        s.measure();
        s.finish();
        byte[] snap = ModuleSnapshot.write(a.module().all(), 2);
        // the TD's vCPU count follows its TD_PARAMS (handle, HKID, lifecycle, launched, fatal, TD_PARAMS)
        int at = 4 + 4 + 2 + ModuleSnapshot.jvmRun().length() + 8 + 4 + 8 + 4 + 2
                + a.module().all().get(0).lifecycle.name().length() + 1 + 2
                + io.teebox.intel.tdx.abi.TdParams.SIZE;
        assertEquals(1, java.nio.ByteBuffer.wrap(snap, at, 4).getInt());
        for (int bad : new int[] {-1, -255, Integer.MIN_VALUE, 1 << 30}) {
            byte[] b = snap.clone();
            java.nio.ByteBuffer.wrap(b, at, 4).putInt(bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModuleSnapshot.read(b));
            assertTrue(e.getMessage(), e.getMessage().contains("vCPU count " + bad));
        }
        java.util.Random r = new java.util.Random(11);
        for (int i = 0; i < 5000; i++) {
            byte[] b = snap.clone();
            int pos = r.nextInt(b.length);
            for (int j = 0; j < 4 && pos + j < b.length; j++) {
                b[pos + j] = (byte) r.nextInt();
            }
            try {
                ModuleSnapshot.read(b);
            } catch (IllegalArgumentException expected) {
                // the only way a snapshot may fail
            }
        }
    }
}
