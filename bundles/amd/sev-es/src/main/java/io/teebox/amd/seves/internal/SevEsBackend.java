package io.teebox.amd.seves.internal;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.sev.firmware.internal.SevFirmware;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.SpFirmwareImage;
import io.teebox.api.attestation.AttestationService;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeType;

/**
 * The AMD SEV-ES backend: ASIDs below the first SEV-only ASID, and LAUNCH_UPDATE_VMSA, which encrypts each vCPU's
 * save area under the guest key and appends it to the launch digest, so the host no longer sees or changes the
 * guest's registers.
 */
@Header(name = SpFirmwareImage.HEADER, value = "1.55.21;snp-spl=8")
@Component(service = {TeeBackend.class, MemoryEncryption.class, LaunchService.class, AttestationService.class},
        immediate = true)
@TeeType("sev-es")
public final class SevEsBackend extends SevFirmware {

    /**
     * @param sp the secure processor
     */
    public SevEsBackend(AmdSecureProcessor sp) {
        super(sp, Mode.SEV_ES);
    }

    /**
     * Loads the SEV firmware image this bundle carries ({@value SpFirmwareImage#HEADER}) into the secure processor.
     *
     * @param context this bundle's context
     * @param sp the secure processor
     */
    @Activate
    public SevEsBackend(BundleContext context, @Reference AmdSecureProcessor sp) {
        this(SpFirmwareImage.load(sp, context.getBundle()));
    }
}
