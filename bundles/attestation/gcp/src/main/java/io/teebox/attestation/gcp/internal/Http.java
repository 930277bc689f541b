package io.teebox.attestation.gcp.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** What the two servlets share: bodies bounded and parsed, answers and Google's errors written. */
final class Http {

    static final int MAX_BODY = 4 << 20;
    private static final Logger LOG = Logger.getLogger(Http.class.getName());

    private Http() {
    }

    /** A request handler that may refuse with a {@link GcpError}. */
    interface Handler {
        void handle(HttpServletRequest req, HttpServletResponse rsp) throws IOException;
    }

    static void serve(String service, HttpServletRequest req, HttpServletResponse rsp, Handler h) throws IOException {
        try {
            h.handle(req, rsp);
        } catch (GcpError e) {
            send(rsp, e.code(), "application/json", e.body().toString());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, service + ": " + req.getMethod() + " " + req.getRequestURI() + " failed", e);
            GcpError g = new GcpError(500, "INTERNAL", e.getClass().getSimpleName() + ": " + e.getMessage());
            send(rsp, 500, "application/json", g.body().toString());
        }
    }

    static JsonObject json(HttpServletRequest req) throws IOException {
        byte[] b;
        try (InputStream in = req.getInputStream()) {
            b = in.readNBytes(MAX_BODY + 1);
        }
        if (b.length > MAX_BODY) {
            throw new GcpError(413, "INVALID_ARGUMENT", "the request body is over " + MAX_BODY + " bytes");
        }
        String s = new String(b, StandardCharsets.UTF_8).trim();
        if (s.isEmpty()) {
            return new JsonObject();
        }
        try {
            JsonElement e = JsonParser.parseString(s);
            if (!e.isJsonObject()) {
                throw GcpError.invalid("the request body must be a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw GcpError.invalid("Invalid JSON payload received: " + e.getMessage());
        }
    }

    static void allow(HttpServletRequest req, String method) {
        if (!req.getMethod().equals(method)) {
            throw new GcpError(405, "INVALID_ARGUMENT", req.getMethod() + " " + req.getRequestURI()
                    + " is not served; use " + method);
        }
    }

    static void send(HttpServletResponse rsp, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        rsp.setStatus(status);
        rsp.setContentType(type + "; charset=utf-8");
        rsp.setContentLength(b.length);
        rsp.setHeader("Cache-Control", "no-store");
        rsp.getOutputStream().write(b);
    }
}
