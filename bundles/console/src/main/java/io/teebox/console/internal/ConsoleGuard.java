package io.teebox.console.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;

import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.platform.PlatformState;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The console's door: the Web Console's one security provider ({@code felix.webconsole.security.providers=teebox}
 * in the launcher, so its built-in admin/admin login never applies and nothing is served while this provider is
 * absent). It is present only in the modes a person sits at (the interactive shell and {@code serve}), makes the
 * password at the first such start and prints it that once, answers loopback clients only unless
 * {@code allowRemote} is set, and refuses the whole console when the server listens beyond loopback without it.
 * A browser logs in through a form and keeps a session cookie; scripts may send HTTP Basic credentials.
 */
@Component(immediate = true, service = ConsoleGuard.class, configurationPid = ConsoleSettings.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ConsoleSettings.class)
public final class ConsoleGuard implements SecurityProvider {

    /** The provider id the launcher requires. */
    static final String PROVIDER_ID = "teebox";
    /** Set by the launcher in its one-shot modes (-c, run, demo). */
    static final String BATCH_PROPERTY = "teebox.batch.exitfile";
    static final String COOKIE = "teebox-console";
    /** The login form posts here (below the console's root). */
    static final String LOGIN_PATH = "/teebox-login";
    /** Requests that change something must carry this header (a cross-site form cannot). */
    static final String ACTION_HEADER = "X-Teebox-Console";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String user;
    private final boolean allowRemote;
    private final long sessionMillis;
    private final String refusal;
    private final Credentials credentials;
    private final Map<String, Long> sessions = new ConcurrentHashMap<>();
    private volatile String verifiedBasic;
    private final ServiceRegistration<SecurityProvider> registration;
    private final String url;
    /** The Web Console's root below the server (felix.webconsole.manager.root, /system/console by default). */
    private final String managerRoot;

    /**
     * @param context the bundle's context
     * @param state where the password is kept
     * @param endpoint the HTTP server the console is served on
     * @param settings the configuration
     * @throws IllegalArgumentException naming a bad setting
     */
    @Activate
    public ConsoleGuard(BundleContext context, @Reference PlatformState state, @Reference HttpEndpoint endpoint,
            @Reference(service = HttpServiceRuntime.class, target = "(osgi.http.endpoint=*)") Map<String, Object>
                    runtime, ConsoleSettings settings) {
        if (!settings.user().matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException(ConsoleSettings.PID + ": user '" + settings.user() + "' must be 1 to 64 "
                    + "letters, digits, '.', '_' or '-'");
        }
        if (settings.sessionMinutes() < 1 || settings.sessionMinutes() > 1440) {
            throw new IllegalArgumentException(ConsoleSettings.PID + ": sessionMinutes must be 1..1440, got "
                    + settings.sessionMinutes());
        }
        this.user = settings.user();
        this.allowRemote = settings.allowRemote();
        this.sessionMillis = settings.sessionMinutes() * 60_000L;
        this.credentials = new Credentials(state.directory().resolve("console"));
        String m = context.getProperty("felix.webconsole.manager.root");
        this.managerRoot = m == null || m.isBlank() ? "/system/console" : m.endsWith("/") ? m.substring(0,
                m.length() - 1) : m;
        this.url = endpoint.baseUrl() + managerRoot + "/" + GuestsPanel.LABEL;
        String batch = context.getProperty(BATCH_PROPERTY);
        if (!settings.enabled() || (batch != null && !batch.isBlank())) {
            refusal = null;
            registration = null;
            return;
        }
        // every address the server publishes: bound to 0.0.0.0 it lists the machine's interfaces
        List<String> beyond = endpoints(runtime.get("osgi.http.endpoint")).stream().map(ConsoleGuard::hostOf)
                .filter(h -> !loopback(h)).toList();
        String host = beyond.isEmpty() ? hostOf(endpoint.baseUrl()) : beyond.get(0);
        refusal = allowRemote || beyond.isEmpty() ? null : "the web console is not served: the HTTP server listens "
                + "beyond this machine, on " + String.join(", ", beyond) + " (org.apache.felix.http.host); set "
                + "allowRemote = true in config/" + ConsoleSettings.PID + ".cfg to serve it there";
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(SecurityProvider.PROPERTY_ID, PROVIDER_ID);
        registration = context.registerService(SecurityProvider.class, this, props);
        if (refusal != null) {
            // the Web Console runs and answers every request with the refusal
            startWebConsole(context, () -> System.err.println("teebox: error: " + ConsoleSettings.PID + ": "
                    + refusal));
            return;
        }
        if (!beyond.isEmpty()) {
            System.err.println("teebox: warning: " + ConsoleSettings.PID + ": the web console is served on " + host
                    + ", beyond this machine (allowRemote = true)");
        }
        String made = credentials.makeIfMissing();
        // said once the Web Console runs: whoever reads the line can use it
        startWebConsole(context, () -> {
            if (made != null) {
                System.out.println("teebox: web console: " + url + "  user " + user + "  password " + made
                        + "  (shown this once; console:password makes a new one)");
            } else {
                System.out.println("teebox: web console: " + url + "  user " + user + " (console:password makes a "
                        + "new password)");
            }
        });
    }

