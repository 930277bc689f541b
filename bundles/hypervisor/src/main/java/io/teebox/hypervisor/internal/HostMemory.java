package io.teebox.hypervisor.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The host's physical memory: a pool of 4 KiB host pages handed to guests. Host physical addresses are what the
 * memory controller tweaks its cipher with, so a page keeps its address for as long as a guest holds it.
 */
final class HostMemory {

    /** Where emulated host RAM for guests starts: above the host's own 4 GiB. */
    static final long BASE = 0x1_0000_0000L;

    private long capacityPages;
    private final Deque<Long> free = new ArrayDeque<>();
    private long next = BASE;
    private long inUse;

    HostMemory(long capacityBytes) {
        this.capacityPages = capacityBytes / GuestPages.PAGE_SIZE;
    }

    synchronized long allocate() {
        if (inUse >= capacityPages) {
            throw new IllegalStateException("host memory exhausted: all " + capacityPages
                    + " host pages (" + (capacityPages * GuestPages.PAGE_SIZE >> 20)
                    + " MiB) are in use; destroy a guest or raise hostMemoryMiB in io.teebox.hypervisor");
        }
        inUse++;
        Long reused = free.pollFirst();
        if (reused != null) {
            return reused;
        }
        long hpa = next;
        next += GuestPages.PAGE_SIZE;
        return hpa;
    }

    synchronized void release(long hpa) {
        free.addLast(hpa);
        inUse--;
    }

    synchronized long pagesInUse() {
        return inUse;
    }

    synchronized long capacityPages() {
        return capacityPages;
    }

    /** Raises the capacity; guests keep the pages they hold. */
    synchronized void setCapacityPages(long pages) {
        if (pages < inUse) {
            throw new IllegalArgumentException("host memory cannot shrink below the " + inUse + " pages in use");
        }
        capacityPages = pages;
    }
}
