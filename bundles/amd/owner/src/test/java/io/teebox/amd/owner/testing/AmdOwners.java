package io.teebox.amd.owner.testing;

import io.teebox.amd.owner.sev.internal.SevEsGuestOwner;
import io.teebox.amd.owner.sev.internal.SevGuestOwner;
import io.teebox.amd.owner.snp.internal.SnpGuestOwner;
import io.teebox.api.owner.GuestOwnerService;

/** The AMD guest owners for other modules' tests (this module's test-jar), through the API only. */
public final class AmdOwners {

    private AmdOwners() {
    }

    /** @return the owner of SEV launches */
    public static GuestOwnerService sev() {
        return new SevGuestOwner();
    }

    /** @return the owner of SEV-ES launches (its digest includes each vCPU's reset VMSA) */
    public static GuestOwnerService sevEs() {
        return new SevEsGuestOwner();
    }

    /** @return the owner of SEV-SNP launches */
    public static GuestOwnerService snp() {
        return new SnpGuestOwner();
    }
}
