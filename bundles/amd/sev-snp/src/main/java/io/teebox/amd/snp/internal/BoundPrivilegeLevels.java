package io.teebox.amd.snp.internal;

import java.util.SortedMap;

import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.Rmp;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.PrivilegeLevels;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;
import io.teebox.spi.guest.GuestAccess;

/**
 * SEV-SNP's four VMPLs of one guest, bound to the hypervisor's handle on it for one call. VMPL0 acts as the guest's
 * other calls do; VMPL1..3 reach a private page only with the permissions VMPL0 set in its RMP entry (RMPADJUST),
 * and a missing one is a nested page fault the hypervisor sees, not the guest. Shared pages are hypervisor-owned
 * and not checked for VMPL: every level reaches them.
 */
final class BoundPrivilegeLevels implements PrivilegeLevels {

    /** VMPL0..VMPL3. */
    static final int VMPLS = 4;
    /**
     * A VMPL permission violation: the RMP check of the nested page walk fails and the CPU exits to the hypervisor
     * with VMEXIT_NPF (SVM exit code 0x400), the RMP bit set in the error code.
     */
    static final FirmwareStatus NPF = new FirmwareStatus("x86", "#NPF", 0x400);
    /** RMPADJUST return codes (AMD APM vol. 3, RMPADJUST), in EAX. */
    static final FirmwareStatus FAIL_INPUT = new FirmwareStatus("x86", "FAIL_INPUT", 1);
    /** RMPADJUST: the target VMPL is not less privileged than the caller's. */
    static final FirmwareStatus FAIL_PERMISSION = new FirmwareStatus("x86", "FAIL_PERMISSION", 2);
    /** RMPADJUST: a 4 KiB request on a page the RMP holds as 2 MiB, or the reverse. */
    static final FirmwareStatus FAIL_SIZEMISMATCH = new FirmwareStatus("x86", "FAIL_SIZEMISMATCH", 6);

    static final int READ = 1;
    static final int WRITE = 1 << 1;
    static final int EXECUTE_USER = 1 << 2;
    static final int EXECUTE_SUPERVISOR = 1 << 3;
    private static final int MAX_ACCESS = 1 << 20;
    private static final long PAGE = 4096;

    private final AmdSecureProcessor sp;
    private final SnpBackend snp;
    private final GuestAccess guest;

    BoundPrivilegeLevels(SnpBackend snp, GuestAccess guest) {
        this.sp = snp.sp();
        this.snp = snp;
        this.guest = guest;
    }

    @Override
    public String kind() {
        return "VMPL";
    }

    @Override
    public int count() {
        return VMPLS;
    }

    @Override
    public void permit(long gpa, int level, boolean read, boolean write, boolean execute) {
        int perms = (read ? READ : 0) | (write ? WRITE : 0) | (execute ? EXECUTE_USER | EXECUTE_SUPERVISOR : 0);
        int rc = sp.rmp().rmpadjust(guest.keySlot().id(), gpa, level, perms, false);
        if (rc == 0) {
            return;
        }
        String target = String.format("RMPADJUST of GPA 0x%X for VMPL%d", gpa, level);
        throw switch (rc) {
            case 1 -> new TeeException(FAIL_INPUT, target + " fails with FAIL_INPUT (1): the page is not a "
                    + "validated private page of this guest at that address" + ((gpa & 0xFFF) != 0
                            ? " (the address is not page-aligned)" : ""));
            case 2 -> new TeeException(FAIL_PERMISSION, target + " fails with FAIL_PERMISSION (2): the target is "
                    + "not one of VMPL1..VMPL3, the levels less privileged than the caller's VMPL0");
            case 6 -> new TeeException(FAIL_SIZEMISMATCH, target + " fails with FAIL_SIZEMISMATCH (6): the RMP "
                    + "entry's page size is not the requested 4 KiB");
            default -> new IllegalStateException(target + " returned the unknown code " + rc);
        };
    }

    @Override
    public byte[] read(int level, long gpa, int length) {
        checkLevel(level);
        if (level > 0) {
            checkRange(level, gpa, length, READ);
        }
        return guest.read(gpa, length);
    }

    @Override
    public void write(int level, long gpa, byte[] data) {
        checkLevel(level);
        if (level > 0) {
            checkRange(level, gpa, data.length, WRITE);
        }
        guest.write(gpa, data);
    }

    @Override
    public Evidence evidence(int level, Bytes reportData) {
        checkLevel(level);
        return snp.attest(guest.handle(), reportData.value(), level);
    }

    private static void checkLevel(int level) {
        if (level < 0 || level >= VMPLS) {
            throw new IllegalArgumentException("VMPL" + level + " is out of range: SEV-SNP has VMPL0..VMPL3");
        }
    }

    /**
     * The RMP check of every page of the range at a level, before any byte moves, so a faulting write writes
     * nothing: a private page must be this guest's, validated and at its GPA (else #VC, as at VMPL0) and grant the
     * level the access (else #NPF).
     */
    private void checkRange(int level, long gpa, int length, int access) {
        if (length < 0 || length > MAX_ACCESS) {
            throw new IllegalArgumentException("length must be 0.." + MAX_ACCESS + " bytes, got " + length);
        }
        if (length == 0) {
            return;
        }
        int asid = guest.keySlot().id();
        SortedMap<Long, Long> resident = guest.residentPages();
        for (long page = gpa & ~(PAGE - 1); page < gpa + length; page += PAGE) {
            if (guest.isShared(page)) {
                continue;
            }
            Long hpa = resident.get(page);
            if (hpa == null) {
                throw new TeeException(Rmp.VC, String.format("#VC (page-not-validated): VMPL%d %s of GPA 0x%X: no "
                        + "page of this guest is behind it", level, access == READ ? "read" : "write", page));
            }
            sp.rmp().checkGuestAccess(asid, page, hpa);
            int granted = sp.rmp().entry(hpa).vmplPerms() >>> 8 * (level - 1) & 0xF;
            if ((granted & access) == 0) {
                String what = access == READ ? "read" : "write";
                throw new TeeException(NPF, String.format("VMPL%d %s of GPA 0x%X faults (#NPF, RMP violation): the "
                        + "page grants VMPL%d %s; VMPL0 gave it no %s permission", level, what, page, level,
                        RmpPageStates.perms(granted), what));
            }
        }
    }
}
