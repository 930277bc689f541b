package io.teebox.attestation.azure.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.platform.PlatformState;
import io.teebox.attestation.api.AttestationRefused;
import io.teebox.attestation.api.AttestationTokens;
import io.teebox.attestation.api.CanonicalJson;
import io.teebox.kit.lang.Lazy;

/**
 * An Azure Attestation (MAA) instance for SEV-SNP VMs: {@code AttestSevSnpVm} requests appraised by teebox's
 * attestation service, answered with an RS256 token in MAA's claim shape, signed by a key kept in the state directory.
 * <p>
 * MAA binds the runtime data by the SHA-256 of {@code runtimeData.data} in the first 32 bytes of the report's
 * REPORT_DATA. The attestation service's in-process API binds by SHA-384 and cannot express that, but its HTTP attest
 * endpoint takes {@code runtime_data_hash_algorithm: sha256}: the SHA-256 of the RFC 8785 canonical runtime-data
 * object zero-padded to 64 bytes, which is MAA's rule when {@code runtimeData.data} is that canonical object. So this
 * instance checks MAA's rule on the report itself, then has the attestation service appraise over loopback HTTP with
 * the runtime data as the bound object (whose {@code nonce} member must be a challenge of the attestation service:
 * the service's freshness), verifies the EAR in-process and checks MAA's rule again on the EAR's decoded REPORT_DATA.
 */
@Component(service = Maa.class)
public final class Maa {

    /** The path of the instance on the platform's HTTP server. */
    static final String PREFIX = "/maa";
    /** MAA tokens live 8 hours, as the service's samples show (exp - iat = 28800). */
    static final long LIFETIME = 8 * 3600;

    private static final Set<String> REQUEST = Set.of("report", "runtimeData", "initTimeData", "nonce",
            "draftPolicyForAttestation");
    private static final Set<String> REPORT = Set.of("SnpReport", "VcekCertChain", "Endorsements");
    private static final int REPORT_DATA = 0x50;
    private static final int SNP_REPORT_SIZE = 0x4A0;

    private final RSAKey key;
    private final AttestationTokens tokens;
    private final HttpEndpoint endpoint;
    /** Made at the first request: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private final Lazy<HttpClient> http =
            Lazy.of(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param tokens the attestation service in-process (EAR verification)
     * @param endpoint the platform's HTTP server, where the attestation service and this instance are
     * @param state the state directory (the signing key)
     */
    @Activate
    public Maa(@Reference AttestationTokens tokens, @Reference HttpEndpoint endpoint,
            @Reference PlatformState state) {
        this(kept(state), tokens, endpoint, Clock.systemUTC());
    }

    Maa(RSAKey key, AttestationTokens tokens, HttpEndpoint endpoint, Clock clock) {
        this.key = key;
        this.tokens = tokens;
        this.endpoint = endpoint;
        this.clock = clock;
    }

