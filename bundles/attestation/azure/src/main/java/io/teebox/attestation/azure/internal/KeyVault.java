package io.teebox.attestation.azure.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.platform.PlatformState;
import io.teebox.kit.lang.Lazy;

/**
 * A Key Vault for secure key release: exportable AES keys ({@code oct-HSM}) created with a release policy, kept one
 * JSON file per key version under {@code state/azure/akv/keys/<name>/<version>.json} (written to a temporary file,
 * forced to disk and moved into place, so a crash leaves the old version or the new one, never half of one), and
 * released to a caller presenting an attestation token that verifies with its authority's keys ({@code <authority>/certs}
 * over HTTP) and satisfies the policy: the key wrapped ({@code RSA_AES_KEY_WRAP}) to the RSA key in the token's
 * {@code x-ms-runtime.keys}, inside a JWS signed by the vault.
 */
@Component(service = KeyVault.class)
public final class KeyVault {

    /** The path of the vault on the platform's HTTP server. */
    static final String PREFIX = "/akv";
    /** The runtime key Key Vault wraps to, when the token names several. */
    static final String TEE_KEY_ID = "TpmEphemeralEncryptionKey";

    private static final Set<String> CREATE = Set.of("kty", "key_size", "key_ops", "attributes", "release_policy",
            "tags");
    private static final Set<String> RELEASE = Set.of("target", "nonce", "enc");

    private final Path dir;
    private final RSAKey signing;
    private final byte[] adminToken;
    private final Clock clock;
    /** Made at the first request: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private final Lazy<HttpClient> http =
            Lazy.of(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    private final SecureRandom random = new SecureRandom();

    /** A stored key version. */
    record StoredKey(String name, String version, String kty, byte[] material, List<String> keyOps,
            ReleasePolicy policy, boolean immutable, long created) {
    }

    /** What a release gave: the JWS and, for the timeline, the key it wrapped to. */
    record Released(String value, String wrappedTo) {
    }

    /**
     * @param state the state directory
     */
    @Activate
    public KeyVault(@Reference PlatformState state) {
        this(state.directory().resolve("azure").resolve("akv"), kept(state), state.secret("azure",
                "akv-admin-token", 32), Clock.systemUTC());
    }

    KeyVault(Path dir, RSAKey signing, byte[] adminToken, Clock clock) {
        this.dir = dir;
        this.signing = signing;
        this.adminToken = adminToken.clone();
        this.clock = clock;
    }

