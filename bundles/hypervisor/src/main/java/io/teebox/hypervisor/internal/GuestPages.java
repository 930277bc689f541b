package io.teebox.hypervisor.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A guest's physical memory as the host stores it: a sparse map from guest physical page to the host page backing
 * it and the raw bytes there. Private pages hold only the ciphertext the memory controller produced; shared pages
 * (protocol pages, bounce buffers) hold plaintext.
 */
final class GuestPages {

    static final int PAGE_SIZE = 4096;
    static final long FOUR_GIB = 0x1_0000_0000L;
    /** The flash window below 4 GiB where firmware images are mapped. */
    static final long FLASH_WINDOW = 16L << 20;

    /** One resident page. */
    static final class Page {
        long hpa;
        byte[] raw;
        /** Whether the page is encrypted under the guest key (set once the launch or the guest wrote it). */
        boolean priv;
        /** Whether the guest mapped the page shared (C-bit clear): its bytes are plaintext to both sides. */
        boolean shared;

        Page(long hpa) {
            this.hpa = hpa;
            this.raw = new byte[PAGE_SIZE];
        }
    }

    private final HostMemory host;
    private final long ramBytes;
    private final TreeMap<Long, Page> pages = new TreeMap<>();

    GuestPages(HostMemory host, long ramBytes) {
        this.host = host;
        this.ramBytes = ramBytes;
    }

    static long pageOf(long gpa) {
        return gpa & ~(long) (PAGE_SIZE - 1);
    }

    void checkRange(long gpa, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length + " is negative");
        }
        // Compared without forming gpa + length, which overflows for addresses near 2^63; a "negative" gpa is an
        // unsigned address at or above 2^63.
        boolean inRam = gpa >= 0 && length <= ramBytes && gpa <= ramBytes - length;
        boolean inFlash = gpa >= FOUR_GIB - FLASH_WINDOW && length <= FOUR_GIB && gpa <= FOUR_GIB - length;
        if (!inRam && !inFlash) {
            throw new IllegalArgumentException(String.format(
                    "address range 0x%X + %d bytes is outside guest memory (RAM 0x0..0x%X, firmware flash "
                            + "0x%X..0x%X)", gpa, length, ramBytes, FOUR_GIB - FLASH_WINDOW, FOUR_GIB));
        }
    }

    void checkPageAligned(long gpa) {
        if ((gpa & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(String.format("guest physical address 0x%X is not 4 KiB aligned", gpa));
        }
        checkRange(gpa, PAGE_SIZE);
    }

    /** @return the page, assigning a host page on first use */
    Page page(long pageGpa) {
        Page p = pages.get(pageGpa);
        if (p == null) {
            checkPageAligned(pageGpa);
            p = new Page(host.allocate());
            pages.put(pageGpa, p);
        }
        return p;
    }

    /** @return the page if resident, or null */
    Page peek(long pageGpa) {
        return pages.get(pageGpa);
    }

    /**
     * The host swaps the host pages (with their stored bytes) behind two GPAs, a remap in the nested page tables.
     * Whether each GPA is private stays the guest's own view (its page tables), so it stays with the GPA.
     */
    void swap(long first, long second) {
        Page a = page(first);
        Page b = page(second);
        long hpa = a.hpa;
        byte[] raw = a.raw;
        a.hpa = b.hpa;
        a.raw = b.raw;
        b.hpa = hpa;
        b.raw = raw;
    }

    int residentPages() {
        return pages.size();
    }

    Map<Long, Page> view() {
        return pages;
    }

    void releaseAll() {
        for (Page p : pages.values()) {
            Arrays.fill(p.raw, (byte) 0);
            host.release(p.hpa);
        }
        pages.clear();
    }
}
