package io.teebox.intel.tdx.internal;

import io.teebox.api.launch.GuestMemory;
import java.util.HashMap;
import java.util.Map;

/** Guest memory for module tests: pages in a map, host physical addresses handed out in order. */
public final class MapGuestMemory implements GuestMemory {

    final Map<Long, byte[]> pages = new HashMap<>();
    final Map<Long, Long> hpas = new HashMap<>();
    final byte[][] saveAreas;
    private long nextHpa = 0x2_0000_0000L;

    /** @param vcpus number of vCPUs */
    public MapGuestMemory(int vcpus) {
        saveAreas = new byte[vcpus][4096];
    }

    /** The host places plaintext, as QEMU copies the firmware into guest RAM before TDH.MEM.PAGE.ADD. */
    void place(long gpa, byte[] data) {
        for (int off = 0; off < data.length;) {
            long page = (gpa + off) & ~0xFFFL;
            int in = (int) (gpa + off - page);
            int n = Math.min(4096 - in, data.length - off);
            byte[] p = pages.computeIfAbsent(page, k -> new byte[4096]);
            System.arraycopy(data, off, p, in, n);
            off += n;
        }
    }

    @Override
    public synchronized long hostPhysicalAddress(long gpa) {
        return hpas.computeIfAbsent(gpa, k -> {
            long h = nextHpa;
            nextHpa += 4096;
            return h;
        });
    }

    @Override
    public synchronized byte[] readPage(long gpa) {
        byte[] p = pages.get(gpa);
        return p == null ? new byte[4096] : p.clone();
    }

    @Override
    public synchronized void writePage(long gpa, byte[] raw) {
        pages.put(gpa, raw.clone());
    }

    @Override
    public int vcpuCount() {
        return saveAreas.length;
    }

    @Override
    public byte[] readSaveArea(int vcpu) {
        return saveAreas[vcpu].clone();
    }

    @Override
    public void writeSaveArea(int vcpu, byte[] raw, boolean encrypted) {
        saveAreas[vcpu] = raw.clone();
    }
}