    private static RSAKey kept(PlatformState state) {
        byte[] jwk = state.kept("azure", "akv-signing-key.jwk", () -> Maa.generate().toJSONString().getBytes(
                StandardCharsets.UTF_8));
        try {
            return RSAKey.parse(new String(jwk, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new IllegalStateException("the kept Key Vault signing key does not parse: " + e.getMessage(), e);
        }
    }

    /** @return the bearer token that creates keys (standing in for a Microsoft Entra token), hex */
    String adminToken() {
        return HexFormat.of().formatHex(adminToken);
    }

    /** @throws KeyVaultError (401) unless the header carries the admin bearer token */
    void authorize(String authorization) {
        String want = "Bearer " + adminToken();
        if (authorization == null || !MessageDigest.isEqual(want.getBytes(StandardCharsets.UTF_8),
                authorization.trim().getBytes(StandardCharsets.UTF_8))) {
            throw KeyVaultError.unauthorized("creating a key needs Authorization: Bearer <the vault's admin token>");
        }
    }

    /**
     * @param name the key's name
     * @param body a Key Vault {@code KeyCreateParameters}: {@code {kty: "oct-HSM", key_size?: 128|192|256,
     *        key_ops?, attributes: {exportable: true}, release_policy: {data: base64url(policy JSON), immutable?}}}
     * @param baseUrl the vault's URL, for the key id
     * @return the {@code KeyBundle}
     */
    JsonObject create(String name, String body, String baseUrl) {
        name(name);
        JsonObject r = Maa.object(body, "the request body");
        for (String k : r.keySet()) {
            if (!CREATE.contains(k)) {
                throw KeyVaultError.badParameter("unknown member '" + k + "'; accepted: " + CREATE);
            }
        }
        String kty = r.has("kty") ? Maa.string(r, "kty") : "";
        if (!kty.equals("oct-HSM") && !kty.equals("oct")) {
            throw KeyVaultError.badParameter("kty is '" + kty + "'; this vault makes oct-HSM (AES) keys");
        }
        int size = 256;
        if (r.has("key_size")) {
            if (!(r.get("key_size") instanceof JsonPrimitive p && p.isNumber())) {
                throw KeyVaultError.badParameter("key_size is not a number");
            }
            size = p.getAsInt();
            if (size != 128 && size != 192 && size != 256) {
                throw KeyVaultError.badParameter("key_size is " + size + "; accepted: 128, 192, 256");
            }
        }
        List<String> ops = new ArrayList<>(List.of("wrapKey", "unwrapKey", "encrypt", "decrypt"));
        if (r.get("key_ops") instanceof JsonArray a) {
            ops.clear();
            a.forEach(e -> ops.add(e.getAsString()));
        }
        boolean exportable = r.get("attributes") instanceof JsonObject at && at.get("exportable") instanceof
                JsonPrimitive ex && ex.isBoolean() && ex.getAsBoolean();
        if (!exportable) {
            throw KeyVaultError.badParameter("attributes.exportable must be true for a key with a release policy");
        }
        if (!(r.get("release_policy") instanceof JsonObject rp)) {
            throw KeyVaultError.badParameter("release_policy is missing: an exportable key needs one {data: "
                    + "base64url(policy JSON)}");
        }
        String text = new String(Maa.b64url(Maa.string(rp, "data"), "release_policy.data"), StandardCharsets.UTF_8);
        ReleasePolicy policy;
        try {
            policy = ReleasePolicy.parse(text);
        } catch (IllegalArgumentException e) {
            throw KeyVaultError.badParameter(e.getMessage());
        }
        boolean immutable = rp.get("immutable") instanceof JsonPrimitive im && im.isBoolean() && im.getAsBoolean();
        byte[] material = new byte[size / 8];
        random.nextBytes(material);
        byte[] v = new byte[16];
        random.nextBytes(v);
        StoredKey k = new StoredKey(name, HexFormat.of().formatHex(v), "oct-HSM", material, ops, policy, immutable,
                clock.instant().getEpochSecond());
        write(k);
        return bundle(k, baseUrl);
    }

    /** @return the key version, or the newest version when {@code version} is null */
    StoredKey get(String name, String version) {
        name(name);
        Path d = dir.resolve("keys").resolve(name);
        if (version != null) {
            if (!version.matches("[0-9a-f]{32}")) {
                throw KeyVaultError.keyNotFound("A key with (name/id) " + name + "/" + version + " was not found");
            }
            Path f = d.resolve(version + ".json");
            if (!Files.isRegularFile(f)) {
                throw KeyVaultError.keyNotFound("A key with (name/id) " + name + "/" + version + " was not found");
            }
            return read(f);
        }
        StoredKey newest = null;
        if (Files.isDirectory(d)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.json")) {
                for (Path f : s) {
                    StoredKey k = read(f);
                    if (newest == null || k.created() > newest.created() || k.created() == newest.created()
                            && k.version().compareTo(newest.version()) > 0) {
                        newest = k;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("the vault cannot list " + d + ": " + e.getMessage(), e);
            }
        }
        if (newest == null) {
            throw KeyVaultError.keyNotFound("A key with (name/id) " + name + " was not found in this key vault");
        }
        return newest;
    }

    /**
     * The secure key release.
     *
     * @param name the key
     * @param version its version, or null for the newest
     * @param body {@code {target: <attestation token>, nonce?, enc?}}
     * @param baseUrl the vault's URL
     * @return the JWS and the key wrapped to
     * @throws KeyVaultError 400 malformed, 401 a token that does not verify, 403 the policy refuses, 404 no key
     */
    Released release(String name, String version, String body, String baseUrl) {
        JsonObject r = Maa.object(body, "the request body");
        for (String k : r.keySet()) {
            if (!RELEASE.contains(k)) {
                throw KeyVaultError.badParameter("unknown member '" + k + "'; accepted: " + RELEASE);
            }
        }
        String target = Maa.string(r, "target");
        RsaAesKeyWrap.Variant enc = RsaAesKeyWrap.Variant.of(r.has("enc") ? Maa.string(r, "enc") : null);
        String nonce = r.has("nonce") ? Maa.string(r, "nonce") : null;
        StoredKey key = get(name, version);
        SignedJWT jwt;
        Map<String, Object> claims;
        try {
            jwt = SignedJWT.parse(target.trim());
            claims = jwt.getJWTClaimsSet().toJSONObject();
        } catch (ParseException e) {
            throw KeyVaultError.unauthorized("target is not a JWT: " + e.getMessage());
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            throw KeyVaultError.unauthorized("target is signed " + jwt.getHeader().getAlgorithm()
                    + "; attestation tokens are RS256");
        }
        String issuer = claims.get("iss") instanceof String s ? s : null;
        if (issuer == null) {
            throw KeyVaultError.unauthorized("target has no iss");
        }
        boolean authority = key.policy().authorities().stream().anyMatch(a -> trim(a.issuer()).equalsIgnoreCase(
                trim(issuer)));
        if (!authority) {
            throw KeyVaultError.forbidden("the token's issuer " + issuer + " is not an authority of the release "
                    + "policy " + key.policy().authorities().stream().map(ReleasePolicy.Authority::issuer).toList());
        }
        verify(jwt, trim(issuer));
        long now = clock.instant().getEpochSecond();
        if (!(claims.get("exp") instanceof Number exp) || now >= exp.longValue()) {
            throw KeyVaultError.unauthorized("target has expired or has no exp");
        }
        if (claims.get("nbf") instanceof Number nbf && now + 300 < nbf.longValue()) {
            throw KeyVaultError.unauthorized("target is not valid before " + nbf);
        }
        ReleasePolicy.Outcome o = key.policy().evaluate(claims, issuer);
        if (!o.released()) {
            throw KeyVaultError.forbidden(o.reason());
        }
        JWK tee = teeKey(claims);
        byte[] wrapped;
        try {
            wrapped = RsaAesKeyWrap.wrap(enc, ((RSAKey) tee).toRSAPublicKey(), key.material());
        } catch (JOSEException e) {
            throw KeyVaultError.badParameter("the token's runtime key " + tee.getKeyID() + " is unusable: "
                    + e.getMessage());
        }
        return new Released(sign(payload(key, enc, nonce, tee, wrapped, baseUrl)), tee.getKeyID());
    }

    /** The release's JWS payload, as Key Vault's: {@code {request, response: {key: KeyBundle with key_hsm}}}. */
    private Map<String, Object> payload(StoredKey key, RsaAesKeyWrap.Variant enc, String nonce, JWK tee,
            byte[] wrapped, String baseUrl) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        JsonObject hsm = new JsonObject();
        hsm.addProperty("schema_version", "1.0");
        JsonObject h = new JsonObject();
        h.addProperty("kid", tee.getKeyID());
        h.addProperty("alg", "dir");
        h.addProperty("enc", enc.name());
        hsm.add("header", h);
        hsm.addProperty("ciphertext", b.encodeToString(wrapped));
        JsonObject bundle = bundle(key, baseUrl);
        bundle.getAsJsonObject("key").addProperty("key_hsm", b.encodeToString(hsm.toString().getBytes(
                StandardCharsets.UTF_8)));
        JsonObject request = new JsonObject();
        request.addProperty("api-version", "7.3");
        request.addProperty("enc", enc.name());
        request.addProperty("kid", baseUrl + PREFIX + "/keys/" + key.name());
        if (nonce != null) {
            request.addProperty("nonce", nonce);
        }
        JsonObject response = new JsonObject();
        response.add("key", bundle);
        JsonObject p = new JsonObject();
        p.add("request", request);
        p.add("response", response);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Maa.toJava(p);
        return m;
    }

    private String sign(Map<String, Object> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        claims.forEach(b::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                .keyID(signing.getKeyID()).jwk(signing.toPublicJWK()).build(), b.build());
        try {
            jwt.sign(new RSASSASigner(signing));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the release failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** @return the vault's signing key's public half */
    RSAKey signingKey() {
        return signing.toPublicJWK();
    }

    /** Verifies the token with the key of its kid in the authority's JWKS, fetched over HTTP. */
    private void verify(SignedJWT jwt, String authority) {
        String url = authority + "/certs";
        JWKSet set;
        try {
            HttpResponse<String> r = http.get().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(
                    10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw KeyVaultError.unauthorized("the authority's keys at " + url + " answered HTTP "
                        + r.statusCode());
            }
            set = JWKSet.parse(r.body());
        } catch (IOException | ParseException | IllegalArgumentException e) {
            throw KeyVaultError.unauthorized("the authority's keys at " + url + " cannot be fetched: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KeyVaultError.unauthorized("interrupted fetching " + url);
        }
        String kid = jwt.getHeader().getKeyID();
        JWK k = kid == null ? null : set.getKeyByKeyId(kid);
        if (!(k instanceof RSAKey rsa)) {
            throw KeyVaultError.unauthorized("the token's kid " + kid + " is not an RSA key of " + url);
        }
        try {
            if (!jwt.verify(new RSASSAVerifier(rsa))) {
                throw KeyVaultError.unauthorized("the token's signature does not verify with key " + kid + " of "
                        + url);
            }
        } catch (JOSEException e) {
            throw KeyVaultError.unauthorized("the token cannot be verified: " + e.getMessage());
        }
    }

    /** @return the RSA key of the token's {@code x-ms-runtime.keys} to wrap to */
    static JWK teeKey(Map<String, Object> claims) {
        Object keys = ReleasePolicy.lookup(claims, "x-ms-runtime.keys");
        if (!(keys instanceof List<?> list) || list.isEmpty()) {
            throw KeyVaultError.badParameter("the token has no x-ms-runtime.keys to wrap the key to");
        }
        JWK first = null;
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || !"RSA".equals(m.get("kty"))) {
                continue;
            }
            JWK k;
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> jm = (Map<String, Object>) m;
                k = JWK.parse(jm);
            } catch (ParseException e) {
                throw KeyVaultError.badParameter("x-ms-runtime.keys has an RSA key that does not parse: "
                        + e.getMessage());
            }
            if (TEE_KEY_ID.equals(k.getKeyID())) {
                return k;
            }
            first = first == null ? k : first;
        }
        if (first == null) {
            throw KeyVaultError.badParameter("the token's x-ms-runtime.keys has no RSA key to wrap the key to");
        }
        return first;
    }

    /** @return the SHA-256 fingerprint of a stored key's material, hex */
    String fingerprint(String name, String version) {
        return fingerprint(get(name, version).material());
    }

    static String fingerprint(byte[] material) {
        return HexFormat.of().formatHex(Maa.sha256(material));
    }

    private JsonObject bundle(StoredKey k, String baseUrl) {
        JsonObject key = new JsonObject();
        key.addProperty("kid", baseUrl + PREFIX + "/keys/" + k.name() + "/" + k.version());
        key.addProperty("kty", k.kty());
        JsonArray ops = new JsonArray();
        k.keyOps().forEach(ops::add);
        key.add("key_ops", ops);
        JsonObject at = new JsonObject();
        at.addProperty("enabled", true);
        at.addProperty("created", k.created());
        at.addProperty("updated", k.created());
        at.addProperty("recoveryLevel", "Purgeable");
        at.addProperty("exportable", true);
        JsonObject rp = new JsonObject();
        rp.addProperty("contentType", "application/json; charset=utf-8");
        rp.addProperty("data", Base64.getUrlEncoder().withoutPadding().encodeToString(k.policy().text().getBytes(
                StandardCharsets.UTF_8)));
        rp.addProperty("immutable", k.immutable());
        JsonObject b = new JsonObject();
        b.add("key", key);
        b.add("attributes", at);
        b.add("release_policy", rp);
        return b;
    }

    private void write(StoredKey k) {
        JsonObject o = new JsonObject();
        o.addProperty("name", k.name());
        o.addProperty("version", k.version());
        o.addProperty("kty", k.kty());
        o.addProperty("k", Base64.getUrlEncoder().withoutPadding().encodeToString(k.material()));
        JsonArray ops = new JsonArray();
        k.keyOps().forEach(ops::add);
        o.add("key_ops", ops);
        o.addProperty("release_policy", k.policy().text());
        o.addProperty("immutable", k.immutable());
        o.addProperty("created", k.created());
        Path d = dir.resolve("keys").resolve(k.name());
        Path f = d.resolve(k.version() + ".json");
        try {
            Files.createDirectories(d);
            Path tmp = Files.createTempFile(d, ".new-", ".tmp");
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                c.write(ByteBuffer.wrap(o.toString().getBytes(StandardCharsets.UTF_8)));
                c.force(true);
            }
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel c = FileChannel.open(d, StandardOpenOption.READ)) {
                c.force(true);
            } catch (IOException ignored) {
                // directories cannot be opened for sync on every platform; the move itself is atomic
            }
        } catch (IOException e) {
            throw new IllegalStateException("the vault cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    private static StoredKey read(Path f) {
        try {
            JsonObject o = Maa.object(Files.readString(f), f.toString());
            List<String> ops = new ArrayList<>();
            o.getAsJsonArray("key_ops").forEach(e -> ops.add(e.getAsString()));
            return new StoredKey(o.get("name").getAsString(), o.get("version").getAsString(), o.get("kty")
                    .getAsString(), Base64.getUrlDecoder().decode(o.get("k").getAsString()), ops, ReleasePolicy.parse(
                            o.get("release_policy").getAsString()), o.get("immutable").getAsBoolean(), o.get(
                                    "created").getAsLong());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the vault's key file " + f + " is unreadable: " + e.getMessage(), e);
        }
    }

    private static void name(String name) {
        if (name == null || !name.matches("[0-9A-Za-z-]{1,127}")) {
            throw KeyVaultError.badParameter("the key name '" + name + "' is invalid: 1..127 letters, digits and "
                    + "dashes");
        }
    }

    private static String trim(String issuer) {
        String s = issuer.trim();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
