package io.teebox.amd.sev.testing;

import io.teebox.amd.sev.internal.SevBackend;
import io.teebox.amd.sev.internal.SevGuestInterface;
import io.teebox.amd.sp.AmdSecureProcessor;

/** The sev bundle's services on a test platform, for other modules' tests (this module's test-jar). */
public final class SevServices {

    private SevServices() {
    }

    /**
     * @param sp the secure processor
     * @return what the sev bundle registers with {@code tee.type=sev}: the backend (TeeBackend, MemoryEncryption,
     *         LaunchService, AttestationService) and the guest interface (image loader, exit protocol, guest
     *         services), for a hypervisor to bind
     */
    public static Object[] sev(AmdSecureProcessor sp) {
        return new Object[] {new SevBackend(sp), new SevGuestInterface(sp)};
    }
}
