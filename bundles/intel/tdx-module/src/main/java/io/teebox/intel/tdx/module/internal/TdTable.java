package io.teebox.intel.tdx.module.internal;

import io.teebox.api.memory.KeySlot;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdxStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The module's TDs by handle (TDR) and by HKID, the handles it hands out, and the HKIDs they hold. Thread-safe. */
final class TdTable {

    private final Map<Long, TdContext> tds = new ConcurrentHashMap<>();
    private final Map<Integer, TdContext> byHkid = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final HkidAllocator hkids;

    TdTable(HkidAllocator hkids) {
        this.hkids = hkids;
    }

    HkidAllocator hkids() {
        return hkids;
    }

    /** @return a new TD context with the next handle and a free HKID, not registered yet */
    TdContext allocate() {
        int hkid = hkids.allocate();
        return new TdContext(nextHandle.getAndIncrement(), hkid);
    }

    void register(TdContext td) {
        tds.put(td.handle, td);
        byHkid.put(td.hkid, td);
    }

    /** Forgets the TD and frees its HKID. */
    void remove(TdContext td) {
        tds.remove(td.handle);
        byHkid.remove(td.hkid);
        hkids.free(td.hkid);
    }

    TdContext td(long handle) {
        TdContext td = tds.get(handle);
        if (td == null) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("no TD with handle " + handle + " (TDR not found); TDs: "
                    + tds.keySet());
        }
        return td;
    }

    /** @return the TD whose HKID a key slot names */
    TdContext ofSlot(KeySlot slot) {
        if (slot == null || !Tdx.KEY_SLOT.equals(slot.kind())) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("expected an HKID key slot, got " + slot);
        }
        TdContext td = byHkid.get(slot.id());
        if (td == null) {
            throw TdxStatus.TDX_TD_KEYS_NOT_CONFIGURED.error("no key is configured for HKID " + slot.id());
        }
        return td;
    }

    List<TdContext> all() {
        return new ArrayList<>(tds.values());
    }

    long nextHandle() {
        return nextHandle.get();
    }

    void continueHandlesFrom(long next) {
        nextHandle.accumulateAndGet(next, Math::max);
    }

    /** Takes over a TD of the previous revision: its handle and HKID stay its own. */
    void adopt(TdContext td) {
        register(td);
        hkids.reserve(td.hkid);
        nextHandle.accumulateAndGet(td.handle + 1, Math::max);
    }
}
