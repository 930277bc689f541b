package io.teebox.amd.snp.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

/**
 * AMD's Key Distribution Service on loopback, at the KDS URL paths, so verifiers that fetch from KDS can point at
 * teebox: {@code /vcek/v1/{product}/{hwid}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=} (DER VCEK),
 * {@code /vcek/v1/{product}/cert_chain} (PEM: ASK then ARK) and {@code /vcek/v1/{product}/crl} (DER CRL by the ARK).
 */
@Component(service = KdsServer.class, immediate = true, configurationPid = "io.teebox.amd.kds")
@Designate(ocd = KdsServer.Config.class)
public final class KdsServer {

    private static final Logger LOG = Logger.getLogger(KdsServer.class.getName());

    /** Configuration (pid {@code io.teebox.amd.kds}). */
    @ObjectClassDefinition(name = "teebox AMD KDS", description = "The emulated AMD Key Distribution Service on "
            + "loopback")
    public @interface Config {
        /** @return the port */
        @AttributeDefinition(name = "Port", description = "TCP port on 127.0.0.1; 0 picks a free one (shown by "
                + "tee:backend sev-snp)", min = "0", max = "65535")
        int port() default 0;
    }

    private final AmdSecureProcessor sp;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    /**
     * @param sp the secure processor whose keys are served
     * @param config the configuration
     * @throws IOException if the port cannot be bound
     */
    @Activate
    public KdsServer(@Reference AmdSecureProcessor sp, Config config) throws IOException {
        if (config.port() < 0 || config.port() > 65535) {
            throw new IllegalArgumentException("io.teebox.amd.kds: port must be 0..65535, got " + config.port());
        }
        this.sp = sp;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 16);
        server.createContext("/vcek/v1/", this::handle);
        server.setExecutor(pool);
        server.start();
        LOG.info("AMD KDS emulation at " + baseUrl());
    }

    /** @return the base URL, for example {@code http://127.0.0.1:41234} */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Deactivate
    public void stop() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            URI uri = ex.getRequestURI();
            String[] parts = uri.getPath().split("/");
            // "", "vcek", "v1", product, what
            if (!"GET".equals(ex.getRequestMethod()) || parts.length != 5) {
                send(ex, 404, "text/plain", ("no such KDS resource: " + uri.getPath()).getBytes(StandardCharsets.UTF_8));
                return;
            }
            AmdKeyHierarchy keys = sp.keys();
            if (!parts[3].equals(keys.productLine())) {
                send(ex, 404, "text/plain", ("this KDS serves " + keys.productLine() + ", not " + parts[3])
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (parts[4]) {
                case "cert_chain" -> send(ex, 200, "application/x-pem-file",
                        X509Authority.toPem(keys.ask(), keys.ark()).getBytes(StandardCharsets.US_ASCII));
                case "crl" -> send(ex, 200, "application/pkix-crl", X509Authority.toDer(arkCrl(keys)));
                default -> vcek(ex, keys, parts[4], query(uri));
            }
        } catch (RuntimeException | CertificateEncodingException e) {
            send(ex, 400, "text/plain", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The CRL the KDS serves for a product: signed by the ARK (RSASSA-PSS with AMD's parameters), revoking nothing.
     * The SNP backend attaches the same CRL to its evidence.
     *
     * @param keys the product's key hierarchy
     * @return the CRL
     */
    static java.security.cert.X509CRL arkCrl(AmdKeyHierarchy keys) {
        return keys.arkAuthority().crl().crlNumber(BigInteger.ONE).validity(Instant.parse("2025-01-01T00:00:00Z"),
                Instant.parse("2045-01-01T00:00:00Z")).signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT)
                .build();
    }

    private void vcek(HttpExchange ex, AmdKeyHierarchy keys, String hwid, Map<String, String> q)
            throws IOException, CertificateEncodingException {
        if (!hwid.toLowerCase(Locale.ROOT).equals(Hex.encode(keys.chipId()))
                && !hwid.toLowerCase(Locale.ROOT).equals(Hex.encode(java.util.Arrays.copyOf(keys.chipId(), 8)))) {
            send(ex, 404, "text/plain", "unknown hwid".getBytes(StandardCharsets.UTF_8));
            return;
        }
        TcbVersion tcb = TcbVersions.encode(keys.productLine(), spl(q, "fmcSPL"), spl(q, "blSPL"), spl(q, "teeSPL"),
                spl(q, "snpSPL"), spl(q, "ucodeSPL"));
        send(ex, 200, "application/pkix-cert", keys.vcek(tcb).getEncoded());
    }

    private static int spl(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) {
            if (name.equals("fmcSPL")) {
                return 0;
            }
            throw new IllegalArgumentException("query parameter " + name + " is missing");
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("query parameter " + name + "='" + v + "' is not a number");
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                int i = kv.indexOf('=');
                if (i > 0) {
                    out.put(kv.substring(0, i), kv.substring(i + 1));
                }
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
