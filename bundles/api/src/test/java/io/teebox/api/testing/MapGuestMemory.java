package io.teebox.api.testing;

import io.teebox.api.launch.GuestMemory;
import java.util.HashMap;
import java.util.Map;

/**
 * Guest memory for firmware and module tests, standing in for the hypervisor: pages in a map, host physical
 * addresses handed out in order of first use, save areas in an array. Shared through the api test-jar; the fields are
 * open so tests can play the host (change a stored page, place a save area).
 */
public final class MapGuestMemory implements GuestMemory {

    /** The stored (host-visible) pages by GPA. */
    public final Map<Long, byte[]> pages = new HashMap<>();
    /** The host physical address of each GPA handed out so far. */
    public final Map<Long, Long> hpas = new HashMap<>();
    /** The vCPU save areas. */
    public final byte[][] saveAreas;
    private long nextHpa = 0x1_0000_0000L;

    /** @param vcpus number of vCPUs */
    public MapGuestMemory(int vcpus) {
        saveAreas = new byte[vcpus][4096];
    }

    /**
     * The host places plaintext, as QEMU copies the firmware into guest RAM before the launch commands measure it.
     *
     * @param gpa where
     * @param data what, any length
     */
    public synchronized void place(long gpa, byte[] data) {
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
