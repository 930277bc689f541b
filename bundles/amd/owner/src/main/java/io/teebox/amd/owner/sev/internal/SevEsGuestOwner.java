package io.teebox.amd.owner.sev.internal;

import org.osgi.service.component.annotations.Component;

import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.tee.TeeType;

/** The guest owner of SEV-ES launches: its expected digest includes each vCPU's reset VMSA. */
@Component(service = GuestOwnerService.class)
@TeeType("sev-es")
public final class SevEsGuestOwner extends AbstractSevOwner {

    /** Creates the owner service. */
    public SevEsGuestOwner() {
        super(true);
    }
}
