package io.teebox.amd.sp;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * The Reverse Map Table: one entry per host page saying who owns it (ASSIGNED, ASID, the guest physical address it
 * is mapped at, VALIDATED, IMMUTABLE, VMSA). The CPU consults it on every access: a host write to an assigned page
 * faults (RMP #NPF); a guest access to a page that is not assigned to it at that GPA, or not validated, raises #VC.
 * Thread-safe. Besides the table by host page it keeps an index of the assigned pages per ASID (the same entries),
 * so what one guest owns is found without a scan of every guest's pages.
 */
public final class Rmp {

    /** The status a guest access fault carries: exception vector 29, #VC. */
    public static final FirmwareStatus VC = new FirmwareStatus("x86", "#VC", 29);
    /** PVALIDATE return codes. */
    public static final int PVALIDATE_OK = 0;
    /** PVALIDATE: the page is not assigned to the guest at that GPA. */
    public static final int PVALIDATE_FAIL_INPUT = 1;
    /** PVALIDATE: the VALIDATED bit was already as requested (CF=1; Linux maps it to 255). */
    public static final int PVALIDATE_NOUPDATE = 255;

    /**
     * One entry.
     *
     * @param assigned owned by a guest
     * @param asid the owner's ASID
     * @param gpa the guest physical address the page is mapped at
     * @param validated validated by the guest (PVALIDATE) or by the launch
     * @param immutable only the firmware may change it
     * @param vmsa the page is a VMSA
     * @param vmplPerms permission masks of VMPL1..3 in bytes 0..2 (bit0 read, bit1 write, bit2 execute-user,
     *            bit3 execute-supervisor); VMPL0 always has all
     */
    public record Entry(boolean assigned, int asid, long gpa, boolean validated, boolean immutable, boolean vmsa,
            int vmplPerms) {

        /** @return the page state name, for example {@code Guest-Valid} */
        public String state() {
            if (!assigned) {
                return "Hypervisor";
            }
            if (immutable) {
                return validated ? "Pre-Swap" : "Firmware";
            }
            return validated ? "Guest-Valid" : "Guest-Invalid";
        }
    }

    private static final Entry HYPERVISOR = new Entry(false, 0, 0, false, false, false, 0);
    private final Map<Long, Entry> entries = new TreeMap<>();
    /** The assigned entries of each ASID by host page: always the same entries as {@link #entries}. */
    private final Map<Integer, TreeMap<Long, Entry>> byAsid = new HashMap<>();

    private void put(long page, Entry e) {
        Entry old = entries.put(page, e);
        if (old != null && old.asid() != e.asid()) {
            unindex(page, old.asid());
        }
        byAsid.computeIfAbsent(e.asid(), a -> new TreeMap<>()).put(page, e);
    }

    private void remove(long page) {
        Entry old = entries.remove(page);
        if (old != null) {
            unindex(page, old.asid());
        }
    }

    private void unindex(long page, int asid) {
        TreeMap<Long, Entry> pages = byAsid.get(asid);
        if (pages != null) {
            pages.remove(page);
            if (pages.isEmpty()) {
                byAsid.remove(asid);
            }
        }
    }

    /**
     * Sets a page's entry as a snapshot of the table had it: the secure processor's next firmware revision taking
     * over the table of the one before (the RMP lives in memory the firmware owns, not in the firmware image).
     *
     * @param hpa the host page
     * @param entry its entry; an unassigned one clears the page
     */
    public synchronized void restore(long hpa, Entry entry) {
        if (entry.assigned()) {
            put(hpa & ~0xFFFL, entry);
        } else {
            remove(hpa & ~0xFFFL);
        }
    }

    /** @return the entry of a host page (Hypervisor state if never assigned) */
    public synchronized Entry entry(long hpa) {
        return entries.getOrDefault(hpa & ~0xFFFL, HYPERVISOR);
    }

    /** @return the assigned entries of an ASID by host physical address */
    public synchronized Map<Long, Entry> entries(int asid) {
        TreeMap<Long, Entry> pages = byAsid.get(asid);
        return pages == null ? new LinkedHashMap<>() : new LinkedHashMap<>(pages);
    }

    /**
     * @param asid an ASID
     * @param limit at most this many
     * @return the first {@code limit} assigned entries of an ASID by host physical address
     */
    public synchronized Map<Long, Entry> entries(int asid, int limit) {
        Map<Long, Entry> out = new LinkedHashMap<>();
        TreeMap<Long, Entry> pages = byAsid.get(asid);
        if (pages != null) {
            for (Map.Entry<Long, Entry> e : pages.entrySet()) {
                if (out.size() == limit) {
                    break;
                }
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * @param asid an ASID
     * @return how many host pages are assigned to it, without copying them
     */
    public synchronized int count(int asid) {
        TreeMap<Long, Entry> pages = byAsid.get(asid);
        return pages == null ? 0 : pages.size();
    }

    /** @return how many host pages are assigned to any guest */
    public synchronized int count() {
        return entries.size();
    }

    /** The firmware assigns and validates a launched page (SNP_LAUNCH_UPDATE). */
    public synchronized void launch(long hpa, int asid, long gpa, boolean vmsa) {
        put(hpa & ~0xFFFL, new Entry(true, asid, gpa, true, false, vmsa, 0));
    }

    /**
     * RMPUPDATE by the host: assigns a page to a guest at a GPA (not validated) or returns it to the hypervisor.
     *
     * @param hpa the host page
     * @param asid the guest's ASID, or 0 to return the page to the hypervisor
     * @param gpa the guest physical address
     */
    public synchronized void update(long hpa, int asid, long gpa) {
        Entry e = entry(hpa);
        if (e.immutable()) {
            throw new TeeException(new FirmwareStatus("x86", "RMPUPDATE_FAIL_PERMISSION", 2), String.format(
                    "host page 0x%X is immutable (firmware-owned)", hpa));
        }
        if (asid == 0) {
            remove(hpa & ~0xFFFL);
        } else {
            put(hpa & ~0xFFFL, new Entry(true, asid, gpa, false, false, false, 0));
        }
    }

    /**
     * PVALIDATE by the guest.
     *
     * @return {@link #PVALIDATE_OK}, {@link #PVALIDATE_FAIL_INPUT} or {@link #PVALIDATE_NOUPDATE}
     */
    public synchronized int pvalidate(int asid, long gpa, long hpa, boolean validate) {
        Entry e = entry(hpa);
        if (!e.assigned() || e.asid() != asid || e.gpa() != (gpa & ~0xFFFL)) {
            return PVALIDATE_FAIL_INPUT;
        }
        if (e.validated() == validate) {
            return PVALIDATE_NOUPDATE;
        }
        put(hpa & ~0xFFFL, new Entry(true, asid, e.gpa(), validate, false, e.vmsa(), e.vmplPerms()));
        return PVALIDATE_OK;
    }

    /**
     * The check of a guest's private access.
     *
     * @throws TeeException #VC naming what is wrong with the entry
     */
    public synchronized void checkGuestAccess(int asid, long gpa, long hpa) {
        Entry e = entry(hpa);
        long page = gpa & ~0xFFFL;
        if (!e.assigned() || e.asid() != asid) {
            throw new TeeException(VC, String.format("#VC (page-not-validated): host page 0x%X behind GPA 0x%X is "
                    + "not assigned to this guest (RMP state %s)", hpa, page, e.state()));
        }
        if (e.gpa() != page) {
            throw new TeeException(VC, String.format("#VC: host page 0x%X is recorded in the RMP at GPA 0x%X, not "
                    + "0x%X: the host remapped it", hpa, e.gpa(), page));
        }
        if (!e.validated()) {
            throw new TeeException(VC, String.format("#VC (page-not-validated): GPA 0x%X is %s; the guest must "
                    + "PVALIDATE it first", page, e.state()));
        }
    }

    /** RMPADJUST return code: the target VMPL is not less privileged than the caller. */
    public static final int RMPADJUST_FAIL_PERMISSION = 2;

    /**
     * RMPADJUST by the guest at VMPL 0: sets a less privileged VMPL's permissions on one of its validated pages.
     *
     * @param asid the guest's ASID
     * @param gpa the page
     * @param targetVmpl 1..3 (a numerically greater, less privileged level)
     * @param perms the permission mask (bits 3:0)
     * @param vmsa mark the page as a VMSA
     * @return 0, {@link #PVALIDATE_FAIL_INPUT} or {@link #RMPADJUST_FAIL_PERMISSION}
     */
    public synchronized int rmpadjust(int asid, long gpa, int targetVmpl, int perms, boolean vmsa) {
        if (targetVmpl <= 0 || targetVmpl > 3) {
            return RMPADJUST_FAIL_PERMISSION;
        }
        if ((perms & ~0xF) != 0 || (gpa & 0xFFF) != 0) {
            return PVALIDATE_FAIL_INPUT;
        }
        TreeMap<Long, Entry> pages = byAsid.get(asid);
        if (pages == null) {
            return PVALIDATE_FAIL_INPUT;
        }
        for (Map.Entry<Long, Entry> me : pages.entrySet()) {
            Entry e = me.getValue();
            if (e.gpa() == (gpa & ~0xFFFL)) {
                if (!e.validated()) {
                    return PVALIDATE_FAIL_INPUT;
                }
                int shift = 8 * (targetVmpl - 1);
                int p = (e.vmplPerms() & ~(0xFF << shift)) | perms << shift;
                put(me.getKey(), new Entry(true, asid, e.gpa(), true, false, vmsa || e.vmsa(), p));
                return 0;
            }
        }
        return PVALIDATE_FAIL_INPUT;
    }

    /** @return whether the host may write the page (it is not assigned to a guest) */
    public synchronized boolean hostMayWrite(long hpa) {
        return !entry(hpa).assigned();
    }

    /** Returns every page of an ASID to the hypervisor (guest decommissioned). */
    public synchronized void release(int asid) {
        TreeMap<Long, Entry> pages = byAsid.remove(asid);
        if (pages != null) {
            entries.keySet().removeAll(pages.keySet());
        }
    }
}
