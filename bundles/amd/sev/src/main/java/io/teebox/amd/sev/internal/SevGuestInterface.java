package io.teebox.amd.sev.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.guest.AmdCpuid;
import io.teebox.amd.guest.AmdGuestInterface;
import io.teebox.amd.guest.AutomaticExits;
import io.teebox.amd.guest.OvmfLoaders;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
import io.teebox.api.tee.TeeType;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImageLoader;

/** How SEV guests are loaded (OVMF, one measured region) and exit (automatically: the save area is plaintext). */
@Component(service = {GuestImageLoader.class, ExitProtocol.class, GuestServices.class}, immediate = true)
@TeeType("sev")
public final class SevGuestInterface extends AmdGuestInterface {

    /** @param sp the secure processor (the ASID limits CPUID reports) */
    @Activate
    public SevGuestInterface(@Reference AmdSecureProcessor sp) {
        super(OvmfLoaders.sev(false), new AutomaticExits(new AmdCpuid(() -> new AmdCpuid.Platform(false, false,
                sp.asidLimits(AsidPool.SEV).last(), sp.asidLimits(AsidPool.SEV).first()))));
    }
}
