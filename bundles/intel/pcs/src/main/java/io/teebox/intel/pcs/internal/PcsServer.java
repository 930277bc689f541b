package io.teebox.intel.pcs.internal;

import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.platform.PlatformState;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.lang.Lazy;
import io.teebox.kit.x509.X509Authority;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The emulated Intel PCS: Intel's key hierarchy, and a servlet on the platform's HTTP server (Felix HTTP on Jetty,
 * loopback by default) at the PCS v4 paths.
 * <ul>
 * <li>{@code GET /sgx/certification/v4/pckcrl?ca=platform&encoding=der} the PCK CRL (DER, or PEM without
 * {@code encoding=der}), issuer chain in {@code SGX-PCK-CRL-Issuer-Chain}; {@code ca=processor} gives the (empty)
 * CRL of Intel's other PCK CA;</li>
 * <li>{@code GET /tdx/certification/v4/tcb?fmspc=...} TCB info v3, issuer chain in {@code TCB-Info-Issuer-Chain};</li>
 * <li>{@code GET /tdx/certification/v4/qe/identity} the TD QE identity v2, issuer chain in
 * {@code SGX-Enclave-Identity-Issuer-Chain};</li>
 * <li>{@code GET /sgx/certification/v4/pckcert?ppid=..&cpusvn=..&pcesvn=..&pceid=..} a PCK certificate this PCS
 * issued (PEM), issuer chain in {@code SGX-PCK-Certificate-Issuer-Chain} (Intel's PCS takes an encrypted PPID);</li>
 * <li>{@code GET /sgx/certification/v4/rootcacrl} the root CA CRL as hex, as a PCCS serves it, and
 * {@code GET /IntelSGXRootCA.der} as DER.</li>
 * </ul>
 * Issuer chains are URL-encoded PEM (spaces as %20). Collateral is valid from the start of the previous UTC day.
 */
@Component(service = {IntelPcs.class, jakarta.servlet.Servlet.class}, immediate = true,
        configurationPid = "io.teebox.intel.pcs")
@Designate(ocd = PcsConfig.class)
@org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern({"/sgx/certification/v4/*",
    "/tdx/certification/v4/*", "/IntelSGXRootCA.der"})
@org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName("teebox Intel PCS")
public final class PcsServer extends jakarta.servlet.http.HttpServlet implements IntelPcs {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(PcsServer.class.getName());

    /** Intel's keys, certificates and collateral, derived from the seed when first asked (not on the start path). */
    private final transient Lazy<PcsResources> resources;
    private final transient Clock clock;
    private final transient HttpEndpoint endpoint;

    /**
     * @param config the configuration
     * @param state the machine's state: Intel's seed is made there on first start and kept, unless configured
     * @param endpoint where the platform's HTTP server listens
     */
    @Activate
    public PcsServer(PcsConfig config, @Reference PlatformState state, @Reference HttpEndpoint endpoint) {
        this(config.seed().isEmpty() ? Hex.encode(state.secret("intel", "pcs-seed", 32)) : config.seed(),
                Arrays.asList(config.revokedPpids()), Clock.systemUTC(), endpoint);
    }

    PcsServer(String seed, List<String> revokedPpids, Clock clock, HttpEndpoint endpoint) {
        if (seed == null || seed.isBlank()) {
            throw new IllegalArgumentException("io.teebox.intel.pcs: seed must not be blank");
        }
        for (String p : revokedPpids) {
            if (!p.trim().matches("[0-9a-fA-F]{32}")) {
                throw new IllegalArgumentException("io.teebox.intel.pcs: revoked PPID '" + p
                        + "' is not 32 hex digits");
            }
        }
        List<String> revoked = List.copyOf(revokedPpids);
        this.resources = Lazy.of(() -> new PcsResources(new IntelAuthority(seed, revoked), clock));
        this.clock = clock;
        this.endpoint = endpoint;
    }

    @Override
    public URI baseUrl() {
        return URI.create(endpoint.baseUrl());
    }

    @Override
    public byte[] rootCaCertificate() {
        return X509Authority.toDer(authority().root());
    }

    @Override
    public List<byte[]> certifyPck(byte[] ppid, byte[] cpuSvn, int pceSvn, byte[] pceId, byte[] fmspc,
            PublicKey pckKey) {
        X509Certificate pck = resources().issuePck(ppid, cpuSvn, pceSvn, pceId, fmspc, pckKey);
        return List.of(X509Authority.toDer(pck), X509Authority.toDer(authority().platformCa()),
                X509Authority.toDer(authority().root()));
    }

    @Override
    public String collateral(String fmspc) {
        return collateral().collateral(checkFmspc(fmspc), clock.instant());
    }

    IntelAuthority authority() {
        return resources.get().authority();
    }

    PcsResources resources() {
        return resources.get();
    }

    private IntelCollateral collateral() {
        return resources.get().collateral();
    }

    private static String checkFmspc(String fmspc) {
        if (fmspc == null || !fmspc.matches("[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("FMSPC must be 12 hex digits, got '" + fmspc + "'");
        }
        return fmspc.toLowerCase(Locale.ROOT);
    }

    @Override
    protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse x)
            throws IOException {
        try {
            String path = req.getRequestURI();
            Map<String, String> q = query(req.getQueryString());
            var now = clock.instant();
            switch (path) {
                case "/sgx/certification/v4/pckcrl" -> {
                    boolean platform = "platform".equals(q.get("ca"));
                    if (!platform && !"processor".equals(q.get("ca"))) {
                        send(x, 400, "text/plain", "ca must be platform or processor", Map.of());
                        return;
                    }
                    var crl = platform ? authority().pckCrl(now) : authority().processorCrl(now);
                    Map<String, String> h = Map.of("SGX-PCK-CRL-Issuer-Chain", encode(platform
                            ? authority().pckCrlIssuerChain() : authority().processorCrlIssuerChain()));
                    if ("der".equals(q.get("encoding"))) {
                        send(x, 200, "application/pkix-crl", X509Authority.toDer(crl), h);
                    } else {
                        send(x, 200, "application/x-pem-file", X509Authority.toPem(crl), h);
                    }
                }
                case "/sgx/certification/v4/rootcacrl" -> send(x, 200, "text/plain",
                        Hex.encode(X509Authority.toDer(authority().rootCrl(now))), Map.of());
                case "/IntelSGXRootCA.der" -> send(x, 200, "application/pkix-crl",
                        X509Authority.toDer(authority().rootCrl(now)), Map.of());
                case "/tdx/certification/v4/tcb" -> {
                    String fmspc = q.get("fmspc");
                    if (fmspc == null || !fmspc.matches("[0-9a-fA-F]{12}")) {
                        send(x, 400, "text/plain", "fmspc must be 12 hex digits", Map.of());
                        return;
                    }
                    send(x, 200, "application/json", collateral().tcbInfoResponse(fmspc.toLowerCase(Locale.ROOT), now),
                            Map.of("TCB-Info-Issuer-Chain", encode(authority().tcbIssuerChain())));
                }
                case "/tdx/certification/v4/qe/identity" -> send(x, 200, "application/json",
                        collateral().qeIdentityResponse(now),
                        Map.of("SGX-Enclave-Identity-Issuer-Chain", encode(authority().tcbIssuerChain())));
                case "/sgx/certification/v4/pckcert" -> {
                    PcsResources.Answer a;
                    try {
                        a = resources().answer(new io.teebox.intel.tdx.abi.PcsRequest("pckcert", Map.of("ppid",
                                q.getOrDefault("ppid", ""), "cpusvn", q.getOrDefault("cpusvn", ""), "pcesvn",
                                q.getOrDefault("pcesvn", ""), "pceid", q.getOrDefault("pceid", ""))));
                    } catch (IllegalArgumentException e) {
                        send(x, 400, "text/plain", e.getMessage(), Map.of());
                        return;
                    } catch (PcsResources.Refusal e) {
                        send(x, e.status, "text/plain", e.getMessage(), Map.of());
                        return;
                    }
                    send(x, 200, a.contentType(), a.body(), Map.of("SGX-PCK-Certificate-Issuer-Chain",
                            encode(a.issuerChain())));
                }
                default -> send(x, 404, "text/plain", "no such PCS path: " + path, Map.of());
            }
        } catch (RuntimeException e) {
            LOG.warning("PCS request " + req.getRequestURI() + " failed: " + e);
            send(x, 500, "text/plain", "the PCS request failed: " + e.getMessage(), Map.of());
        }
    }

    private static String encode(String pem) {
        return URLEncoder.encode(pem, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void send(jakarta.servlet.http.HttpServletResponse x, int status, String type, String body,
            Map<String, String> headers) throws IOException {
        send(x, status, type, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private static void send(jakarta.servlet.http.HttpServletResponse x, int status, String type, byte[] body,
            Map<String, String> headers) throws IOException {
        x.setStatus(status);
        x.setContentType(type);
        headers.forEach(x::setHeader);
        x.setContentLength(body.length);
        x.getOutputStream().write(body);
    }
}
