package io.teebox.amd.snp.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.amd.snp.SnpGuest;
import io.teebox.amd.sp.AmdSecureProcessor;

/** One SEV-SNP guest's own instructions and requests beyond the common API, bound to its firmware handle. */
final class BoundSnpGuest implements SnpGuest {

    private final AmdSecureProcessor sp;
    private final GuestDriver driver;
    private final long handle;

    BoundSnpGuest(AmdSecureProcessor sp, GuestDriver driver, long handle) {
        this.sp = sp;
        this.driver = driver;
        this.handle = handle;
    }

    @Override
    public int rmpadjust(long gpa, int targetVmpl, int perms, boolean vmsa) {
        return sp.rmp().rmpadjust(sp.context(handle).asid(), gpa, targetVmpl, perms, vmsa);
    }

    @Override
    public byte[] derivedKey(long fieldSelect, int guestSvn, long tcb) {
        return driver.derivedKey(handle, fieldSelect, guestSvn, tcb);
    }

    @Override
    public Map<Long, String> rmp() {
        Map<Long, String> out = new LinkedHashMap<>();
        sp.rmp().entries(sp.context(handle).asid()).forEach((hpa, e) -> out.put(hpa, String.format("GPA 0x%X %-13s%s "
                + "VMPL1-3 perms 0x%06X", e.gpa(), e.state(), e.vmsa() ? " VMSA" : "", e.vmplPerms())));
        return out;
    }
}
