package io.teebox.attestation.gcp.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.platform.PlatformState;
import io.teebox.attestation.api.AttestationTokens;

/**
 * The emulated project's two services, made once from the configuration (pid {@code io.teebox.attestation.gcp}):
 * the Confidential Computing attestation endpoint (its key and PKI kept in the state directory) and the key service
 * (its store in the state directory). The control plane's inventory is the hypervisor's guests of TEE type
 * {@code tdx}, when a hypervisor is present.
 */
@Component(service = GcpServices.class, configurationPid = GcpServices.PID)
@Designate(ocd = GcpConfig.class)
public final class GcpServices {

    static final String PID = "io.teebox.attestation.gcp";

    private final ConfidentialComputing attestation;
    private final Kms kms;

    /**
     * @param config the configuration
     * @param tokens the attestation service
     * @param state the state directory
     * @param hypervisor the control plane's guests, if present
     * @throws IllegalArgumentException for a bad configuration, naming the attribute
     */
    @Activate
    public GcpServices(GcpConfig config, @Reference AttestationTokens tokens, @Reference PlatformState state,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            Hypervisor hypervisor) {
        Project project = Project.of(config);
        GcpSigner signer = GcpSigner.kept((name, create) -> state.kept(GcpConfig.STATE, name, create));
        this.attestation = new ConfidentialComputing(tokens, signer, project, name -> instance(hypervisor, project,
                name), Clock.systemUTC());
        Path store = Path.of(config.kms_store());
        this.kms = new Kms(new KmsStore(store.isAbsolute() ? store : state.directory().resolve(store)), signer,
                project.kmsAudience(), Clock.systemUTC());
    }

    private static Optional<ConfidentialComputing.Instance> instance(Hypervisor hv, Project p, String name) {
        if (hv == null) {
            return Optional.empty();
        }
        return hv.guests().stream().filter(g -> g.config().name().equals(name) && g.config().teeType().equals("tdx"))
                .findFirst().map((GuestInfo g) -> new ConfidentialComputing.Instance(name, p.instanceId(g.id())));
    }

    ConfidentialComputing attestation() {
        return attestation;
    }

    Kms kms() {
        return kms;
    }
}
