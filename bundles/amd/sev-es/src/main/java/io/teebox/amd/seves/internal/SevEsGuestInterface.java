package io.teebox.amd.seves.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.guest.AmdCpuid;
import io.teebox.amd.guest.AmdGuestInterface;
import io.teebox.amd.guest.GhcbExits;
import io.teebox.amd.guest.OvmfLoaders;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
import io.teebox.api.tee.TeeType;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImageLoader;

/**
 * How SEV-ES guests are loaded (OVMF, then one encrypted VMSA per vCPU) and exit (#VC and the GHCB: the host sees
 * only what the guest's handler copies out).
 */
@Component(service = {GuestImageLoader.class, ExitProtocol.class, GuestServices.class}, immediate = true)
@TeeType("sev-es")
public final class SevEsGuestInterface extends AmdGuestInterface {

    /** @param sp the secure processor (the ASID limits CPUID reports) */
    @Activate
    public SevEsGuestInterface(@Reference AmdSecureProcessor sp) {
        super(OvmfLoaders.sev(true), new GhcbExits(new AmdCpuid(() -> new AmdCpuid.Platform(true, false,
                sp.asidLimits(AsidPool.SEV).last(), sp.asidLimits(AsidPool.SEV).first()))));
    }
}
