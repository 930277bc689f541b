package io.teebox.amd.sev.internal;

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
 * The legacy AMD SEV backend: SEV ASIDs, AES-128 memory encryption, LAUNCH_START .. LAUNCH_FINISH. Its state lives
 * in the AMD Secure Processor bundle, so stopping or updating this bundle is a firmware update running guests
 * survive.
 */
@Header(name = SpFirmwareImage.HEADER, value = "1.55.21;snp-spl=8")
@Component(service = {TeeBackend.class, MemoryEncryption.class, LaunchService.class, AttestationService.class},
        immediate = true)
@TeeType("sev")
public final class SevBackend extends SevFirmware {

    /**
     * @param sp the secure processor
     */
    public SevBackend(AmdSecureProcessor sp) {
        super(sp, Mode.SEV);
    }

    /**
     * Loads the SEV firmware image this bundle carries ({@value SpFirmwareImage#HEADER}) into the secure processor.
     *
     * @param context this bundle's context
     * @param sp the secure processor
     */
    @Activate
    public SevBackend(BundleContext context, @Reference AmdSecureProcessor sp) {
        this(SpFirmwareImage.load(sp, context.getBundle()));
    }
}
