package io.teebox.amd.sp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * The Reverse Map Table: one entry per host page saying who owns it (ASSIGNED, ASID, the guest physical address it
 * is mapped at, VALIDATED, IMMUTABLE, VMSA). The CPU consults it on every access: a host write to an assigned page
 * faults (RMP #NPF); a guest access to a page that is not assigned to it at that GPA, or not validated, raises #VC.
 * Thread-safe.
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
     */
    public record Entry(boolean assigned, int asid, long gpa, boolean validated, boolean immutable, boolean vmsa) {

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

    private static final Entry HYPERVISOR = new Entry(false, 0, 0, false, false, false);
    private final Map<Long, Entry> entries = new TreeMap<>();

    /** @return the entry of a host page (Hypervisor state if never assigned) */
    public synchronized Entry entry(long hpa) {
        return entries.getOrDefault(hpa & ~0xFFFL, HYPERVISOR);
    }

    /** @return the assigned entries of an ASID by host physical address */
    public synchronized Map<Long, Entry> entries(int asid) {
        Map<Long, Entry> out = new LinkedHashMap<>();
        entries.forEach((hpa, e) -> {
            if (e.assigned() && e.asid() == asid) {
                out.put(hpa, e);
            }
        });
        return out;
    }

    /** The firmware assigns and validates a launched page (SNP_LAUNCH_UPDATE). */
    public synchronized void launch(long hpa, int asid, long gpa, boolean vmsa) {
        entries.put(hpa & ~0xFFFL, new Entry(true, asid, gpa, true, false, vmsa));
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
            entries.remove(hpa & ~0xFFFL);
        } else {
            entries.put(hpa & ~0xFFFL, new Entry(true, asid, gpa, false, false, false));
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
        entries.put(hpa & ~0xFFFL, new Entry(true, asid, e.gpa(), validate, false, e.vmsa()));
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

    /** @return whether the host may write the page (it is not assigned to a guest) */
    public synchronized boolean hostMayWrite(long hpa) {
        return !entry(hpa).assigned();
    }

    /** Returns every page of an ASID to the hypervisor (guest decommissioned). */
    public synchronized void release(int asid) {
        entries.values().removeIf(e -> e.assigned() && e.asid() == asid);
    }
}
