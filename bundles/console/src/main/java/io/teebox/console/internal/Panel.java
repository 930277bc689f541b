package io.teebox.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.apache.felix.webconsole.servlet.ServletConstants;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One teebox panel of the Web Console: its page is a container the panel's script fills, drawn in the browser
 * from the JSON the panel answers below its label ({@code GET <label>/<what>.json}, {@code POST <label>/<action>}
 * with a JSON body). Everything it shows is served from this bundle (no CDN). A bad request is answered 400 with
 * {@code {"error": "one line"}}, and the platform goes on.
 */
abstract class Panel extends AbstractServlet {

    private static final long serialVersionUID = 1L;
    /** The largest request body: a firmware image of 32 MiB in Base64. */
    static final int MAX_BODY = 48 << 20;
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    /** @return the label, the last segment of the panel's URL */
    abstract String label();

    /**
     * @param what the name below the label, without {@code .json}
     * @param request the request (query parameters)
     * @return what to answer as JSON
     */
    abstract Object read(String what, HttpServletRequest request) throws IOException;

    /**
     * @param action the name below the label
     * @param body the JSON body
     * @return what to answer as JSON
     */
    abstract Object act(String action, JsonObject body) throws IOException;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException,
            jakarta.servlet.ServletException {
        String sub = sub(request);
        if (sub != null && !sub.endsWith(".json")) {
            try {
                if (raw(sub, request, response)) {
                    return;
                }
            } catch (RuntimeException e) {
                json(response, 400, error(e));
                return;
            }
        }
        if (sub != null && sub.endsWith(".json")) {
            try {
                json(response, 200, read(sub.substring(0, sub.length() - 5), request));
            } catch (RuntimeException e) {
                json(response, 400, error(e));
            }
            return;
        }
        super.doGet(request, response);
    }

    /**
     * Answers a GET below the label that is not JSON (a download); the default answers none.
     *
     * @return whether it answered
     */
    boolean raw(String what, HttpServletRequest request, HttpServletResponse response) throws IOException {
        return false;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String sub = sub(request);
        if (!"1".equals(request.getHeader(ConsoleGuard.ACTION_HEADER))) {
            json(response, 403, Map.of("error", "an action needs the header " + ConsoleGuard.ACTION_HEADER
                    + ": 1 (the console's own scripts send it; a cross-site form cannot)"));
            return;
        }
        if (sub == null || sub.isEmpty() || sub.contains("/")) {
            json(response, 404, Map.of("error", "no action named '" + sub + "' on " + label()));
            return;
        }
        JsonObject body;
        try {
            body = body(request);
        } catch (IllegalArgumentException e) {
            json(response, 400, Map.of("error", e.getMessage()));
            return;
        }
        try {
            json(response, 200, act(sub, body));
        } catch (RuntimeException e) {
            json(response, 400, error(e));
        }
    }

    /** @return the part of the path after the label ({@code null} for the page itself) */
    private String sub(HttpServletRequest request) {
        String path = request.getPathInfo();
        if (path == null) {
            return null;
        }
        String prefix = "/" + label() + "/";
        return path.startsWith(prefix) && !path.startsWith(prefix + "res/") ? path.substring(prefix.length()) : null;
    }

    static JsonObject body(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY) {
            throw new IllegalArgumentException("the request body is " + declared + " bytes, more than " + MAX_BODY);
        }
        byte[] raw;
        try (InputStream in = request.getInputStream()) {
            raw = in.readNBytes(MAX_BODY + 1);
        }
        if (raw.length > MAX_BODY) {
            throw new IllegalArgumentException("the request body is more than " + MAX_BODY + " bytes");
        }
        if (raw.length == 0) {
            return new JsonObject();
        }
        try {
            JsonElement e = JsonParser.parseString(new String(raw, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("the request body must be a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            java.util.regex.Matcher at = java.util.regex.Pattern.compile("line (\\d+) column (\\d+)")
                    .matcher(String.valueOf(e.getMessage()));
            throw new IllegalArgumentException("the request body is not JSON" + (at.find() ? " (line " + at.group(1)
                    + ", column " + at.group(2) + ")" : ""));
        }
    }

    static Map<String, Object> error(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return Map.of("error", nl < 0 ? m : m.substring(0, nl));
    }

    static void json(HttpServletResponse response, int status, Object value) throws IOException {
        byte[] b = GSON.toJson(value).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json;charset=utf-8");
        setNoCache(response);
        response.setContentLength(b.length);
        response.getOutputStream().write(b);
    }

    /** @return a required string field */
    static String string(JsonObject body, String name) {
        JsonElement e = body.get(name);
        if (e == null || e.isJsonNull() || !e.isJsonPrimitive() || e.getAsString().isBlank()) {
            throw new IllegalArgumentException("'" + name + "' is missing");
        }
        return e.getAsString().strip();
    }

    /** @return an optional string field, or null */
    static String optional(JsonObject body, String name) {
        JsonElement e = body.get(name);
        return e == null || e.isJsonNull() || !e.isJsonPrimitive() || e.getAsString().isBlank() ? null
                : e.getAsString();
    }

    /** @return an optional Base64 field decoded, or null */
    static byte[] base64(JsonObject body, String name) {
        String s = optional(body, name);
        if (s == null) {
            return null;
        }
        try {
            return java.util.Base64.getDecoder().decode(s.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "' is not Base64: " + e.getMessage());
        }
    }

    /** @return an address given as 0x-hex or decimal */
    static long address(String name, String text) {
        try {
            String t = text.strip();
            return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16)
                    : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + text + "' is not a number (0x-hex or decimal)");
        }
    }

    /** Keeps a service registered with a {@code tee.type} property in the map by that type, or drops it. */
    static <T> void byTeeType(Map<String, T> byType, T service, Map<String, Object> props, boolean bound) {
        Object t = props.get(io.teebox.api.tee.TeeType.PROPERTY);
        if (t != null && bound) {
            byType.put(t.toString(), service);
        } else if (t != null) {
            byType.remove(t.toString(), service);
        }
    }

    static String hex(long v) {
        return String.format("0x%X", v);
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Override
    public void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object app = request.getAttribute(ServletConstants.ATTR_APP_ROOT);
        String root = (app == null ? request.getContextPath() : app.toString()) + "/" + label();
        response.getWriter().print("<link rel=\"stylesheet\" href=\"" + Html.text(root) + "/res/console.css\">"
                + "<div id=\"teebox-panel\" class=\"teebox\" data-panel=\"" + label() + "\" data-root=\""
                + Html.text(root) + "\"><p class=\"tb-loading\">loading…</p></div>"
                + "<script src=\"" + Html.text(root) + "/res/console.js\"></script>"
                + "<script src=\"" + Html.text(root) + "/res/" + label() + ".js\"></script>");
    }
}
