package io.teebox.nvidia.h100.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * A GPU's device memory (HBM3), sparse: 4 KiB pages made when first written, zero until then. The compute protected
 * region (CPR) is everything from {@link #cprStart()} to the end; below it lies unprotected memory. Not thread-safe
 * (the GPU serializes).
 */
final class DeviceMemory {

    static final int PAGE = 4096;

    private final long size;
    private final long cprStart;
    private final Map<Long, byte[]> pages = new HashMap<>();

    DeviceMemory(long size, long cprStart) {
        this.size = size;
        this.cprStart = cprStart;
    }

    long size() {
        return size;
    }

    long cprStart() {
        return cprStart;
    }

    /**
     * @param address start
     * @param length bytes
     * @throws IllegalArgumentException if the range leaves device memory
     */
    void check(long address, long length) {
        if (address < 0 || length < 0 || address > size - length) {
            throw new IllegalArgumentException("device memory range 0x" + Long.toHexString(address) + "+" + length
                    + " is outside the GPU's 0x" + Long.toHexString(size) + " bytes");
        }
    }

    /** @return whether any byte of the range lies in the CPR */
    boolean touchesCpr(long address, long length) {
        return address + length > cprStart;
    }

    /** @return whether the whole range lies in the CPR */
    boolean insideCpr(long address, long length) {
        return address >= cprStart;
    }

    byte[] read(long address, int length) {
        check(address, length);
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long a = address + done;
            int off = (int) (a % PAGE);
            int n = Math.min(PAGE - off, length - done);
            byte[] p = pages.get(a / PAGE);
            if (p != null) {
                System.arraycopy(p, off, out, done, n);
            }
            done += n;
        }
        return out;
    }

    void write(long address, byte[] data) {
        check(address, data.length);
        int done = 0;
        while (done < data.length) {
            long a = address + done;
            int off = (int) (a % PAGE);
            int n = Math.min(PAGE - off, data.length - done);
            System.arraycopy(data, done, pages.computeIfAbsent(a / PAGE, k -> new byte[PAGE]), off, n);
            done += n;
        }
    }

    /** Scrubs the CPR (what the GPU does on reset in a CC mode); unprotected memory keeps its bytes. */
    void scrubCpr() {
        pages.keySet().removeIf(p -> (p + 1) * PAGE > cprStart);
    }

    /** Scrubs everything. */
    void scrubAll() {
        pages.clear();
    }

    /** @return the pages written, for display */
    int pagesInUse() {
        return pages.size();
    }
}
