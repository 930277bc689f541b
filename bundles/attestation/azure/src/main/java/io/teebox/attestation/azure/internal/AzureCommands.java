package io.teebox.attestation.azure.internal;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.GsonBuilder;

import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.attestation.api.Timeline;
import io.teebox.tpm.guest.GuestTpms;

/** Azure's confidential-VM flow from the shell. */
@Component(service = AzureCommands.class, immediate = true)
@GogoCommand(scope = "scenario", function = {"azure"})
@Descriptor("Cloud scenarios: Azure")
public final class AzureCommands {

    private final Hypervisor hypervisor;
    private final GuestOwnerService owner;
    private final KeyVault vault;
    private final Maa maa;
    private final HttpEndpoint endpoint;
    private final GuestTpms tpms;

    /**
     * @param hypervisor the guests
     * @param owner the SEV-SNP guest owner (the expected launch measurement, the launch)
     * @param vault the key service
     * @param maa the attestation service's Azure face
     * @param endpoint the platform's HTTP server
     * @param tpms the CVMs' vTPMs, which hold the key the release wraps to
     */
    @Activate
    public AzureCommands(@Reference Hypervisor hypervisor, @Reference(target = "(tee.type=sev-snp)")
            GuestOwnerService owner, @Reference KeyVault vault, @Reference Maa maa, @Reference HttpEndpoint endpoint,
            @Reference GuestTpms tpms) {
        this.tpms = tpms;
        this.hypervisor = hypervisor;
        this.owner = owner;
        this.vault = vault;
        this.maa = maa;
        this.endpoint = endpoint;
    }

    /**
     * @return the timeline, as text or JSON
     * @throws IllegalStateException after printing the timeline, when the flow was refused
     */
    @Descriptor("Runs Azure's flow over loopback HTTP: a key with a release policy in Azure's grammar, an SEV-SNP CVM "
            + "launched, MAA-style attestation (x-ms-isolation-tee claims), Key Vault secure key release wrapped "
            + "RSA_AES_KEY_WRAP_256 to the CVM's key, the CVM unwraps; prints the numbered timeline of the parties")
    public String azure(
            @Descriptor("a negative run: debug (a debuggable guest, policy 0xB0000) or tampered (an image one byte "
                    + "off the one the release policy pins)")
            @Parameter(names = {"-n", "--negative"}, absentValue = "") String negative,
            @Descriptor("print the timeline as JSON")
            @Parameter(names = {"-j", "--json"}, presentValue = "true", absentValue = "false") boolean json) {
        AzureScenario.Negative n = AzureScenario.Negative.of(negative);
        Timeline t = new AzureScenario(hypervisor, owner, vault, maa, endpoint.baseUrl(), tpms).run(n);
        String out = json ? new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(t.toJson())
                : t.render().stripTrailing();
        if (t.isRefused()) {
            System.out.println(out);
            throw new IllegalStateException("REFUSED: " + t.outcome());
        }
        return out;
    }
}
