package io.teebox.amd.snp.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.Locale;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

/**
 * AMD's Key Distribution Service, served by the platform's HTTP server (Felix HTTP on Jetty, loopback by default)
 * at the KDS URL paths, so verifiers that fetch from KDS can point at teebox:
 * {@code /vcek/v1/{product}/{hwid}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=} (DER VCEK), {@code /vcek/v1/{product}/cert_chain}
 * (PEM: ASK then ARK) and {@code /vcek/v1/{product}/crl} (DER CRL by the ARK). Jetty's selectors hold idle and
 * half-open connections without a thread each and drop them after the configured idle timeout, so slow clients
 * cannot starve the service.
 */
@Component(service = {jakarta.servlet.Servlet.class, KdsServer.class}, immediate = true)
@org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern("/vcek/v1/*")
@org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName("teebox AMD KDS")
public final class KdsServer extends jakarta.servlet.http.HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient AmdSecureProcessor sp;
    private final transient HttpEndpoint endpoint;

    /**
     * @param sp the secure processor whose keys are served
     * @param endpoint where the platform's HTTP server listens
     */
    @Activate
    public KdsServer(@Reference AmdSecureProcessor sp, @Reference HttpEndpoint endpoint) {
        this.sp = sp;
        this.endpoint = endpoint;
    }

    /** @return the base URL, for example {@code http://127.0.0.1:8440} */
    public String baseUrl() {
        return endpoint.baseUrl();
    }

    @Override
    protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse rsp)
            throws IOException {
        String path = req.getRequestURI();
        try {
            String[] parts = path.split("/");
            // "", "vcek", "v1", product, what
            if (parts.length != 5) {
                send(rsp, 404, "text/plain", ("no such KDS resource: " + path).getBytes(StandardCharsets.UTF_8));
                return;
            }
            AmdKeyHierarchy keys = sp.keys();
            if (!parts[3].equals(keys.productLine())) {
                send(rsp, 404, "text/plain", ("this KDS serves " + keys.productLine() + ", not " + parts[3])
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (parts[4]) {
                case "cert_chain" -> send(rsp, 200, "application/x-pem-file",
                        X509Authority.toPem(keys.ask(), keys.ark()).getBytes(StandardCharsets.US_ASCII));
                case "crl" -> send(rsp, 200, "application/pkix-crl", X509Authority.toDer(arkCrl(keys)));
                default -> vcek(rsp, keys, parts[4], req);
            }
        } catch (RuntimeException | CertificateEncodingException e) {
            send(rsp, 400, "text/plain", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
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

    private void vcek(jakarta.servlet.http.HttpServletResponse rsp, AmdKeyHierarchy keys, String hwid,
            jakarta.servlet.http.HttpServletRequest req) throws IOException, CertificateEncodingException {
        if (!hwid.toLowerCase(Locale.ROOT).equals(Hex.encode(keys.chipId()))
                && !hwid.toLowerCase(Locale.ROOT).equals(Hex.encode(java.util.Arrays.copyOf(keys.chipId(), 8)))) {
            send(rsp, 404, "text/plain", "unknown hwid".getBytes(StandardCharsets.UTF_8));
            return;
        }
        TcbVersion tcb = TcbVersions.encode(keys.productLine(), spl(req, "fmcSPL"), spl(req, "blSPL"),
                spl(req, "teeSPL"), spl(req, "snpSPL"), spl(req, "ucodeSPL"));
        send(rsp, 200, "application/pkix-cert", keys.vcek(tcb).getEncoded());
    }

    private static int spl(jakarta.servlet.http.HttpServletRequest req, String name) {
        String v = req.getParameter(name);
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

    private static void send(jakarta.servlet.http.HttpServletResponse rsp, int status, String type, byte[] body)
            throws IOException {
        rsp.setStatus(status);
        rsp.setContentType(type);
        rsp.setContentLength(body.length);
        rsp.getOutputStream().write(body);
    }
}