    /**
     * The launcher keeps the Web Console's bundles one start level above the rest, so the one-shot modes never start
     * them; a mode that serves the console raises the framework to that level.
     */
    private static void startWebConsole(BundleContext context, Runnable then) {
        org.osgi.framework.startlevel.FrameworkStartLevel fsl = context.getBundle(org.osgi.framework.Constants
                .SYSTEM_BUNDLE_LOCATION).adapt(org.osgi.framework.startlevel.FrameworkStartLevel.class);
        int needed = 0;
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            if ("org.apache.felix.webconsole".equals(b.getSymbolicName())) {
                needed = Math.max(needed, b.adapt(org.osgi.framework.startlevel.BundleStartLevel.class)
                        .getStartLevel());
            }
        }
        if (fsl != null && needed > fsl.getStartLevel()) {
            fsl.setStartLevel(needed, event -> then.run());
        } else {
            then.run();
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException gone) {
                // the bundle stops
            }
        }
        sessions.clear();
    }

    /** @return where the console's first panel is, for messages */
    String url() {
        return url;
    }

    /** @return a new password, replacing the kept one; every session ends */
    String resetPassword() {
        String p = credentials.replace();
        sessions.clear();
        verifiedBasic = null;
        return p;
    }

    static List<String> endpoints(Object property) {
        if (property instanceof String one) {
            return List.of(one);
        }
        if (property instanceof String[] many) {
            return List.of(many);
        }
        if (property instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    /** @return the host of an endpoint URL ({@code http://[fd00::2%eth0]:8440/} gives {@code fd00::2%eth0}) */
    static String hostOf(String url) {
        String rest = url.replaceFirst("^[A-Za-z]+://", "");
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            return close < 0 ? authority.substring(1) : authority.substring(1, close);
        }
        int colon = authority.lastIndexOf(':');
        return authority.indexOf(':') == colon && colon >= 0 ? authority.substring(0, colon) : authority;
    }

    static boolean loopback(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (host.equals("localhost")) {
            return true;
        }
        try {
            // literal addresses only: never a name lookup for a client's address
            String literal = host.replaceFirst("%.*$", "");
            return literal.matches("[0-9.]+|[0-9A-Fa-f:]+") && InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        try {
            return admit(request, response);
        } catch (IOException e) {
            return null;
        }
    }

    private Object admit(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (refusal != null) {
            plain(response, HttpServletResponse.SC_FORBIDDEN, refusal);
            return null;
        }
        if (!allowRemote && !loopback(request.getRemoteAddr())) {
            plain(response, HttpServletResponse.SC_FORBIDDEN, "the web console answers clients on this machine only "
                    + "(" + request.getRemoteAddr() + " is not a loopback address; allowRemote is off)");
            return null;
        }
        String session = cookie(request);
        long now = System.currentTimeMillis();
        if (session != null) {
            Long seen = sessions.get(session);
            if (seen != null && now - seen <= sessionMillis) {
                sessions.put(session, now);
                return user;
            }
            sessions.remove(session);
        }
        String basic = request.getHeader("Authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (basic.equals(verifiedBasic)) {
                return user;
            }
            String[] up = decodeBasic(basic.substring(6).strip());
            if (up != null && up[0].equals(user) && credentials.matches(up[1])) {
                verifiedBasic = basic;
                return user;
            }
            response.setHeader("WWW-Authenticate", "Basic realm=\"teebox\", charset=\"UTF-8\"");
            plain(response, HttpServletResponse.SC_UNAUTHORIZED, "wrong user or password");
            return null;
        }
        String uri = request.getRequestURI();
        String root = request.getContextPath() + managerRoot;
        if ("POST".equals(request.getMethod()) && uri.equals(root + LOGIN_PATH)) {
            String u = request.getParameter("user");
            String p = request.getParameter("password");
            String target = request.getParameter("target");
            if (target == null || !target.startsWith(root + "/") || target.startsWith(root + LOGIN_PATH)
                    || target.contains("//") || target.contains("\\")) {
                target = root + "/" + GuestsPanel.LABEL;
            }
            if (user.equals(u) && credentials.matches(p)) {
                byte[] t = new byte[24];
                RANDOM.nextBytes(t);
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(t);
                sessions.entrySet().removeIf(e -> now - e.getValue() > sessionMillis);
                sessions.put(token, now);
                response.addHeader("Set-Cookie", COOKIE + "=" + token + "; Path=" + root
                        + "; HttpOnly; SameSite=Strict");
                response.setStatus(HttpServletResponse.SC_SEE_OTHER);
                response.setHeader("Location", target);
                return null;
            }
            loginPage(response, root, target, "wrong user or password");
            return null;
        }
        String accept = request.getHeader("Accept");
        if (accept != null && accept.contains("text/html")) {
            String q = request.getQueryString();
            loginPage(response, root, uri + (q == null ? "" : "?" + q), null);
        } else {
            response.setHeader("WWW-Authenticate", "Basic realm=\"teebox\", charset=\"UTF-8\"");
            plain(response, HttpServletResponse.SC_UNAUTHORIZED, "log in first: the web console needs the user and "
                    + "password printed at the first start");
        }
        return null;
    }

    @Override
    public boolean authorize(Object user, String role) {
        return this.user.equals(user);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        String session = cookie(request);
        if (session != null) {
            sessions.remove(session);
        }
        verifiedBasic = null;
        response.addHeader("Set-Cookie", COOKIE + "=; Path=" + request.getContextPath() + managerRoot
                + "; Max-Age=0; HttpOnly; SameSite=Strict");
    }

    private static String cookie(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (COOKIE.equals(c.getName())) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    static String[] decodeBasic(String b64) {
        try {
            String s = new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            return colon < 0 ? null : new String[] {s.substring(0, colon), s.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void plain(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().println("teebox: " + message);
    }

    private static void loginPage(HttpServletResponse response, String root, String target, String error)
            throws IOException {
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setContentType("text/html;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().print("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>teebox: log in</title>"
                + "<style>body{font-family:sans-serif;background:#1d2330;color:#eee;display:flex;justify-content:"
                + "center;margin-top:12vh}form{background:#2a3242;padding:2em 2.5em;border-radius:8px}"
                + "input{display:block;margin:.4em 0 1em;padding:.4em;width:18em}button{padding:.5em 1.5em}"
                + "#login-error{color:#ff8080}</style></head><body><form id=\"login\" method=\"post\" action=\""
                + Html.text(root + LOGIN_PATH) + "\"><h2>teebox web console</h2>"
                + (error == null ? "" : "<p id=\"login-error\">" + Html.text(error) + "</p>")
                + "<label>User<input id=\"user\" name=\"user\" autocomplete=\"username\"></label>"
                + "<label>Password<input id=\"password\" name=\"password\" type=\"password\" "
                + "autocomplete=\"current-password\"></label><input type=\"hidden\" name=\"target\" value=\""
                + Html.text(target) + "\"><button id=\"signin\" type=\"submit\">Log in</button>"
                + "<p><small>The password was printed once at the first start; <code>console:password</code> "
                + "in the shell makes a new one.</small></p></form></body></html>");
    }
}
