package io.teebox.attestation.service.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.google.gson.JsonObject;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.platform.PlatformState;
import io.teebox.api.tee.Bytes;
import io.teebox.spi.collateral.CollateralSource;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The attestation service on the platform's HTTP server (Felix HTTP on Jetty, loopback by default), under
 * {@value #PREFIX}:
 * <ul>
 * <li>{@code POST /as/v1/challenge} → {@code {"nonce", "expires"}};</li>
 * <li>{@code POST /as/v1/attest}, JSON {@code {"evidence": {"format", "evidence" (base64), "certificates"?},
 * "nonce", "runtime_data"?, "runtime_data_hash_algorithm"?, "policy_id"?, "additional_evidence"?}} →
 * {@code {"token": <EAR JWT>}}, where {@code additional_evidence} maps component names ({@code gpu0}, {@code gpu1})
 * to evidence of the same shape, appraised with {@code evidence} (part {@code cpu0}) into one token with a submod
 * each; or the raw evidence as {@code application/octet-stream} with {@code ?format=&nonce=[&policy_id=]};</li>
 * <li>{@code GET /as/v1/policies} → the policies in force and the files refused;</li>
 * <li>{@code GET /.well-known/jwks.json} (and {@code /as/v1/jwks.json}) → the token signing key.</li>
 * </ul>
 * Refusals are {@code {"type", "detail"}} with their status (400 malformed, 401 bad nonce, 403 evidence not bound,
 * 404, 405, 413); nothing a request does stops the service.
 */
@Component(service = Servlet.class, immediate = true, configurationPid = "io.teebox.attestation.service")
@Designate(ocd = AttestationConfig.class)
@HttpWhiteboardServletPattern({AttestationServlet.PREFIX + "/*", "/.well-known/jwks.json"})
@HttpWhiteboardServletName("teebox attestation service")
public final class AttestationServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(AttestationServlet.class.getName());

    /** The path prefix of the service. */
    static final String PREFIX = "/as/v1";
    /** The largest request body accepted. */
    static final int MAX_BODY = 4 << 20;

    private final transient Map<EvidenceVerifier, String> verifiers = new ConcurrentHashMap<>();
    private final transient Map<CollateralSource, Boolean> emulated = new ConcurrentHashMap<>();
    private final transient AttestationEngine engine;
    private final transient ScheduledExecutorService poller;
    private final transient List<byte[]> configuredRoots;
    private final boolean trustEmulated;
    private transient volatile List<byte[]> emulatedRoots;

    /**
     * @param context the bundle's context (its version is the token's build)
     * @param state where the signing key is kept
     * @param config the configuration
     * @throws IllegalArgumentException for a value out of range or an unreadable root file, naming it
     */
    @Activate
    public AttestationServlet(BundleContext context, @Reference PlatformState state, AttestationConfig config) {
        int poll = range("policies.poll.millis", config.policies_poll_millis(), 100, 60_000);
        int nonceLife = range("nonce.lifetime.seconds", config.nonce_lifetime_seconds(), 1, 86_400);
        int capacity = range("nonce.capacity", config.nonce_capacity(), 1, 1_000_000);
        int tokenLife = range("token.lifetime.seconds", config.token_lifetime_seconds(), 1, 86_400);
        List<byte[]> roots = new ArrayList<>();
        for (String f : config.trusted_roots()) {
            try {
                List<byte[]> certs = AttestationEngine.pemCertificates(Files.readString(Path.of(f),
                        StandardCharsets.US_ASCII));
                if (certs.isEmpty()) {
                    throw new IllegalArgumentException("trusted.roots: " + f + " holds no PEM certificate");
                }
                roots.addAll(certs);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("trusted.roots: cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        this.configuredRoots = List.copyOf(roots);
        this.trustEmulated = config.trust_emulated_roots();
        Clock clock = Clock.systemUTC();
        PolicyDirectory policies = new PolicyDirectory(Path.of(config.policies_directory()), LOG::info,
                LOG::fine);
        policies.scan();
        String build = "teebox attestation-service " + context.getBundle().getVersion();
        this.engine = new AttestationEngine(new Nonces(clock, Duration.ofSeconds(nonceLife), capacity,
                new SecureRandom()), policies, this::verifier, this::formats, this::roots,
                signer(config, state), clock,
                Duration.ofSeconds(tokenLife), build);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "teebox attestation policies");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(() -> {
            try {
                policies.scan();
            } catch (RuntimeException e) {
                LOG.warning("attestation policies: scan failed: " + e);
            }
        }, poll, poll, TimeUnit.MILLISECONDS);
    }

    /**
     * @return the configured key and chain when both are set, else the key kept in the state directory
     * @throws IllegalArgumentException for one of the two set alone, an unreadable file or a key and chain that do
     *         not belong together
     */
    static EarSigner signer(AttestationConfig config, PlatformState state) {
        String key = config.signing_key().strip();
        String certs = config.signing_certificates().strip();
        if (key.isEmpty() != certs.isEmpty()) {
            throw new IllegalArgumentException((key.isEmpty() ? "signing.key" : "signing.certificates")
                    + " is not set: signing.key and signing.certificates go together");
        }
        if (key.isEmpty()) {
            return EarSigner.kept((name, create) -> state.kept("attestation", name, create));
        }
        return EarSigner.configured(read("signing.key", key), read("signing.certificates", certs));
    }

    private static String read(String name, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(name + ": cannot read " + file + ": " + e, e);
        }
    }

    private static int range(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " is " + v + "; accepted: " + min + ".." + max);
        }
        return v;
    }

    @Deactivate
    void stop() {
        poller.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindVerifier(EvidenceVerifier v, Map<String, Object> properties) {
        Object f = properties.get(EvidenceVerifier.FORMAT_PROPERTY);
        verifiers.put(v, f instanceof String s ? s : v.format());
    }

    void unbindVerifier(EvidenceVerifier v) {
        verifiers.remove(v);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(collateral.emulated=true)")
    void bindSource(CollateralSource s) {
        emulated.put(s, Boolean.TRUE);
        emulatedRoots = null;
    }

    void unbindSource(CollateralSource s) {
        emulated.remove(s);
        emulatedRoots = null;
    }

    /** @return the engine, for the shell commands in this bundle's tests */
    AttestationEngine engine() {
        return engine;
    }

    private EvidenceVerifier verifier(String format) {
        return verifiers.entrySet().stream().filter(e -> e.getValue().equals(format)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    private Collection<String> formats() {
        return new TreeSet<>(verifiers.values());
    }

    private List<byte[]> roots() {
        List<byte[]> out = new ArrayList<>(configuredRoots);
        if (trustEmulated) {
            List<byte[]> e = emulatedRoots;
            if (e == null) {
                e = EmulatedRoots.of(emulated.keySet(), LOG::fine);
                emulatedRoots = e;
            }
            out.addAll(e);
        }
        return out;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        try {
            route(req, rsp);
        } catch (Problem p) {
            problem(rsp, p);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "attestation service: " + req.getMethod() + " " + req.getRequestURI()
                    + " failed", e);
            problem(rsp, new Problem(500, "InternalError", e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private void route(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        String path = req.getRequestURI();
        String method = req.getMethod();
        switch (path) {
            case "/.well-known/jwks.json", PREFIX + "/jwks.json" -> {
                allow(method, "GET");
                send(rsp, 200, "application/jwk-set+json", engine.signer().jwks());
            }
            case PREFIX + "/challenge" -> {
                allow(method, "POST");
                send(rsp, 200, "application/json", engine.challenge().toString());
            }
            case PREFIX + "/policies" -> {
                allow(method, "GET");
                send(rsp, 200, "application/json", engine.policiesJson().toString());
            }
            case PREFIX + "/attest" -> {
                allow(method, "POST");
                byte[] body = body(req);
                String type = req.getContentType() == null ? "" : req.getContentType().toLowerCase();
                String token;
                if (type.startsWith("application/octet-stream")) {
                    String format = param(req, "format");
                    String nonce = param(req, "nonce");
                    token = engine.attest(new Evidence(format, body, List.of(), Map.of()), nonce, null,
                            req.getParameter("runtime_data_hash_algorithm"), req.getParameter("policy_id"));
                } else {
                    token = engine.attest(new String(body, StandardCharsets.UTF_8));
                }
                JsonObject o = new JsonObject();
                o.addProperty("token", token);
                send(rsp, 200, "application/json", o.toString());
            }
            default -> throw new Problem(404, "NotFound", "no resource " + path + "; the service answers POST "
                    + PREFIX + "/challenge, POST " + PREFIX + "/attest, GET " + PREFIX + "/policies and GET "
                    + "/.well-known/jwks.json");
        }
    }

    private static String param(HttpServletRequest req, String name) {
        String v = req.getParameter(name);
        if (v == null || v.isEmpty()) {
            throw Problem.malformed("query parameter " + name + " is missing (raw evidence as "
                    + "application/octet-stream takes ?format=...&nonce=...)");
        }
        return v;
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new Problem(405, "MethodNotAllowed", method + " is not allowed here; use " + allowed);
        }
    }

    private static byte[] body(HttpServletRequest req) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > MAX_BODY) {
            throw new Problem(413, "RequestTooLarge", "the body is " + declared + " bytes; at most " + MAX_BODY);
        }
        try (InputStream in = req.getInputStream()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new Problem(413, "RequestTooLarge", "the body is over " + MAX_BODY + " bytes");
            }
            if (b.length == 0) {
                throw Problem.malformed("the request body is empty");
            }
            return b;
        }
    }

    private static void problem(HttpServletResponse rsp, Problem p) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("type", p.type());
        o.addProperty("detail", p.getMessage());
        send(rsp, p.status, "application/json", o.toString());
    }

    private static void send(HttpServletResponse rsp, int status, String type, String body) throws IOException {
        byte[] b = (body + "\n").getBytes(StandardCharsets.UTF_8);
        rsp.setStatus(status);
        rsp.setContentType(type);
        rsp.setHeader("Cache-Control", "no-store");
        rsp.setContentLength(b.length);
        rsp.getOutputStream().write(b);
    }

    /** @return the bytes as base64, for messages */
    static String b64(Bytes b) {
        return Base64.getEncoder().encodeToString(b.value());
    }
}
