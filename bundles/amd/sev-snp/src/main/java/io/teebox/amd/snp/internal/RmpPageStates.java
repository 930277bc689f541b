package io.teebox.amd.snp.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.amd.sp.Rmp;
import io.teebox.spi.guest.GuestAccess;

/**
 * The RMP entry of the host page behind each resident page of an SNP guest, as one line per guest physical address
 * for the host's memory map. The RMP is indexed by host page; the host's nested page tables give the host page at
 * each GPA, so an entry recorded at another GPA (a remap by the host) and a page not assigned (shared, or never
 * handed to the guest) show as such.
 */
final class RmpPageStates {

    private static final String[] VMPL_PERMS = {"r", "w", "x", "s"};

    private RmpPageStates() {
    }

    /**
     * @param rmp the table
     * @param guest the guest (its ASID is its key slot)
     * @return the state line of each resident page by GPA
     */
    static Map<Long, String> of(Rmp rmp, GuestAccess guest) {
        int asid = guest.keySlot().id();
        Map<Long, String> out = new LinkedHashMap<>();
        guest.residentPages().forEach((gpa, hpa) -> out.put(gpa, line(rmp.entry(hpa), asid, gpa)));
        return out;
    }

    static String line(Rmp.Entry e, int guestAsid, long gpa) {
        if (!e.assigned()) {
            return "RMP hypervisor-owned (not assigned)";
        }
        StringBuilder b = new StringBuilder("RMP assigned ").append(e.validated() ? "validated" : "not validated")
                .append(" ASID ").append(e.asid());
        if (e.asid() != guestAsid) {
            b.append(" (not this guest's ASID ").append(guestAsid).append(')');
        }
        if (e.immutable()) {
            b.append(" immutable");
        }
        if (e.vmsa()) {
            b.append(" VMSA");
        }
        b.append(" VMPL0 rwxs");
        for (int vmpl = 1; vmpl <= 3; vmpl++) {
            b.append(" VMPL").append(vmpl).append(' ').append(perms(e.vmplPerms() >>> 8 * (vmpl - 1) & 0xF));
        }
        if (e.gpa() != gpa) {
            b.append(String.format(" recorded at GPA 0x%X (remapped by the host)", e.gpa()));
        }
        return b.toString();
    }

    static String perms(int mask) {
        StringBuilder b = new StringBuilder();
        for (int bit = 0; bit < VMPL_PERMS.length; bit++) {
            b.append((mask & 1 << bit) != 0 ? VMPL_PERMS[bit] : "-");
        }
        return b.toString();
    }
}