    static RSAKey kept(PlatformState state) {
        byte[] jwk = state.kept("azure", "maa-signing-key.jwk", () -> generate().toJSONString().getBytes(
                StandardCharsets.UTF_8));
        try {
            return RSAKey.parse(new String(jwk, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new IllegalStateException("the kept MAA signing key (azure/maa-signing-key.jwk) does not parse: "
                    + e.getMessage(), e);
        }
    }

    static RSAKey generate() {
        try {
            RSAKey k = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
            return new RSAKey.Builder(k).keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make an RSA-2048 key: " + e.getMessage(), e);
        }
    }

    /** @return the issuer, {@code <base>/maa} */
    String issuer() {
        return endpoint.baseUrl() + PREFIX;
    }

    /** @return the JWKS at {@code /maa/certs} */
    String jwks() {
        return new JWKSet(key.toPublicJWK()).toString(true);
    }

    /** @return the key id */
    String keyId() {
        return key.getKeyID();
    }

    /**
     * @param body an {@code AttestSevSnpVmRequest}
     * @return the token
     * @throws KeyVaultError (400) for a malformed request or a report not binding the runtime data, (401/403) as
     *         the attestation service refused
     */
    String attest(String body) {
        JsonObject request = object(body, "the request body");
        for (String k : request.keySet()) {
            if (!REQUEST.contains(k)) {
                throw bad("unknown member '" + k + "'; accepted: " + REQUEST);
            }
        }
        if (request.has("draftPolicyForAttestation")) {
            throw bad("draftPolicyForAttestation is not supported: this instance appraises with the attestation "
                    + "service's policies in config/attestation-policies");
        }
        JsonObject report = object(new String(b64url(string(request, "report"), "report"), StandardCharsets.UTF_8),
                "report (decoded)");
        for (String k : report.keySet()) {
            if (!REPORT.contains(k)) {
                throw bad("report: unknown member '" + k + "'; accepted: " + REPORT);
            }
        }
        byte[] snp = b64url(string(report, "SnpReport"), "report.SnpReport");
        if (snp.length != SNP_REPORT_SIZE) {
            throw bad("report.SnpReport is " + snp.length + " bytes, expected " + SNP_REPORT_SIZE
                    + " (an SEV-SNP ATTESTATION_REPORT)");
        }
        String chain = new String(b64url(string(report, "VcekCertChain"), "report.VcekCertChain"),
                StandardCharsets.UTF_8);
        if (!chain.contains("-----BEGIN CERTIFICATE-----")) {
            throw bad("report.VcekCertChain is not a PEM certificate chain (VCEK, ASK, ARK)");
        }
        if (!(request.get("runtimeData") instanceof JsonObject rd)) {
            throw bad("runtimeData is missing or not an object {data, dataType}");
        }
        byte[] data = b64url(string(rd, "data"), "runtimeData.data");
        String type = rd.has("dataType") ? string(rd, "dataType") : "Binary";
        if (!type.equals("JSON")) {
            throw bad("runtimeData.dataType is '" + type + "'; this instance takes JSON runtime data (the TEE's keys "
                    + "and the attestation service's nonce)");
        }
        byte[] digest = sha256(data);
        if (!Arrays.equals(Arrays.copyOfRange(snp, REPORT_DATA, REPORT_DATA + 32), digest)) {
            throw bad("the report's REPORT_DATA[0..32] is " + HexFormat.of().formatHex(snp, REPORT_DATA, REPORT_DATA
                    + 32) + ", not the SHA-256 of runtimeData.data " + HexFormat.of().formatHex(digest));
        }
        JsonObject runtime = object(new String(data, StandardCharsets.UTF_8), "runtimeData.data");
        String canonical = CanonicalJson.write(runtime);
        if (!Arrays.equals(canonical.getBytes(StandardCharsets.UTF_8), data)) {
            throw bad("runtimeData.data is not RFC 8785 canonical JSON; the attestation service binds the "
                    + "canonical form, so send it canonical");
        }
        if (!(runtime.get("nonce") instanceof JsonPrimitive n && n.isString())) {
            throw bad("runtimeData.data has no string member 'nonce': put a challenge of the attestation service "
                    + "(POST /as/v1/challenge) in it");
        }
        String nonce = request.has("nonce") ? string(request, "nonce") : null;

        String ear = appraise(snp, chain, runtime, n.getAsString());
        Map<String, Object> claims;
        try {
            claims = tokens.verify(ear);
        } catch (AttestationRefused e) {
            throw new KeyVaultError(500, "InternalError", "the attestation service's token does not verify: "
                    + e.getMessage());
        }
        Map<String, Object> snpFields = snpFields(claims);
        String rdHex = String.valueOf(snpFields.get("report_data"));
        if (!rdHex.toLowerCase().startsWith(HexFormat.of().formatHex(digest))) {
            throw bad("the appraised REPORT_DATA " + rdHex + " does not begin with the SHA-256 of runtimeData.data");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> rt = (Map<String, Object>) toJava(runtime);
        long now = clock.instant().getEpochSecond();
        byte[] jti = new byte[32];
        random.nextBytes(jti);
        Map<String, Object> maa = MaaClaims.of(claims, rt, issuer(), policyHash(claims), nonce, now, LIFETIME,
                HexFormat.of().formatHex(jti));
        return sign(maa);
    }

    /** @return the signed token (RS256, {@code jku} {@code <base>/maa/certs}, {@code kid}) */
    String sign(Map<String, Object> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        claims.forEach(b::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).jwkURL(URI.create(issuer() + "/certs")).build(), b.build());
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the MAA token failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** The attestation service over loopback HTTP, binding the canonical runtime data by SHA-256. */
    private String appraise(byte[] snp, String chainPem, JsonObject runtime, String nonce) {
        JsonObject ev = new JsonObject();
        ev.addProperty("format", "sev-snp-report");
        ev.addProperty("evidence", Base64.getEncoder().encodeToString(snp));
        ev.addProperty("certificates", chainPem);
        JsonObject req = new JsonObject();
        req.add("evidence", ev);
        req.addProperty("nonce", nonce);
        req.add("runtime_data", runtime);
        req.addProperty("runtime_data_hash_algorithm", "sha256");
        HttpResponse<String> r;
        String url = endpoint.baseUrl() + "/as/v1/attest";
        try {
            r = http.get().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            req.toString())).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new KeyVaultError(503, "ServiceUnavailable", "the attestation service at " + url
                    + " cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyVaultError(503, "ServiceUnavailable", "interrupted");
        }
        JsonObject o;
        try {
            o = JsonParser.parseString(r.body()).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new KeyVaultError(502, "BadGateway", "the attestation service answered HTTP " + r.statusCode()
                    + " " + r.body());
        }
        if (r.statusCode() != 200) {
            String type = o.has("type") ? o.get("type").getAsString() : "";
            String problem = type.substring(type.lastIndexOf('/') + 1);
            throw new KeyVaultError(r.statusCode() >= 500 ? 500 : 400, r.statusCode() >= 500 ? "InternalError"
                    : "InvalidParameter", "the attestation service refused the evidence: " + problem + ": "
                            + (o.has("detail") ? o.get("detail").getAsString() : r.body()));
        }
        return o.get("token").getAsString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> snpFields(Map<String, Object> ear) {
        try {
            Map<String, Object> cpu0 = (Map<String, Object>) ((Map<String, Object>) ear.get("submods")).get("cpu0");
            return (Map<String, Object>) ((Map<String, Object>) cpu0.get("ear.veraison.annotated-evidence"))
                    .get("snp");
        } catch (ClassCastException | NullPointerException e) {
            throw new KeyVaultError(500, "InternalError", "the attestation service's token has no SNP evidence");
        }
    }

    /** The base64url SHA-256 of the appraisal policy's id, standing in for MAA's hash of its policy text. */
    @SuppressWarnings("unchecked")
    static String policyHash(Map<String, Object> ear) {
        Object id = null;
        if (ear.get("submods") instanceof Map<?, ?> s && s.get("cpu0") instanceof Map<?, ?> c) {
            id = c.get("ear.appraisal-policy-id");
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(String.valueOf(id).getBytes(
                StandardCharsets.UTF_8)));
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Object toJava(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e instanceof JsonObject o) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            o.entrySet().forEach(x -> m.put(x.getKey(), toJava(x.getValue())));
            return m;
        }
        if (e.isJsonArray()) {
            List<Object> l = new java.util.ArrayList<>();
            e.getAsJsonArray().forEach(x -> l.add(toJava(x)));
            return l;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            java.math.BigDecimal d = p.getAsBigDecimal();
            boolean integral = d.stripTrailingZeros().scale() <= 0
                    && d.abs().compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
            return integral ? (Object) d.longValue() : d.doubleValue();
        }
        return p.getAsString();
    }

    static KeyVaultError bad(String message) {
        return new KeyVaultError(400, "InvalidParameter", message);
    }

    static JsonObject object(String text, String what) {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (e instanceof JsonObject o) {
                return o;
            }
        } catch (JsonParseException | ArithmeticException e) {
            throw bad(what + " is not JSON: " + e.getMessage());
        }
        throw bad(what + " is not a JSON object");
    }

    static String string(JsonObject o, String name) {
        if (!(o.get(name) instanceof JsonPrimitive p && p.isString())) {
            throw bad(name + " is " + (o.has(name) ? "not a string" : "missing"));
        }
        return p.getAsString();
    }

    static byte[] b64url(String s, String what) {
        try {
            return Base64.getUrlDecoder().decode(s.replace('+', '-').replace('/', '_').replace("=", ""));
        } catch (IllegalArgumentException e) {
            throw bad(what + " is not base64url: " + e.getMessage());
        }
    }
}
