package io.teebox.attestation.gcp.internal;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Google's Confidential Computing API on the platform's HTTP server, under {@value #PREFIX}:
 * <ul>
 * <li>{@code POST /v1/projects/<p>/locations/<l>/challenges} → a Challenge;</li>
 * <li>{@code POST /v1/projects/<p>/locations/<l>/challenges/<id>:verifyAttestation} → {@code {oidcClaimsToken}};</li>
 * <li>{@code GET /.well-known/openid-configuration}, {@code GET /.well-known/jwks} and
 * {@code GET /.well-known/attestation-pki-root} (PEM).</li>
 * </ul>
 * Refusals are Google's {@code {"error": {code, message, status}}}.
 */
@Component(service = Servlet.class, immediate = true)
@HttpWhiteboardServletPattern(GcpServlet.PREFIX + "/*")
@HttpWhiteboardServletName("teebox GCP confidential computing")
public final class GcpServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String PREFIX = "/gcp";
    private static final Pattern CREATE = Pattern.compile("/v1/projects/([^/]+)/locations/([^/]+)/challenges");
    private static final Pattern VERIFY = Pattern.compile("/v1/(projects/[^/]+/locations/[^/]+/challenges/[^/:]+)"
            + ":verifyAttestation");
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private final transient GcpServices services;

    /** @param services the project's services */
    @Activate
    public GcpServlet(@Reference GcpServices services) {
        this.services = services;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        Http.serve("gcp", req, rsp, this::route);
    }

    private void route(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        String path = req.getRequestURI();
        String rest = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path;
        ConfidentialComputing cc = services.attestation();
        Matcher m;
        if ((m = CREATE.matcher(rest)).matches()) {
            Http.allow(req, "POST");
            Http.json(req);
            Http.send(rsp, 200, "application/json", cc.createChallenge(m.group(1), m.group(2)).toString());
        } else if ((m = VERIFY.matcher(rest)).matches()) {
            Http.allow(req, "POST");
            String token = cc.verifyAttestation(m.group(1), Http.json(req));
            JsonObject o = new JsonObject();
            o.addProperty("oidcClaimsToken", token);
            o.add("partialErrors", new com.google.gson.JsonArray());
            Http.send(rsp, 200, "application/json", o.toString());
        } else if (rest.equals("/.well-known/openid-configuration")) {
            Http.allow(req, "GET");
            Http.send(rsp, 200, "application/json", PRETTY.toJson(discovery(base(req))));
        } else if (rest.equals("/.well-known/jwks")) {
            Http.allow(req, "GET");
            Http.send(rsp, 200, "application/json", cc.signer().jwks());
        } else if (rest.equals("/.well-known/attestation-pki-root")) {
            Http.allow(req, "GET");
            Http.send(rsp, 200, "application/x-pem-file", cc.signer().rootPem());
        } else {
            throw GcpError.notFound(req.getMethod() + " " + path + " is not served here (see POST " + PREFIX
                    + "/v1/projects/<p>/locations/<l>/challenges)");
        }
    }

    private static String base(HttpServletRequest req) {
        return req.getScheme() + "://" + req.getServerName() + ":" + req.getServerPort() + PREFIX;
    }

    /** The OIDC discovery document: Google's issuer, and the JWKS where this teebox serves it. */
    static JsonObject discovery(String base) {
        JsonObject o = new JsonObject();
        o.addProperty("issuer", ConfidentialComputing.ISSUER);
        o.addProperty("jwks_uri", base + "/.well-known/jwks");
        o.add("response_types_supported", array(List.of("id_token")));
        o.add("subject_types_supported", array(List.of("public")));
        o.add("id_token_signing_alg_values_supported", array(List.of("RS256")));
        o.add("scopes_supported", array(List.of("openid")));
        o.add("claims_supported", array(List.of("sub", "aud", "exp", "iat", "iss", "nbf", "eat_nonce", "eat_profile",
                "hwmodel", "swname", "swversion", "secboot", "oemid", "dbgstat", "attester_tcb", "submods")));
        return o;
    }

    private static com.google.gson.JsonArray array(List<String> l) {
        com.google.gson.JsonArray a = new com.google.gson.JsonArray();
        l.forEach(a::add);
        return a;
    }
}
