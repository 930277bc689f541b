package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.PageType;
import io.teebox.intel.tdx.module.TdxModule;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.TdxMetadataSection;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

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

    /**
     * Builds a TD from a firmware's TDVF metadata as the hypervisor and the backend do: each section placed and
     * added (NORMAL if it has MR.EXTEND, UNMEASURED otherwise, skipped if PAGE.AUG), TDH.VP.INIT per vCPU.
     *
     * @return the TD's handle
     */
    static long build(TdxModule m, byte[] firmware, long attributes, int vcpus, MapGuestMemory mem) {
        OvmfImage image = OvmfImage.parse(firmware);
        long td = m.create(new LaunchRequest(attributes, Map.of(), vcpus, "SPR"), mem);
        for (TdxMetadataSection sec : image.tdxMetadata()) {
            if (sec.pageAug()) {
                continue;
            }
            byte[] content = new byte[(int) sec.memoryDataSize()];
            System.arraycopy(firmware, (int) sec.dataOffset(), content, 0, (int) sec.rawDataSize());
            mem.place(sec.memoryAddress(), content);
            m.addPages(td, sec.memoryAddress(), content.length, sec.extendMr() ? PageType.NORMAL
                    : PageType.UNMEASURED);
        }
        for (int i = 0; i < vcpus; i++) {
            m.vpInit(td, i);
        }
        return td;
    }

    /** {@link #build}, then TDH.MR.FINALIZE and TDH.VP.ENTER. */
    static long running(TdxModule m, byte[] firmware, long attributes, MapGuestMemory mem) {
        long td = build(m, firmware, attributes, 1, mem);
        m.finalizeMr(td);
        m.enter(td);
        return td;
    }

    private static List<TdContext> all(TdxModule m) {
        return ((TdxModuleImpl) m).all();
    }

    @Test
    public void finalizedTdsSurviveAndTdsBeingBuiltAreDropped() {
        TdxModule a = TdxModules.module();
        MapGuestMemory mem = new MapGuestMemory(1);
        long s = running(a, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, mem);
        a.write(s, 0x810000, "hello".getBytes(StandardCharsets.US_ASCII));
        a.rtmrExtend(s, 3, Digests.sha384(new byte[1]), "x");
        long building = build(a, DefaultFirmware.image(), 0, 1, new MapGuestMemory(1));
        byte[] before = a.tdReport(s, new byte[64]);

        TdxModule b = TdxModules.update(a);
        assertEquals(1, all(b).size());
        assertEquals(1, b.hkidsInUse());
        assertEquals("hello", new String(b.read(s, 0x810000, 5), StandardCharsets.US_ASCII));
        TdReport r = TdReport.parse(b.tdReport(s, new byte[64]));
        TdReport old = TdReport.parse(before);
        assertArrayEquals(old.mrtd(), r.mrtd());
        assertArrayEquals(old.rtmr(3), r.rtmr(3));
        assertEquals(1, io.teebox.intel.tdx.abi.EventLog.parse(b.eventLog(s)).size());
        assertEquals(b.calls(s).size(), a.calls(s).size() + 1);
        assertTrue(all(b).stream().noneMatch(td -> td.handle == building));
        long next = b.create(new LaunchRequest(0, Map.of(), 1, "SPR"), new MapGuestMemory(1));
        assertTrue(next > building);
    }

    /**
     * The call log (hundreds of entries per TD: one per page added and per MR.EXTEND chunk) is handed to the next
     * revision as the API's objects, not written into the snapshot: with it the snapshot was 47 KB per TD and the
     * pause of a module update with 500 TDs ~0.9 s (bench SwapPauseLoad).
     */
    @Test
    public void theCallLogIsHandedOverAsObjectsAndTheSnapshotStaysSmall() {
        TdxModule a = TdxModules.module();
        long td = running(a, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, new MapGuestMemory(1));
        List<io.teebox.api.launch.LaunchLogEntry> log = a.calls(td);
        assertTrue("a TD's call log has an entry per SEAMCALL: " + log.size(), log.size() > 100);
        TdxModuleImpl m = (TdxModuleImpl) a;
        m.handOver();
        ModuleStore.Handoff h = m.store().take();
        assertTrue("snapshot of one TD is " + h.snapshot().length + " bytes", h.snapshot().length < 16 * 1024);
        m.store().put(h);
        TdxModule b = new TdxModuleImpl(m.tdxPlatform(), m.store());
        assertEquals(log, b.calls(td));
    }

    @Test
    public void aSnapshotFromAnotherJvmRunIsDiscarded() {
        TdxModule a = TdxModules.module();
        running(a, DefaultFirmware.image(), 0, new MapGuestMemory(1));
        byte[] snap = ModuleSnapshot.write(all(a), 2);
        assertEquals(1, ModuleSnapshot.read(snap).tds().size());
        String run = ModuleSnapshot.jvmRun();
        byte[] id = run.getBytes(StandardCharsets.UTF_8);
        snap[10] ^= 1; // the first byte of the run id (after magic, version and the UTF length)
        assertEquals(id[0], (byte) (snap[10] ^ 1));
        assertEquals(List.of(), ModuleSnapshot.read(snap).tds());
    }

    @Test
    public void aCorruptedSnapshotIsAnIllegalArgumentNeverANegativeArraySize() {
        TdxModule a = TdxModules.module();
        running(a, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, new MapGuestMemory(1));
        byte[] snap = ModuleSnapshot.write(all(a), 2);
        // the TD's vCPU count follows its TD_PARAMS (handle, HKID, lifecycle, launched, fatal, TD_PARAMS)
        int at = 4 + 4 + 2 + ModuleSnapshot.jvmRun().length() + 8 + 4 + 8 + 4 + 2
                + all(a).get(0).lifecycle.name().length() + 1 + 2
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
