package io.teebox.kbs.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.nimbusds.jose.jwk.JWK;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.platform.PlatformState;
import io.teebox.attestation.api.AttestationRefused;
import io.teebox.attestation.api.AttestationTokens;

/**
 * The key broker without its transport: Trustee's RCAR ({@code auth}, {@code attest}, {@code resource}) over the
 * sessions, the in-process attestation service, the store and the resource policy, and the admin operations.
 */
@Component(service = Broker.class, configurationPid = "io.teebox.kbs")
@Designate(ocd = KbsConfig.class)
public final class Broker {

    /** TEE names of Trustee's {@code Tee} enum (and teebox's own) and the evidence format each sends. */
    static final Map<String, String> TEES = Map.of("snp", "sev-snp-report", "tdx", "tdx-quote-v4", "sev",
            "sev-attestation", "sev-snp", "sev-snp-report", "amd-sev-snp", "sev-snp-report", "intel-tdx",
            "tdx-quote-v4", "hcl-vtpm", "hcl-vtpm");

    private final AttestationTokens tokens;
    private final Sessions sessions;
    private final ResourceStore store;
    private final AdminAuth admin;
    private final Clock clock;
    private volatile ResourcePolicy policy;

    /**
     * @param tokens the attestation service
     * @param state the state directory (the store and the admin key pair)
     * @param config the configuration
     * @throws IllegalArgumentException for a value out of range, naming it
     */
    @Activate
    public Broker(@Reference AttestationTokens tokens, @Reference PlatformState state, KbsConfig config) {
        this(tokens, open(state.directory(), config), AdminAuth.kept(state.directory().resolve("kbs"),
                Clock.systemUTC()), Clock.systemUTC(), Duration.ofSeconds(range("session.lifetime.seconds",
                        config.session_lifetime_seconds(), 1, 86_400)),
                range("session.capacity", config.session_capacity(), 1, 1_000_000));
    }

    Broker(AttestationTokens tokens, ResourceStore store, AdminAuth admin, Clock clock, Duration sessionLifetime,
            int sessionCapacity) {
        this.tokens = tokens;
        this.store = store;
        this.admin = admin;
        this.clock = clock;
        this.sessions = new Sessions(clock, sessionLifetime, sessionCapacity, new SecureRandom());
        this.policy = ResourcePolicy.parse(store.policy().orElse(ResourcePolicy.DEFAULT));
    }

    private static ResourceStore open(Path stateDir, KbsConfig config) {
        return switch (config.store()) {
            case "h2" -> new MvResourceStore(stateDir.resolve(config.store_file()));
            case "postgresql" -> new PgResourceStore(config.store_url(), config.store_user(),
                    config.store_password());
            default -> throw new IllegalArgumentException("store is '" + config.store() + "'; accepted: h2, "
                    + "postgresql");
        };
    }

