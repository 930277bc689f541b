package io.teebox.kbs.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import io.teebox.attestation.api.AttestationPolicies;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The key broker on the platform's HTTP server, Trustee's paths under {@value #PREFIX}:
 * <ul>
 * <li>{@code POST /auth} {@code {version, tee, extra-params}} → {@code {nonce, extra-params}} and
 * {@code Set-Cookie: kbs-session-id=...};</li>
 * <li>{@code POST /attest} {@code {runtime-data: {nonce, tee-pubkey}, tee-evidence}} with the cookie →
 * {@code {token}};</li>
 * <li>{@code GET /resource/<repository>/<type>/<tag>} with the cookie or {@code Authorization: Bearer <token>} → the
 * secret as a flattened JWE;</li>
 * <li>admin, {@code Authorization: Bearer <admin JWT>}: {@code POST /resource/<path>} (the body is the secret),
 * {@code GET /admin/resource/<path>}, {@code GET /admin/resources}, {@code GET|POST /resource-policy}
 * ({@code {"policy": base64}}, as Trustee's), {@code GET|POST /attestation-policy} and {@code GET|POST
 * /reference-value} (see {@link PolicyAdmin});</li>
 * <li>{@code GET /healthz}.</li>
 * </ul>
 * Refusals are Trustee's {@code {type, detail}}: 403 for a policy denial, 404 for a path not served, 413 for a body
 * over 4 MiB, 401 for everything else (malformed requests included), as Trustee answers.
 */
@Component(service = Servlet.class, immediate = true)
@HttpWhiteboardServletPattern(KbsServlet.PREFIX + "/*")
@HttpWhiteboardServletName("teebox key broker")
public final class KbsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(KbsServlet.class.getName());

    static final String PREFIX = "/kbs/v0";
    static final String COOKIE = "kbs-session-id";
    static final int MAX_BODY = 4 << 20;

    private final transient Broker broker;
    private final transient PolicyAdmin attestation;

    /**
     * @param broker the broker
     * @param policies the attestation service's policies, for the admin API's attestation-policy and reference-value
     */
    @Activate
    public KbsServlet(@Reference Broker broker, @Reference AttestationPolicies policies) {
        this.broker = broker;
        this.attestation = new PolicyAdmin(policies);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        try {
            route(req, rsp);
        } catch (KbsProblem p) {
            problem(rsp, p);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "key broker: " + req.getMethod() + " " + req.getRequestURI() + " failed", e);
            problem(rsp, new KbsProblem(500, "InternalError", e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private void route(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        String path = req.getRequestURI();
        String rest = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path;
        String method = req.getMethod();
        String auth = req.getHeader("Authorization");
        if (rest.equals("/auth")) {
            allow(method, "POST");
            Broker.Auth a = broker.auth(body(req));
            cookie(rsp, a.session());
            send(rsp, 200, "application/json", a.challenge().toString());
        } else if (rest.equals("/attest")) {
            allow(method, "POST");
            Sessions.Session s = broker.sessions().get(cookie(req));
            String token = broker.attest(s.id, body(req));
            cookie(rsp, s);
            JsonObject o = new JsonObject();
            o.addProperty("token", token);
            send(rsp, 200, "application/json", o.toString());
        } else if (rest.startsWith("/resource/")) {
            ResourcePath p = ResourcePath.parse(rest.substring("/resource/".length()));
            if (method.equals("GET")) {
                send(rsp, 200, "application/json", broker.resource(cookie(req), auth, p).toString());
            } else if (method.equals("POST") || method.equals("PUT")) {
                broker.admin().check(auth);
                byte[] value = bytes(req);
                broker.setResource(p, value);
                LOG.info("key broker: resource " + p + " set (" + value.length + " bytes)");
                send(rsp, 200, "application/json", "{\"resource\":\"" + p + "\",\"bytes\":" + value.length + "}");
            } else {
                throw KbsProblem.path(method + " " + path + " is not served; use GET, or POST as admin");
            }
        } else if (rest.equals("/resource-policy")) {
            broker.admin().check(auth);
            if (method.equals("GET")) {
                send(rsp, 200, "application/json", broker.policy());
            } else {
                allow(method, "POST");
                JsonObject o = Broker.object(body(req), "the policy request");
                if (!(o.get("policy") instanceof JsonPrimitive pol && pol.isString())) {
                    throw KbsProblem.invalid("policy is missing: send {\"policy\": <base64 of the policy JSON>}");
                }
                broker.setPolicy(Broker.utf8(Broker.base64(pol.getAsString(), "policy")));
                send(rsp, 200, "application/json", broker.policy());
            }
        } else if (rest.equals("/attestation-policy") || rest.startsWith("/attestation-policy/")) {
            broker.admin().check(auth);
            if (method.equals("GET")) {
                send(rsp, 200, "application/json", rest.equals("/attestation-policy") ? attestation.list().toString()
                        : attestation.get(rest.substring("/attestation-policy/".length())).strip());
            } else {
                allow(method, "POST");
                if (!rest.equals("/attestation-policy")) {
                    throw KbsProblem.path("POST " + PREFIX + "/attestation-policy with {type, policy_id, policy}");
                }
                String id = attestation.set(body(req));
                LOG.info("key broker: attestation policy " + id + " set");
                send(rsp, 200, "application/json", attestation.get(id).strip());
            }
        } else if (rest.equals("/reference-value")) {
            broker.admin().check(auth);
            if (method.equals("GET")) {
                send(rsp, 200, "application/json", attestation.referenceValues().toString());
            } else {
                allow(method, "POST");
                send(rsp, 200, "application/json", attestation.setReferenceValue(body(req)).toString());
            }
        } else if (rest.equals("/admin/resources")) {
            broker.admin().check(auth);
            allow(method, "GET");
            JsonArray a = new JsonArray();
            broker.resources().forEach(a::add);
            send(rsp, 200, "application/json", a.toString());
        } else if (rest.startsWith("/admin/resource/")) {
            broker.admin().check(auth);
            allow(method, "GET");
            byte[] v = broker.getResource(ResourcePath.parse(rest.substring("/admin/resource/".length())));
            rsp.setStatus(200);
            rsp.setContentType("application/octet-stream");
            rsp.setHeader("Cache-Control", "no-store");
            rsp.setContentLength(v.length);
            rsp.getOutputStream().write(v);
        } else if (rest.equals("/healthz")) {
            allow(method, "GET");
            send(rsp, 200, "application/json", "{\"status\":\"ok\",\"store\":" + new JsonPrimitive(broker.store()
                    .describe()) + "}");
        } else {
            throw KbsProblem.path("no resource " + path + "; the broker answers POST " + PREFIX
                    + "/auth, POST " + PREFIX + "/attest and GET " + PREFIX + "/resource/<repository>/<type>/<tag>");
        }
    }

    private static String cookie(HttpServletRequest req) {
        Cookie[] cs = req.getCookies();
        if (cs != null) {
            for (Cookie c : cs) {
                if (COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private void cookie(HttpServletResponse rsp, Sessions.Session s) {
        rsp.addHeader("Set-Cookie", COOKIE + "=" + s.id + "; Path=" + PREFIX + "; Max-Age="
                + broker.sessions().lifetime().toSeconds() + "; HttpOnly");
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw KbsProblem.path(method + " is not served here; use " + allowed);
        }
    }

    private static String body(HttpServletRequest req) throws IOException {
        return new String(bytes(req), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(HttpServletRequest req) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > MAX_BODY) {
            throw new KbsProblem(413, "RequestTooLarge", "the body is " + declared + " bytes; at most " + MAX_BODY);
        }
        try (InputStream in = req.getInputStream()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new KbsProblem(413, "RequestTooLarge", "the body is over " + MAX_BODY + " bytes");
            }
            if (b.length == 0) {
                throw KbsProblem.invalid("the request body is empty");
            }
            return b;
        }
    }

    private static void problem(HttpServletResponse rsp, KbsProblem p) throws IOException {
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

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
