package io.teebox.attestation.gcp.internal;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import com.google.gson.JsonObject;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Cloud KMS's key paths under {@value #PREFIX}: {@code POST /v1/<key>:encrypt}, {@code POST /v1/<key>:decrypt}
 * (with {@code Authorization: Bearer <attestation token>}) and {@code GET /v1/<key>} (its name, purpose and
 * condition, never its material). Keys are made from the shell ({@code gcp:key}) or by {@code scenario:gcp}, as the
 * project's owner.
 */
@Component(service = Servlet.class, immediate = true)
@HttpWhiteboardServletPattern(KmsServlet.PREFIX + "/*")
@HttpWhiteboardServletName("teebox GCP key service")
public final class KmsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    static final String PREFIX = "/kms";
    private static final Pattern KEY = Pattern.compile("/v1/(projects/[^:]+?)(?::(encrypt|decrypt))?");

    private final transient GcpServices services;

    /** @param services the project's services */
    @Activate
    public KmsServlet(@Reference GcpServices services) {
        this.services = services;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        Http.serve("kms", req, rsp, this::route);
    }

    private void route(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        String path = req.getRequestURI();
        String rest = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path;
        Matcher m = KEY.matcher(rest);
        if (!m.matches()) {
            throw GcpError.notFound(req.getMethod() + " " + path + " is not served here (see POST " + PREFIX
                    + "/v1/projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>:decrypt)");
        }
        Kms kms = services.kms();
        String name = m.group(1);
        String verb = m.group(2);
        if (verb == null) {
            Http.allow(req, "GET");
            KmsStore.name(name);
            KmsStore.Key k = kms.store().get(name).orElseThrow(() -> GcpError.notFound("CryptoKey " + name
                    + " not found"));
            JsonObject o = new JsonObject();
            o.addProperty("name", k.name());
            o.addProperty("purpose", "ENCRYPT_DECRYPT");
            o.addProperty("createTime", k.created().toString());
            o.addProperty("condition", k.condition().source());
            Http.send(rsp, 200, "application/json", o.toString());
            return;
        }
        Http.allow(req, "POST");
        JsonObject body = Http.json(req);
        JsonObject out = verb.equals("encrypt") ? kms.encrypt(name, body)
                : kms.decrypt(name, body, req.getHeader("Authorization"));
        Http.send(rsp, 200, "application/json", out.toString());
    }
}
