package io.teebox.tpm.guest.internal;

import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.platform.PlatformState;
import io.teebox.tpm.guest.GuestTpm;
import io.teebox.tpm.guest.GuestTpms;

/**
 * The paravisor of every confidential guest that asks for a vTPM. It keeps nothing of a vTPM but where its pages are:
 * a vTPM is found again in its guest's memory, after a backend swap or a restart of this bundle.
 */
@Component(service = GuestTpms.class)
public final class GuestTpmService implements GuestTpms {

    private final Hypervisor hypervisor;
    private final VtpmCa ca;
    private final Map<String, GuestTpmImpl> tpms = new ConcurrentHashMap<>();

    /**
     * @param hypervisor the guests
     * @param state the machine's kept seeds (the vTPM CA)
     */
    @Activate
    public GuestTpmService(@Reference Hypervisor hypervisor, @Reference PlatformState state) {
        this.hypervisor = hypervisor;
        this.ca = new VtpmCa(state.secret("vtpm", "ca", 32));
    }

    private long address(String guest) {
        GuestInfo info = hypervisor.guest(guest);
        String tee = info.config().teeType();
        if (!tee.equals("sev-snp") && !tee.equals("tdx")) {
            throw new IllegalArgumentException("guest " + guest + " is " + tee + ": a vTPM binds to SEV-SNP or TDX "
                    + "evidence (REPORT_DATA), which " + tee + " has not");
        }
        return GuestTpmImpl.stateAddress(info.config().memoryBytes());
    }

    @Override
    public synchronized GuestTpm of(String guest) {
        Optional<GuestTpm> found = find(guest);
        if (found.isPresent()) {
            return found.get();
        }
        GuestTpmImpl t = GuestTpmImpl.provision(hypervisor, guest, address(guest), ca);
        tpms.put(guest, t);
        return t;
    }

    @Override
    public Optional<GuestTpm> find(String guest) {
        GuestTpmImpl known = tpms.get(guest);
        long at = address(guest);
        if (known != null && known.stateAddress() == at && GuestTpmImpl.load(hypervisor.context(guest), at)
                .isPresent()) {
            return Optional.of(known);
        }
        tpms.remove(guest);
        if (GuestTpmImpl.load(hypervisor.context(guest), at).isPresent()) {
            GuestTpmImpl t = new GuestTpmImpl(hypervisor, guest, at);
            tpms.put(guest, t);
            return Optional.of(t);
        }
        return Optional.empty();
    }

    @Override
    public X509Certificate caCertificate() {
        return ca.certificate();
    }
}
