package io.teebox.amd.snp.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.guest.AmdCpuid;
import io.teebox.amd.guest.AmdGuestInterface;
import io.teebox.amd.guest.GhcbExits;
import io.teebox.amd.guest.OvmfLoaders;
import io.teebox.amd.snp.SnpGuest;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
import io.teebox.api.guest.PrivilegeLevels;
import io.teebox.api.tee.TeeType;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestAccess;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImageLoader;

/**
 * How SEV-SNP guests are loaded (OVMF with its SEV metadata sections: zero, secrets, CPUID and kernel-hashes
 * pages, then the VMSAs), exit (#VC and the GHCB) and what they may ask beyond the common API ({@link SnpGuest}, and {@link PrivilegeLevels}: the VMPLs).
 */
@Component(service = {GuestImageLoader.class, ExitProtocol.class, GuestServices.class}, immediate = true)
@TeeType("sev-snp")
public final class SnpGuestInterface extends AmdGuestInterface {

    private final AmdSecureProcessor sp;

    /**
     * @param sp the secure processor (the ASID limits CPUID reports)
     * @param snp the SNP firmware, for the guest's SNP interface
     */
    @Activate
    public SnpGuestInterface(@Reference AmdSecureProcessor sp, @Reference SnpBackend snp) {
        super(OvmfLoaders.snp(), new GhcbExits(new AmdCpuid(() -> new AmdCpuid.Platform(true, true,
                sp.asidLimits(AsidPool.SEV).last(), sp.asidLimits(AsidPool.SEV).first()))));
        extension(SnpGuest.class, guest -> snp.guest(guest.handle()));
        extension(PrivilegeLevels.class, snp::levels);
        this.sp = sp;
    }

    /** The RMP entry of the host page behind each resident page (see {@link RmpPageStates}). */
    @Override
    public Map<Long, String> pageStates(GuestAccess guest) {
        return RmpPageStates.of(sp.rmp(), guest);
    }
}
