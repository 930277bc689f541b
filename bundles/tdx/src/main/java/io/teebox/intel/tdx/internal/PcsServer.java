package io.teebox.intel.tdx.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.teebox.intel.tdx.IntelPcs;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The emulated Intel PCS: Intel's key hierarchy and an HTTP server on loopback at the PCS v4 paths.
 * <ul>
 * <li>{@code GET /sgx/certification/v4/pckcrl?ca=platform&encoding=der} the PCK CRL (DER, or PEM without
 * {@code encoding=der}), issuer chain in {@code SGX-PCK-CRL-Issuer-Chain}; {@code ca=processor} gives the (empty)
 * CRL of Intel's other PCK CA;</li>
 * <li>{@code GET /tdx/certification/v4/tcb?fmspc=...} TCB info v3, issuer chain in {@code TCB-Info-Issuer-Chain};</li>
 * <li>{@code GET /tdx/certification/v4/qe/identity} the TD QE identity v2, issuer chain in
 * {@code SGX-Enclave-Identity-Issuer-Chain};</li>
 * <li>{@code GET /sgx/certification/v4/rootcacrl} the root CA CRL as hex, as a PCCS serves it, and
 * {@code GET /IntelSGXRootCA.der} as DER.</li>
 * </ul>
 * Issuer chains are URL-encoded PEM (spaces as %20). Collateral is valid from the start of the previous UTC day.
 */
@Component(service = IntelPcs.class, immediate = true, configurationPid = "io.teebox.intel.pcs")
@Designate(ocd = PcsConfig.class)
public final class PcsServer implements IntelPcs {

    private static final Logger LOG = Logger.getLogger(PcsServer.class.getName());

    private final IntelAuthority authority;
    private final IntelCollateral collateral;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUrl;

    /**
     * @param config the configuration
     */
    @Activate
    public PcsServer(PcsConfig config) {
        this(config.seed(), config.host(), config.port(), Arrays.asList(config.revokedPpids()), Clock.systemUTC());
    }

    PcsServer(String seed, String host, int port, List<String> revokedPpids, Clock clock) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("io.teebox.intel.pcs: port must be 0..65535, got " + port);
        }
        if (seed == null || seed.isBlank()) {
            throw new IllegalArgumentException("io.teebox.intel.pcs: seed must not be blank");
        }
        for (String p : revokedPpids) {
            if (!p.trim().matches("[0-9a-fA-F]{32}")) {
                throw new IllegalArgumentException("io.teebox.intel.pcs: revoked PPID '" + p
                        + "' is not 32 hex digits");
            }
        }
        this.authority = new IntelAuthority(seed, revokedPpids);
        this.collateral = new IntelCollateral(authority);
        this.clock = clock;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("io.teebox.intel.pcs: cannot listen on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "teebox-intel-pcs");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        baseUrl = URI.create("http://" + hostLiteral(server.getAddress().getAddress().getHostAddress()) + ":"
                + server.getAddress().getPort());
        LOG.fine("emulated Intel PCS listening at " + baseUrl);
    }

    private static String hostLiteral(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    @Deactivate
    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public byte[] rootCaCertificate() {
        return X509Authority.toDer(authority.root());
    }

    @Override
    public List<byte[]> certifyPck(byte[] ppid, byte[] cpuSvn, int pceSvn, byte[] pceId, byte[] fmspc,
            PublicKey pckKey) {
        X509Certificate pck = authority.issuePck(ppid, cpuSvn, pceSvn, pceId, fmspc, pckKey);
        return List.of(X509Authority.toDer(pck), X509Authority.toDer(authority.platformCa()),
                X509Authority.toDer(authority.root()));
    }

    @Override
    public String collateral(String fmspc) {
        return collateral.collateral(checkFmspc(fmspc), clock.instant());
    }

    IntelAuthority authority() {
        return authority;
    }

    private static String checkFmspc(String fmspc) {
        if (fmspc == null || !fmspc.matches("[0-9a-fA-F]{12}")) {
            throw new IllegalArgumentException("FMSPC must be 12 hex digits, got '" + fmspc + "'");
        }
        return fmspc.toLowerCase(Locale.ROOT);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!"GET".equals(x.getRequestMethod())) {
                send(x, 405, "text/plain", "only GET", Map.of());
                return;
            }
            String path = x.getRequestURI().getPath();
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            var now = clock.instant();
            switch (path) {
                case "/sgx/certification/v4/pckcrl" -> {
                    boolean platform = "platform".equals(q.get("ca"));
                    if (!platform && !"processor".equals(q.get("ca"))) {
                        send(x, 400, "text/plain", "ca must be platform or processor", Map.of());
                        return;
                    }
                    var crl = platform ? authority.pckCrl(now) : authority.processorCrl(now);
                    Map<String, String> h = Map.of("SGX-PCK-CRL-Issuer-Chain", encode(platform
                            ? authority.pckCrlIssuerChain() : authority.processorCrlIssuerChain()));
                    if ("der".equals(q.get("encoding"))) {
                        send(x, 200, "application/pkix-crl", X509Authority.toDer(crl), h);
                    } else {
                        send(x, 200, "application/x-pem-file", X509Authority.toPem(crl), h);
                    }
                }
                case "/sgx/certification/v4/rootcacrl" -> send(x, 200, "text/plain",
                        Hex.encode(X509Authority.toDer(authority.rootCrl(now))), Map.of());
                case "/IntelSGXRootCA.der" -> send(x, 200, "application/pkix-crl",
                        X509Authority.toDer(authority.rootCrl(now)), Map.of());
                case "/tdx/certification/v4/tcb" -> {
                    String fmspc = q.get("fmspc");
                    if (fmspc == null || !fmspc.matches("[0-9a-fA-F]{12}")) {
                        send(x, 400, "text/plain", "fmspc must be 12 hex digits", Map.of());
                        return;
                    }
                    send(x, 200, "application/json", collateral.tcbInfoResponse(fmspc.toLowerCase(Locale.ROOT), now),
                            Map.of("TCB-Info-Issuer-Chain", encode(authority.tcbIssuerChain())));
                }
                case "/tdx/certification/v4/qe/identity" -> send(x, 200, "application/json",
                        collateral.qeIdentityResponse(now),
                        Map.of("SGX-Enclave-Identity-Issuer-Chain", encode(authority.tcbIssuerChain())));
                default -> send(x, 404, "text/plain", "no such PCS path: " + path, Map.of());
            }
        } catch (RuntimeException e) {
            LOG.warning("PCS request " + x.getRequestURI() + " failed: " + e);
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

    private static void send(HttpExchange x, int status, String type, String body, Map<String, String> headers)
            throws IOException {
        send(x, status, type, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private static void send(HttpExchange x, int status, String type, byte[] body, Map<String, String> headers)
            throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        headers.forEach((k, v) -> x.getResponseHeaders().set(k, v));
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }
}
