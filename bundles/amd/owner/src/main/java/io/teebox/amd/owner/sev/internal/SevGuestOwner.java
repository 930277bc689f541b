package io.teebox.amd.owner.sev.internal;

import org.osgi.service.component.annotations.Component;

import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.tee.TeeType;

/** The guest owner of SEV launches. */
@Component(service = GuestOwnerService.class)
@TeeType("sev")
public final class SevGuestOwner extends AbstractSevOwner {

    /** Creates the owner service. */
    public SevGuestOwner() {
        super(false);
    }
}