    private static int range(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " is " + v + "; accepted: " + min + ".." + max);
        }
        return v;
    }

    @Deactivate
    void close() {
        store.close();
    }

    AdminAuth admin() {
        return admin;
    }

    ResourceStore store() {
        return store;
    }

    Sessions sessions() {
        return sessions;
    }

    /** The outcome of {@code /auth}: the challenge's body and the session. */
    record Auth(JsonObject challenge, Sessions.Session session) {
    }

    /**
     * @param body the Request {@code {version, tee, extra-params}}
     * @return the challenge {@code {nonce, extra-params}} and the new session
     */
    Auth auth(String body) {
        JsonObject r = object(body, "the Request");
        known(r, Set.of("version", "tee", "extra-params"), "Request");
        String version = string(r, "version");
        if (!version.matches("0\\.\\d+\\.\\d+")) {
            throw KbsProblem.invalid("version is '" + version + "'; this broker speaks the KBS protocol 0.x.y");
        }
        String tee = string(r, "tee");
        if (!TEES.containsKey(tee)) {
            throw KbsProblem.invalid("tee is '" + tee + "'; accepted: " + new java.util.TreeSet<>(TEES.keySet()));
        }
        String nonce = tokens.challenge().nonce();
        Sessions.Session s = sessions.open(nonce, tee);
        JsonObject c = new JsonObject();
        c.addProperty("nonce", nonce);
        c.add("extra-params", new JsonObject());
        return new Auth(c, s);
    }

    /**
     * @param sessionId the cookie
     * @param body the Attestation {@code {runtime-data: {nonce, tee-pubkey}, tee-evidence: {format?, evidence,
     *        certificates?}, init-data?}}
     * @return the EAR token
     */
    String attest(String sessionId, String body) {
        Sessions.Session s = sessions.get(sessionId);
        JsonObject r = object(body, "the Attestation");
        known(r, Set.of("runtime-data", "tee-evidence", "init-data", "tee-pubkey"), "Attestation");
        if (!(r.get("runtime-data") instanceof JsonObject rd)) {
            throw KbsProblem.invalid("runtime-data is missing or not an object {nonce, tee-pubkey}");
        }
        JsonElement n = rd.get("nonce");
        if (!(n instanceof JsonPrimitive p && p.isString() && p.getAsString().equals(s.nonce))) {
            throw new KbsProblem(401, "AttestationFailed", "runtime-data.nonce is " + n + ", not the nonce of "
                    + "this session's challenge");
        }
        JWK key = TeeKeys.parse(rd.get("tee-pubkey"));
        Evidence evidence = evidence(r.get("tee-evidence"), TEES.get(s.tee));
        String token;
        Map<String, Object> claims;
        try {
            token = tokens.attest(evidence, s.nonce, rd.toString());
            claims = tokens.verify(token);
        } catch (AttestationRefused e) {
            throw new KbsProblem(401, "AttestationFailed", "the attestation service refused the evidence ("
                    + e.problem() + "): " + e.getMessage());
        }
        s.teeKey = key;
        s.token = token;
        s.claims = claims;
        return token;
    }

    private static Evidence evidence(JsonElement e, String defaultFormat) {
        if (e instanceof JsonObject o && o.get("primary_evidence") instanceof JsonObject primary) {
            e = primary;
        }
        if (!(e instanceof JsonObject o)) {
            throw KbsProblem.invalid("tee-evidence is missing or not an object {format?, evidence (base64), "
                    + "certificates?}");
        }
        known(o, Set.of("format", "evidence", "certificates"), "tee-evidence");
        String format = o.has("format") ? string(o, "format") : defaultFormat;
        byte[] report = base64(string(o, "evidence"), "tee-evidence.evidence");
        List<byte[]> certs = new ArrayList<>();
        if (o.get("certificates") instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                if (!(a.get(i) instanceof JsonPrimitive p && p.isString())) {
                    throw KbsProblem.invalid("tee-evidence.certificates[" + i + "] must be base64 DER");
                }
                certs.add(base64(p.getAsString(), "tee-evidence.certificates[" + i + "]"));
            }
        } else if (o.has("certificates")) {
            throw KbsProblem.invalid("tee-evidence.certificates must be a list of base64 DER certificates");
        }
        return new Evidence(format, report, certs, Map.of());
    }

    /**
     * @param sessionId the cookie, or null
     * @param authorization the {@code Authorization} header, or null
     * @param path the resource
     * @return the secret as a flattened JWE wrapped to the TEE's key
     */
    JsonObject resource(String sessionId, String authorization, ResourcePath path) {
        Map<String, Object> claims;
        JWK key;
        if (authorization != null && authorization.startsWith("Bearer ")) {
            try {
                claims = tokens.verify(authorization.substring(7).trim());
            } catch (AttestationRefused e) {
                throw new KbsProblem(401, "TokenVerification", "the bearer token is refused (" + e.problem() + "): "
                        + e.getMessage());
            }
            key = boundKey(claims);
        } else {
            Sessions.Session s = sessions.get(sessionId);
            if (!s.attested()) {
                throw new KbsProblem(401, "UnAuthenticatedCookie", "the session has not attested: POST "
                        + "/kbs/v0/attest first");
            }
            claims = s.claims;
            key = s.teeKey;
            if (claims.get("exp") instanceof Number exp && clock.instant().getEpochSecond() >= exp.longValue()) {
                throw new KbsProblem(401, "TokenVerification", "the session's attestation token expired: attest "
                        + "again");
            }
        }
        ResourcePolicy.Decision d = policy.decide(path, claims);
        if (!d.allowed()) {
            throw new KbsProblem(403, "PolicyDeny", d.reason() + reasons(claims));
        }
        byte[] secret = store.get(path).orElseThrow(() -> new KbsProblem(404, "ResourceNotFound", "no resource "
                + path));
        return TeeKeys.wrap(key, secret);
    }

    /** The attestation service's reasons for each submod that is not affirming, for a denial's detail. */
    private static String reasons(Map<String, Object> claims) {
        StringBuilder b = new StringBuilder();
        if (claims.get("submods") instanceof Map<?, ?> subs) {
            subs.forEach((name, v) -> {
                if (v instanceof Map<?, ?> m && !"affirming".equals(m.get("ear.status"))
                        && m.get("teebox.reasons") instanceof List<?> rs && !rs.isEmpty()) {
                    b.append("; ").append(name).append(": ").append(String.join("; ", rs.stream().map(
                            Broker::reason).toList()));
                }
            });
        }
        return b.toString();
    }

    private static String reason(Object r) {
        return r instanceof Map<?, ?> m && m.get("check") != null && m.get("reason") != null
                ? m.get("check") + ": " + m.get("reason") : String.valueOf(r);
    }

    /** The {@code tee-pubkey} the token's runtime data binds (an EAR's annotated evidence). */
    static JWK boundKey(Map<String, Object> claims) {
        if (claims.get("submods") instanceof Map<?, ?> subs) {
            for (Object v : subs.values()) {
                if (v instanceof Map<?, ?> m && m.get("ear.veraison.annotated-evidence") instanceof Map<?, ?> a
                        && a.get("runtime_data_claims") instanceof Map<?, ?> rd && rd.get("tee-pubkey") != null) {
                    try {
                        return TeeKeys.parse(JsonParser.parseString(new com.google.gson.Gson().toJson(
                                rd.get("tee-pubkey"))));
                    } catch (KbsProblem e) {
                        throw new KbsProblem(401, "TokenVerification", "the token's bound " + e.getMessage());
                    }
                }
            }
        }
        throw new KbsProblem(401, "TokenVerification", "the token binds no tee-pubkey in its runtime data, so "
                + "there is no key to wrap the resource to");
    }

    // admin operations; the servlet authenticates them, the shell is trusted as the process owner

    void setResource(ResourcePath path, byte[] value) {
        store.put(path, value);
    }

    byte[] getResource(ResourcePath path) {
        return store.get(path).orElseThrow(() -> new KbsProblem(404, "ResourceNotFound", "no resource " + path));
    }

    List<String> resources() {
        return store.list();
    }

    String policy() {
        return policy.json();
    }

    void setPolicy(String json) {
        ResourcePolicy p = ResourcePolicy.parse(json);
        store.putPolicy(json);
        policy = p;
    }

    // JSON helpers

    static JsonObject object(String body, String what) {
        JsonElement e;
        try {
            e = JsonParser.parseString(body);
        } catch (JsonParseException x) {
            throw KbsProblem.invalid(what + " is not JSON: " + firstLine(x.getMessage()));
        }
        if (!(e instanceof JsonObject o)) {
            throw KbsProblem.invalid(what + " must be a JSON object");
        }
        return o;
    }

    private static void known(JsonObject o, Set<String> accepted, String what) {
        for (String k : o.keySet()) {
            if (!accepted.contains(k)) {
                throw KbsProblem.invalid(what + ": unknown member '" + k + "'; accepted: "
                        + new java.util.TreeSet<>(accepted));
            }
        }
    }

    private static String string(JsonObject o, String name) {
        if (!(o.get(name) instanceof JsonPrimitive p && p.isString()) || p.getAsString().isEmpty()) {
            throw KbsProblem.invalid(name + " is missing or not a non-empty string");
        }
        return p.getAsString();
    }

    static byte[] base64(String text, String where) {
        String t = text.replaceAll("\\s+", "");
        try {
            return t.contains("-") || t.contains("_") ? Base64.getUrlDecoder().decode(t) : Base64.getDecoder()
                    .decode(t);
        } catch (IllegalArgumentException e) {
            throw KbsProblem.invalid(where + " is not base64: " + e.getMessage());
        }
    }

    private static String firstLine(String m) {
        String s = String.valueOf(m);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
