package io.teebox.tck;

import java.util.HashMap;
import java.util.Map;

import io.teebox.api.launch.GuestMemory;

/**
 * Guest memory for a launch the contract drives itself: pages and save areas in a map, host physical addresses
 * handed out in order from 4 GiB up, one per guest page.
 */
final class ContractMemory implements GuestMemory {

    private static final int PAGE = 4096;
    private static final long FIRST_HPA = 1L << 32;

    private final int vcpus;
    private final Map<Long, Long> hpas = new HashMap<>();
    private final Map<Long, byte[]> pages = new HashMap<>();
    private final Map<Integer, byte[]> saveAreas = new HashMap<>();

    ContractMemory(int vcpus) {
        this.vcpus = vcpus;
    }

    @Override
    public synchronized long hostPhysicalAddress(long gpa) {
        aligned(gpa);
        return hpas.computeIfAbsent(gpa, g -> FIRST_HPA + (long) hpas.size() * PAGE);
    }

    @Override
    public synchronized byte[] readPage(long gpa) {
        aligned(gpa);
        byte[] p = pages.get(gpa);
        return p == null ? new byte[PAGE] : p.clone();
    }

    @Override
    public synchronized void writePage(long gpa, byte[] raw) {
        aligned(gpa);
        if (raw.length != PAGE) {
            throw new IllegalArgumentException("a page is 4096 bytes, got " + raw.length);
        }
        hostPhysicalAddress(gpa);
        pages.put(gpa, raw.clone());
    }

    @Override
    public int vcpuCount() {
        return vcpus;
    }

    @Override
    public synchronized byte[] readSaveArea(int vcpu) {
        byte[] s = saveAreas.get(vcpu);
        return s == null ? new byte[PAGE] : s.clone();
    }

    @Override
    public synchronized void writeSaveArea(int vcpu, byte[] raw, boolean encrypted) {
        saveAreas.put(vcpu, raw.clone());
    }

    private static void aligned(long gpa) {
        if ((gpa & (PAGE - 1)) != 0 || gpa < 0) {
            throw new IllegalArgumentException(String.format("GPA 0x%X is not a page-aligned guest address", gpa));
        }
    }
}
