package io.teebox.attestation.azure.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.google.gson.JsonObject;

import io.teebox.api.platform.HttpEndpoint;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Azure's services on the platform's HTTP server:
 * <ul>
 * <li>{@code POST /maa/attest/SevSnpVm?api-version=2022-08-01} {@code {report, runtimeData: {data, dataType},
 * nonce?}} → {@code {"token": <RS256 JWT>}}; {@code GET /maa/certs} → the JWKS;</li>
 * <li>{@code POST /akv/keys/<name>/create?api-version=7.3} (admin bearer) → the {@code KeyBundle};
 * {@code POST /akv/keys/<name>[/<version>]/release?api-version=7.3} {@code {target, nonce?, enc?}} →
 * {@code {"value": <JWS>}}.</li>
 * </ul>
 * Refusals are {@code {"error": {"code", "message"}}} with Key Vault's statuses.
 */
@Component(service = Servlet.class, immediate = true)
@HttpWhiteboardServletPattern({Maa.PREFIX + "/*", KeyVault.PREFIX + "/*"})
@HttpWhiteboardServletName("teebox Azure attestation and key vault")
public final class AzureServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(AzureServlet.class.getName());
    static final int MAX_BODY = 1 << 20;

    private final transient Maa maa;
    private final transient KeyVault vault;
    private final transient HttpEndpoint endpoint;

    /**
     * @param maa the attestation instance
     * @param vault the key vault
     * @param endpoint the platform's HTTP server (the URLs in key ids)
     */
    @Activate
    public AzureServlet(@Reference Maa maa, @Reference KeyVault vault, @Reference HttpEndpoint endpoint) {
        this.maa = maa;
        this.vault = vault;
        this.endpoint = endpoint;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        try {
            route(req, rsp);
        } catch (KeyVaultError e) {
            send(rsp, e.status, e.body());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "azure: " + req.getMethod() + " " + req.getRequestURI() + " failed", e);
            send(rsp, 500, new KeyVaultError(500, "InternalError", e.getClass().getSimpleName() + ": "
                    + e.getMessage()).body());
        }
    }

    private void route(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        String path = req.getRequestURI();
        String method = req.getMethod();
        if (path.equals(Maa.PREFIX + "/certs")) {
            allow(method, "GET");
            send(rsp, 200, maa.jwks());
        } else if (path.equals(Maa.PREFIX + "/attest/SevSnpVm")) {
            allow(method, "POST");
            version(req, "2022-08-01");
            JsonObject o = new JsonObject();
            o.addProperty("token", maa.attest(body(req)));
            send(rsp, 200, o.toString());
        } else if (path.startsWith(KeyVault.PREFIX + "/keys/")) {
            String[] p = path.substring((KeyVault.PREFIX + "/keys/").length()).split("/", -1);
            allow(method, "POST");
            version(req, "7.3");
            if (p.length == 2 && p[1].equals("create")) {
                vault.authorize(req.getHeader("Authorization"));
                send(rsp, 200, vault.create(p[0], body(req), endpoint.baseUrl()).toString());
            } else if (p.length == 2 && p[1].equals("release") || p.length == 3 && p[2].equals("release")) {
                KeyVault.Released r = vault.release(p[0], p.length == 3 ? p[1] : null, body(req), endpoint
                        .baseUrl());
                JsonObject o = new JsonObject();
                o.addProperty("value", r.value());
                send(rsp, 200, o.toString());
            } else {
                throw new KeyVaultError(404, "NotFound", method + " " + path + " is not served; use "
                        + "/akv/keys/<name>/create or /akv/keys/<name>[/<version>]/release");
            }
        } else {
            throw new KeyVaultError(404, "NotFound", path + " is not served; see /maa/attest/SevSnpVm, /maa/certs, "
                    + "/akv/keys/<name>/...");
        }
    }

    private static void version(HttpServletRequest req, String expected) {
        String v = req.getParameter("api-version");
        if (v == null) {
            throw new KeyVaultError(400, "MissingApiVersionParameter", "The api-version query parameter "
                    + "(?api-version=) is required for all requests; this service speaks " + expected);
        }
        if (!v.equals(expected) && !(expected.equals("7.3") && v.matches("7\\.[3-9].*"))) {
            throw new KeyVaultError(400, "BadParameter", "api-version is '" + v + "'; this service speaks "
                    + expected);
        }
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new KeyVaultError(405, "MethodNotAllowed", method + " is not allowed here; use " + allowed);
        }
    }

    private static String body(HttpServletRequest req) throws IOException {
        try (InputStream in = req.getInputStream()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new KeyVaultError(413, "RequestTooLarge", "the request body is over " + MAX_BODY + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private static void send(HttpServletResponse rsp, int status, String body) throws IOException {
        rsp.setStatus(status);
        rsp.setContentType("application/json");
        rsp.setCharacterEncoding("UTF-8");
        rsp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }
}
