package io.teebox.kbs.internal;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.attestation.api.AttestationTokens;

/** A guest's attestation agent from the shell: RCAR against the broker over loopback HTTP, the JWE unwrapped. */
@Component(service = GuestSecretCommands.class, immediate = true)
@GogoCommand(scope = "kbs", function = {"fetch"})
@Descriptor("Key broker: a guest fetches a secret")
public final class GuestSecretCommands {

    private final Hypervisor hypervisor;
    private final HttpEndpoint endpoint;
    private final AttestationTokens tokens;
    /** Made at the first fetch: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private HttpClient http;

    /**
     * @param hypervisor the guests
     * @param endpoint the platform's HTTP server, where the broker is
     * @param tokens the attestation service's binding rule
     */
    @Activate
    public GuestSecretCommands(@Reference Hypervisor hypervisor, @Reference HttpEndpoint endpoint,
            @Reference AttestationTokens tokens) {
        this.hypervisor = hypervisor;
        this.endpoint = endpoint;
        this.tokens = tokens;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        }
        return http;
    }

    /**
     * @return the secret as text, or its size
     */
    @Descriptor("Inside a running guest: make a TEE key pair, attest to the key broker with evidence binding it "
            + "(RCAR over HTTP), fetch a resource and unwrap its JWE; a guest failing the resource policy gets "
            + "nothing, with the reason")
    public String fetch(
            @Descriptor("print only the secret's size, not its value")
            @Parameter(names = {"-q", "--quiet"}, presentValue = "true", absentValue = "false") boolean quiet,
            @Descriptor("repository/type/tag") String path,
            @Descriptor("guest id or name") String guest) {
        ResourcePath p = ResourcePath.parse(path);
        String type = hypervisor.guest(guest).config().teeType();
        GuestAgent.Fetched f = new GuestAgent(http(), endpoint.baseUrl(), tokens).fetch(hypervisor.context(guest),
                type, p);
        return quiet ? p + ": " + f.secret().length + " bytes" : new String(f.secret(), StandardCharsets.UTF_8);
    }
}
