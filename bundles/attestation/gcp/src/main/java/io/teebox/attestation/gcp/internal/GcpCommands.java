package io.teebox.attestation.gcp.internal;

import java.net.http.HttpClient;
import java.time.Duration;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.google.gson.GsonBuilder;

import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.attestation.api.AttestationTokens;
import io.teebox.attestation.api.Timeline;
import io.teebox.kit.lang.Lazy;

/** {@code scenario:gcp}: the seeds' GCP flow, run with a TD over loopback HTTP, its timeline printed. */
@Component(service = GcpCommands.class, immediate = true)
@GogoCommand(scope = "scenario", function = {"gcp"})
@Descriptor("Cloud scenarios: the seeds' flows run end to end")
public final class GcpCommands {

    private final Hypervisor hypervisor;
    private final GuestOwnerService tdxOwner;
    private final AttestationTokens tokens;
    private final GcpServices services;
    private final HttpEndpoint endpoint;
    /** Made at the first request: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private final Lazy<HttpClient> http =
            Lazy.of(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());

    /**
     * @param hypervisor the host
     * @param tdxOwner the TD owner (absent without the intel feature)
     * @param tokens the attestation service's binding rule
     * @param services the emulated project's services
     * @param endpoint the platform's HTTP server
     */
    @Activate
    public GcpCommands(@Reference Hypervisor hypervisor,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY,
                    target = "(tee.type=tdx)") GuestOwnerService tdxOwner,
            @Reference AttestationTokens tokens, @Reference GcpServices services, @Reference HttpEndpoint endpoint) {
        this.hypervisor = hypervisor;
        this.tdxOwner = tdxOwner;
        this.tokens = tokens;
        this.services = services;
        this.endpoint = endpoint;
    }

    /**
     * @return the timeline (text, or JSON with --json)
     * @throws IllegalStateException after printing the timeline, when the key service refuses
     */
    @Descriptor("GCP: a TDX Confidential VM attests to the Confidential Computing API (quote via the quoting enclave,"
            + " a token with Google's claims) and gets its disk key from Cloud KMS under an IAM condition; the "
            + "negative runs launch a debug TD or a tampered image and are refused with the reason")
    public String gcp(CommandSession session,
            @Descriptor("debug (a TD with ATTRIBUTES.DEBUG) or tampered (one byte of the image altered)")
            @Parameter(names = {"-n", "--negative"}, absentValue = "") String negative,
            @Descriptor("print the timeline as JSON")
            @Parameter(names = {"--json"}, presentValue = "true", absentValue = "false") boolean json) {
        GcpScenario.Negative n = GcpScenario.Negative.of(negative);
        if (tdxOwner == null) {
            throw new IllegalStateException("scenario:gcp needs a TD owner and a TDX backend: activate the intel "
                    + "feature");
        }
        Timeline t = new GcpScenario(hypervisor, tdxOwner, tokens, services, http.get(), endpoint.baseUrl()).run(n);
        String out = json ? new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(t.toJson())
                : t.render();
        if (t.isRefused()) {
            session.getConsole().print(out.endsWith("\n") ? out : out + "\n");
            session.getConsole().flush();
            throw new IllegalStateException("REFUSED: " + t.outcome());
        }
        return out;
    }
}
