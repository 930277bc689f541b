package io.teebox.nvidia.rim.internal;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.platform.PlatformState;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.lang.Lazy;
import io.teebox.nvidia.rim.NvidiaServices;
import io.teebox.nvidia.rim.RimContent;
import io.teebox.nvidia.rim.RimSigner;
import io.teebox.spi.collateral.CollateralSource;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * NVIDIA's services, emulated, on the platform's HTTP server:
 * <ul>
 * <li>the RIM service at {@code <base>/nvidia/rim/v1/rim/{id}} ({@link #rimServiceUrl()} is {@code <base>/nvidia/rim};
 * NVIDIA's is {@code https://rim.attestation.nvidia.com} with the same {@code /v1/rim/{id}} suffix), answering JSON
 * {@code {"id", "rim": base64 XML, "sha256": hex of the XML, "last_updated", "rim_format": "SWID"}}, 404 with a
 * one-line JSON reason for an unknown id;</li>
 * <li>the OCSP responder at {@code <base>/nvidia/ocsp} (POST {@code application/ocsp-request}, or GET
 * {@code <base>/nvidia/ocsp/<url-encoded base64 request>} as RFC 6960 A.1 allows; base64url is accepted too, since
 * Jetty refuses the {@code %2F} an encoded standard-base64 '/' becomes);</li>
 * <li>the same, in-process, as the collateral source {@code collateral.vendor=nvidia}: kind {@code "rim"} with key
 * {@code id} (the JSON), kind {@code "ocsp"} with key {@code request} (base64 DER; the DER response), kind
 * {@code "trust_anchors"} (PEM: the device-identity and reference-value roots, for relying parties that trust this
 * machine's emulated vendors).</li>
 * </ul>
 * The PKI's authorities are made on first use and kept in the platform's state ({@code nvidia/...}); published RIMs
 * are kept in {@code <state>/nvidia/rims/<id>.swidtag}, revocations in {@code <state>/nvidia/revoked}, and the
 * provisioned GPUs' BROM certificates are listed in
 * {@code <state>/nvidia/broms/} so the OCSP responder knows them after a restart.
 */
@Component(service = {NvidiaServices.class, Servlet.class, CollateralSource.class}, immediate = true,
        property = {CollateralSource.VENDOR + "=nvidia", "collateral.emulated=true"})
@HttpWhiteboardServletPattern({NvidiaServicesImpl.RIM_PATH + "/v1/rim/*", NvidiaServicesImpl.OCSP_PATH,
    NvidiaServicesImpl.OCSP_PATH + "/*"})
@HttpWhiteboardServletName("teebox NVIDIA RIM service and OCSP responder")
public final class NvidiaServicesImpl extends HttpServlet implements NvidiaServices, CollateralSource {

    private static final long serialVersionUID = 1L;
    /** The RIM service's path under the platform's base URL. */
    static final String RIM_PATH = "/nvidia/rim";
    /** The OCSP responder's path. */
    static final String OCSP_PATH = "/nvidia/ocsp";
    /** The largest OCSP request read (NVIDIA's are about 120 bytes). */
    static final int MAX_REQUEST = 64 * 1024;
    static final String OCSP_REQUEST = "application/ocsp-request";

    private final transient NvidiaPki pki;
    private final transient OcspResponder ocsp;
    private final transient Lazy<RimStore> store;
    private final transient Supplier<String> baseUrl;
    private final transient Clock clock;

    /**
     * @param state where the PKI and the published RIMs are kept
     * @param endpoint where the platform's HTTP server listens
     */
    @Activate
    public NvidiaServicesImpl(@Reference PlatformState state, @Reference HttpEndpoint endpoint) {
        this((name, create) -> state.kept("nvidia", name, create), state.directory().resolve("nvidia"),
                endpoint::baseUrl, Clock.systemUTC());
    }

    /**
     * @param keeper where the PKI is kept
     * @param dir where published RIMs ({@code rims/}), revocations ({@code revoked}) and the list of provisioned BROM
     *            certificates ({@code broms/}) are kept, or null for memory only
     * @param baseUrl the HTTP server's base URL
     * @param clock the time of OCSP answers
     */
    public NvidiaServicesImpl(NvidiaPki.Keeper keeper, Path dir, Supplier<String> baseUrl, Clock clock) {
        this.pki = new NvidiaPki(keeper, dir == null ? null : dir.resolve("broms"));
        this.ocsp = new OcspResponder(pki, dir == null ? null : dir.resolve("revoked"));
        this.store = Lazy.of(() -> new RimStore(dir == null ? null : dir.resolve("rims")));
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    @Override
    public List<X509Certificate> provision(PublicKey deviceIdentityKey, BigInteger serial) {
        return pki.provision(deviceIdentityKey, serial);
    }

    @Override
    public X509Certificate deviceRoot() {
        return pki.deviceRoot().certificate();
    }

    @Override
    public X509Certificate rimRoot() {
        return pki.rimRoot().certificate();
    }

    @Override
    public byte[] publish(RimContent rim) {
        return store.get().publish(rim, new RimSigner(pki.rimSigner().privateKey(), pki.rimChain()));
    }

    @Override
    public String rimServiceUrl() {
        return baseUrl.get() + RIM_PATH;
    }

    @Override
    public String ocspUrl() {
        return baseUrl.get() + OCSP_PATH;
    }

    @Override
    public void revoke(BigInteger serial) {
        ocsp.revoke(serial);
    }

    /** @return the PKI (tests, and the shell) */
    NvidiaPki pki() {
        return pki;
    }

    // ------------------------------------------------------------------ collateral source

    /**
     * @return empty for kinds other than {@code rim}, {@code ocsp} and {@code trust_anchors}
     * @throws IllegalArgumentException for a bad id or bad base64
     */
    @Override
    public Optional<Bytes> fetch(String kind, Map<String, String> key) {
        switch (kind) {
            case "rim" -> {
                String id = key.get("id");
                RimStore.checkId(id);
                return store.get().get(id).map(e -> Bytes.of(e.json().getBytes(StandardCharsets.UTF_8)));
            }
            case "ocsp" -> {
                String req = key.get("request");
                if (req == null) {
                    throw new IllegalArgumentException("ocsp: key \"request\" (base64 DER OCSPRequest) is missing");
                }
                return Optional.of(Bytes.of(ocsp.answer(base64("ocsp request", req), clock.instant())));
            }
            case "trust_anchors" -> {
                // the roots a relying party trusts for what these services vouch for: the device identity root and
                // the reference-value root, PEM
                return Optional.of(Bytes.of(io.teebox.kit.x509.X509Authority.toPem(deviceRoot(), rimRoot())
                        .getBytes(StandardCharsets.US_ASCII)));
            }
            default -> {
                // another vendor's kind (a verifier asks every source): none here, as the SPI says
                return Optional.empty();
            }
        }
    }

    @Override
    public String describe() {
        return baseUrl.get() + "/nvidia";
    }

    private static byte[] base64(String what, String text) {
        try {
            return Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            try {
                return Base64.getUrlDecoder().decode(text.trim());
            } catch (IllegalArgumentException e2) {
                throw new IllegalArgumentException(what + " is not base64: " + e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ HTTP

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        String path = req.getRequestURI();
        String rimPrefix = req.getContextPath() + RIM_PATH + "/v1/rim/";
        String ocspPrefix = req.getContextPath() + OCSP_PATH + "/";
        if (path.startsWith(rimPrefix)) {
            String id = URLDecoder.decode(path.substring(rimPrefix.length()), StandardCharsets.UTF_8);
            if (!RimStore.ID.matcher(id).matches()) {
                error(rsp, 400, "bad_request", "\"" + id + "\" is not a RIM id");
                return;
            }
            Optional<RimStore.Entry> e = store.get().get(id);
            if (e.isEmpty()) {
                error(rsp, 404, "not_found", "no RIM with id " + id);
                return;
            }
            send(rsp, 200, "application/json", e.get().json().getBytes(StandardCharsets.UTF_8));
        } else if (path.startsWith(ocspPrefix)) {
            byte[] der;
            try {
                der = base64("the OCSP GET path", URLDecoder.decode(path.substring(ocspPrefix.length()),
                        StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                error(rsp, 400, "bad_request", e.getMessage());
                return;
            }
            send(rsp, 200, "application/ocsp-response", ocsp.answer(der, clock.instant()));
        } else {
            error(rsp, 404, "not_found", "no such NVIDIA service resource: " + path);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        // read the body before any refusal, so the connection stays usable for the client's next request
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(MAX_REQUEST + 1);
        }
        if (!req.getRequestURI().equals(req.getContextPath() + OCSP_PATH)) {
            error(rsp, 405, "method_not_allowed", "POST is for " + OCSP_PATH + " only");
            return;
        }
        String type = req.getContentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith(OCSP_REQUEST)) {
            error(rsp, 415, "unsupported_media_type", "Content-Type is " + type + ", expected " + OCSP_REQUEST);
            return;
        }
        if (body.length > MAX_REQUEST) {
            error(rsp, 413, "too_large", "the OCSP request exceeds " + MAX_REQUEST + " bytes");
            return;
        }
        send(rsp, 200, "application/ocsp-response", ocsp.answer(body, clock.instant()));
    }

    private static void error(HttpServletResponse rsp, int status, String type, String detail) throws IOException {
        String json = "{\"type\":\"" + type + "\",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"}";
        send(rsp, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpServletResponse rsp, int status, String type, byte[] body) throws IOException {
        rsp.setStatus(status);
        rsp.setContentType(type);
        rsp.setContentLength(body.length);
        rsp.getOutputStream().write(body);
    }
}
