package io.teebox.amd.sp.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AsidPool;
import io.teebox.api.tee.KeySlotLimits;

/**
 * The firmware's table of guest contexts: handles, and the ASIDs of the two pools of CPUID 0x8000_001F (SEV-ES/SNP
 * ASIDs 1..minSevAsid-1, SEV ASIDs minSevAsid..maxAsid), each owned by at most one guest. Not thread-safe: the
 * secure processor holds its monitor around every call.
 */
final class GuestContexts {

    private final Map<Long, FirmwareContext> contexts = new TreeMap<>();
    private final Map<Integer, Long> asidOwner = new HashMap<>();
    private long nextHandle = 1;

    static int[] range(AsidPool pool, AmdSpConfig c) {
        return pool == AsidPool.SEV ? new int[] {c.minSevAsid(), c.maxAsid()} : new int[] {1, c.minSevAsid() - 1};
    }

    KeySlotLimits limits(AsidPool pool, AmdSpConfig c) {
        int[] r = range(pool, c);
        int used = (int) asidOwner.keySet().stream().filter(a -> a >= r[0] && a <= r[1]).count();
        return new KeySlotLimits("ASID", r[0], r[1], used);
    }

    /**
     * Creates a context with the first free ASID of a pool.
     *
     * @param pool the pool
     * @param c the configuration whose limits apply
     * @param create makes the context for a handle, once the ASID is known
     * @return the context
     */
    <T extends FirmwareContext> T create(AsidPool pool, AmdSpConfig c, AsidContextFactory<T> create) {
        int[] r = range(pool, c);
        int asid = -1;
        for (int a = r[0]; a <= r[1]; a++) {
            if (!asidOwner.containsKey(a)) {
                asid = a;
                break;
            }
        }
        if (asid < 0) {
            int n = Math.max(0, r[1] - r[0] + 1);
            throw SevStatus.RESOURCE_LIMIT.error(n == 0
                    ? "the platform has no " + pool + " ASIDs (maxAsid " + c.maxAsid() + ", minSevAsid "
                            + c.minSevAsid() + ")"
                    : String.format("no free %s ASID: all %d ASIDs %d..%d are in use", pool == AsidPool.SEV ? "SEV"
                            : "SEV-ES/SNP", n, r[0], r[1]));
        }
        long handle = nextHandle++;
        T ctx = create.create(handle, asid);
        contexts.put(handle, ctx);
        asidOwner.put(asid, handle);
        return ctx;
    }

    /** Makes a context for a handle and its ASID. */
    @FunctionalInterface
    interface AsidContextFactory<T> {
        T create(long handle, int asid);
    }

    /**
     * @param handle a guest handle
     * @return its context
     * @throws io.teebox.api.tee.TeeException INVALID_GUEST if there is none
     */
    FirmwareContext get(long handle) {
        FirmwareContext c = contexts.get(handle);
        if (c == null) {
            throw SevStatus.INVALID_GUEST.error("the firmware has no guest with handle " + handle);
        }
        return c;
    }

    /**
     * @param handle a guest handle
     * @param type SevContext or SnpContext
     * @param kind what the caller expects, for the message
     * @return its context
     * @throws io.teebox.api.tee.TeeException INVALID_GUEST if there is none or it is of another kind
     */
    <T extends FirmwareContext> T get(long handle, Class<T> type, String kind) {
        FirmwareContext c = get(handle);
        if (!type.isInstance(c)) {
            throw SevStatus.INVALID_GUEST.error("guest " + handle + " is not " + kind + " guest");
        }
        return type.cast(c);
    }

    /** @return every context, by handle (for a snapshot) */
    java.util.Collection<FirmwareContext> all() {
        return new java.util.ArrayList<>(contexts.values());
    }

    /** @return the handle the next context gets */
    long nextHandle() {
        return nextHandle;
    }

    /**
     * Puts back a context a snapshot held, with its handle and ASID.
     *
     * @param c the context
     * @param next the handle the next new context gets
     */
    void restore(FirmwareContext c, long next) {
        contexts.put(c.handle(), c);
        asidOwner.put(c.asid(), c.handle());
        nextHandle = Math.max(nextHandle, next);
    }

    void remove(long handle) {
        FirmwareContext c = contexts.remove(handle);
        if (c != null) {
            asidOwner.remove(c.asid());
        }
    }

    int size() {
        return contexts.size();
    }

    /**
     * @param current the limits in force
     * @param next new limits
     * @return the first ASID in use that the new limits would take from its guest or move to the other pool, or -1
     */
    int asidLostUnder(AmdSpConfig current, AmdSpConfig next) {
        for (int asid : asidOwner.keySet()) {
            boolean sevNow = asid >= current.minSevAsid();
            boolean sevNext = asid >= next.minSevAsid();
            if (asid > next.maxAsid() || sevNow != sevNext) {
                return asid;
            }
        }
        return -1;
    }
}
