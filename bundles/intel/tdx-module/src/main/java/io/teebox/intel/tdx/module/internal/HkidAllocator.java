package io.teebox.intel.tdx.module.internal;

import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;
import java.util.BitSet;

/**
 * The private HKIDs (TME-MK KeyIDs) of the configured range, as the host's KeyID allocator hands them out for
 * TDH.MNG.CREATE. Thread-safe.
 */
final class HkidAllocator {

    private final int first;
    private final int last;
    private final BitSet inUse = new BitSet();

    /**
     * @param first the first private HKID
     * @param last the last private HKID
     */
    HkidAllocator(int first, int last) {
        this.first = first;
        this.last = last;
    }

    synchronized int inUse() {
        return inUse.cardinality();
    }

    /** @return the lowest free HKID of the range; none free is the host's ENOSPC */
    synchronized int allocate() {
        for (int h = first; h <= last; h++) {
            if (!inUse.get(h)) {
                inUse.set(h);
                return h;
            }
        }
        int n = last - first + 1;
        throw new TeeException(new FirmwareStatus("tdx-host", "ENOSPC", 28), String.format("no free private HKID: "
                + "all %d of %d..%d are in use, so the host cannot pick one for TDH.MNG.CREATE (destroy a TD or "
                + "configure more private KeyIDs)", n, first, last));
    }

    synchronized void free(int hkid) {
        inUse.clear(hkid);
    }

    /** Marks an HKID in use (a TD taken over from the previous revision holds it, inside the range or not). */
    synchronized void reserve(int hkid) {
        inUse.set(hkid);
    }
}
