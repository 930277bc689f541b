package io.teebox.attestation.gcp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Before;
import org.junit.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.attestation.api.AttestationRefused;

/** The Confidential Computing endpoint: challenges, the request's checks, the token's claims and its PKI chain. */
public class ConfidentialComputingTest {

    private FakeTokens tokens;
    private Fixtures.MutableClock clock;
    private ConfidentialComputing cc;

    @Before
    public void setUp() {
        tokens = new FakeTokens();
        clock = new Fixtures.MutableClock();
        cc = Fixtures.service(tokens, clock);
    }

    private String challenge() {
        return cc.createChallenge("teebox-project", "us-central1").get("name").getAsString();
    }

    private static JsonObject request(JsonObject options) {
        JsonObject ccel = new JsonObject();
        ccel.addProperty("tdQuote", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4}));
        JsonObject r = new JsonObject();
        r.add("tdCcel", ccel);
        if (options != null) {
            r.add("tokenOptions", options);
        }
        JsonObject ext = new JsonObject();
        ext.addProperty("instance", "td1");
        r.add("teebox", ext);
        return r;
    }

    private static JsonObject options(String audience, String... nonces) {
        JsonObject o = new JsonObject();
        o.addProperty("audience", audience);
        JsonArray a = new JsonArray();
        for (String n : nonces) {
            a.add(n);
        }
        o.add("nonce", a);
        return o;
    }

    private static Map<String, Object> claims(String token) throws Exception {
        return SignedJWT.parse(token).getJWTClaimsSet().toJSONObject();
    }

    private GcpError refused(JsonObject request) {
        String name = challenge();
        return assertThrows(GcpError.class, () -> cc.verifyAttestation(name, request));
    }

    @Test
    public void aChallengeIsGooglesShapeAndCarriesTheAttestationServicesNonce() {
        JsonObject c = cc.createChallenge("teebox-project", "us-central1");
        assertTrue(c.get("name").getAsString(), c.get("name").getAsString().matches(
                "projects/teebox-project/locations/us-central1/challenges/[0-9a-f-]{36}"));
        assertEquals("nonce-1", c.get("tpmNonce").getAsString());
        assertEquals(false, c.get("used").getAsBoolean());
        assertEquals("2026-12-01T12:00:00Z", c.get("createTime").getAsString());
        assertNotNull(c.get("expireTime"));
        assertEquals(403, assertThrows(GcpError.class, () -> cc.createChallenge("other-project", "us-central1"))
                .code());
        assertEquals("INVALID_ARGUMENT", assertThrows(GcpError.class, () -> cc.createChallenge("teebox-project",
                "US Central")).status());
        cc.createChallenge("123456789012", "us-central1"); // the project number names it too
    }

    @Test
    public void theTokenHasGooglesDocumentedShape() throws Exception {
        JsonObject google;
        try (InputStream in = getClass().getResourceAsStream("/google/confidential-vm-token-claims.json")) {
            google = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
        String token = cc.verifyAttestation(challenge(), request(options("https://kms.example", "thisIsAcustomNonce",
                "thisIsAMuchLongerCustomNonceWithPaddingFor74Bytes0000000000000000000000000")));
        JsonObject ours = JsonParser.parseString(SignedJWT.parse(token).getPayload().toString()).getAsJsonObject();
        for (Map.Entry<String, JsonElement> e : google.entrySet()) {
            if (e.getKey().equals("google_service_accounts")) {
                continue; // only with gcpCredentials, which a TD in teebox has none of
            }
            assertTrue("the token lacks Google's claim " + e.getKey(), ours.has(e.getKey()));
            assertEquals(e.getKey() + "'s JSON type", kind(e.getValue()), kind(ours.get(e.getKey())));
        }
        JsonObject gce = ours.getAsJsonObject("submods").getAsJsonObject("gce");
        assertEquals(google.getAsJsonObject("submods").getAsJsonObject("gce").keySet(), gce.keySet());
        gce.entrySet().forEach(x -> assertEquals(x.getKey(), "string", kind(x.getValue())));

        Map<String, Object> c = claims(token);
        assertEquals("https://confidentialcomputing.googleapis.com", c.get("iss"));
        assertEquals("https://kms.example", c.get("aud"));
        assertEquals("https://www.googleapis.com/compute/v1/projects/teebox-project/zones/us-central1-a/instances/td1",
                c.get("sub"));
        assertEquals("GCP_INTEL_TDX", c.get("hwmodel"));
        assertEquals("GCE", c.get("swname"));
        assertEquals(List.of("20261201"), c.get("swversion"));
        assertEquals(11129L, c.get("oemid"));
        assertEquals("disabled-since-boot", c.get("dbgstat"));
        assertEquals(List.of("INTEL"), c.get("attester_tcb"));
        assertEquals(clock.now.getEpochSecond(), c.get("iat"));
        assertEquals(clock.now.getEpochSecond(), c.get("nbf"));
        assertEquals(clock.now.getEpochSecond() + 3600, c.get("exp"));
        Map<String, Object> submods = ConfidentialComputing.map(c.get("submods"));
        assertEquals(Fixtures.PROJECT.instanceId("g-1"), ConfidentialComputing.map(submods.get("gce"))
                .get("instance_id"));
        Map<String, Object> tdx = ConfidentialComputing.map(submods.get("tdx"));
        assertEquals(tokens.mrtd, tdx.get("mrtd"));
        assertEquals("0000000000000000", tdx.get("td_attributes"));
        assertEquals("affirming", tdx.get("ear_status"));

        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertEquals(Fixtures.SIGNER.keyId(), jwt.getHeader().getKeyID());
        assertTrue(jwt.getHeader().getKeyID().matches("[0-9a-f]{40}"));
        assertNull("an OIDC token has no x5c", jwt.getHeader().getX509CertChain());
        RSAKey jwk = (RSAKey) JWKSet.parse(Fixtures.SIGNER.jwks()).getKeyByKeyId(Fixtures.SIGNER.keyId());
        assertTrue("the token verifies with the JWKS alone", jwt.verify(new RSASSAVerifier(jwk)));
    }

    private static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "array";
        }
        if (e.isJsonObject()) {
            return "object";
        }
        if (e.getAsJsonPrimitive().isBoolean()) {
            return "bool";
        }
        return e.getAsJsonPrimitive().isNumber() ? "number" : "string";
    }

    @Test
    public void theQuoteIsAppraisedWithTheChallengeNonceAndTheInstanceBound() {
        String name = challenge();
        cc.verifyAttestation(name, request(null));
        assertEquals(List.of("tdx-quote-v4:nonce-1:4"), tokens.attested);
        assertEquals("{\"nonce\":\"nonce-1\",\"instance\":\"td1\"}", tokens.runtimeData.get(0));
    }

    @Test
    public void aDebugTdIsDbgstatEnabled() throws Exception {
        tokens.tdAttributes = "0x0000000000000001 (DEBUG)";
        Map<String, Object> c = claims(cc.verifyAttestation(challenge(), request(null)));
        assertEquals("enabled", c.get("dbgstat"));
        assertEquals("https://sts.googleapis.com", c.get("aud"));
        assertNull("no nonces asked, none given", c.get("eat_nonce"));
    }

    @Test
    public void eatNonceTakesOneToSixNoncesOfEightTo88Bytes() throws Exception {
        assertEquals("12345678", claims(cc.verifyAttestation(challenge(), request(options("a", "12345678"))))
                .get("eat_nonce"));
        String n88 = "n".repeat(88);
        assertEquals(List.of(n88, "abcdefgh"), claims(cc.verifyAttestation(challenge(), request(options("a", n88,
                "abcdefgh")))).get("eat_nonce"));
        String[] six = {"nonce-01", "nonce-02", "nonce-03", "nonce-04", "nonce-05", "nonce-06"};
        assertEquals(List.of(six), claims(cc.verifyAttestation(challenge(), request(options("a", six))))
                .get("eat_nonce"));

        String[] seven = {"nonce-01", "nonce-02", "nonce-03", "nonce-04", "nonce-05", "nonce-06", "nonce-07"};
        GcpError e = refused(request(options("a", seven)));
        assertEquals("INVALID_ARGUMENT", e.status());
        assertEquals("tokenOptions.nonce has 7 nonces, at most 6", e.getMessage());
        assertEquals("tokenOptions.nonce[0] is 7 bytes; each nonce must be 8 to 88 bytes",
                refused(request(options("a", "1234567"))).getMessage());
        assertEquals("tokenOptions.nonce[1] is 89 bytes; each nonce must be 8 to 88 bytes",
                refused(request(options("a", "12345678", "n".repeat(89)))).getMessage());
        // bytes, not characters: four 3-byte characters are 12 bytes
        assertEquals("\u20ac\u20ac\u20ac", claims(cc.verifyAttestation(challenge(), request(options("a",
                "\u20ac\u20ac\u20ac")))).get("eat_nonce"));
        assertEquals(400, refused(request(options("a".repeat(513)))).code());
    }

    @Test
    public void aChallengeIsUsedOnceAndExpires() {
        String name = challenge();
        cc.verifyAttestation(name, request(null));
        GcpError again = assertThrows(GcpError.class, () -> cc.verifyAttestation(name, request(null)));
        assertEquals("FAILED_PRECONDITION", again.status());
        assertTrue(again.getMessage(), again.getMessage().endsWith("was already used"));

        assertEquals("NOT_FOUND", assertThrows(GcpError.class, () -> cc.verifyAttestation(
                "projects/teebox-project/locations/us-central1/challenges/nope", request(null))).status());

        String late = challenge();
        clock.now = clock.now.plusSeconds(86400 * 2);
        GcpError expired = assertThrows(GcpError.class, () -> cc.verifyAttestation(late, request(null)));
        assertEquals("FAILED_PRECONDITION", expired.status());
        assertTrue(expired.getMessage(), expired.getMessage().contains("expired at"));
    }

    @Test
    public void aQuoteThatDoesNotVerifyGetsNoToken() {
        tokens.instanceIdentity = 96;
        GcpError e = refused(request(null));
        assertEquals("FAILED_PRECONDITION", e.status());
        assertEquals("the TD quote does not verify: quote_signature: the quote's signature does not verify with the "
                + "attestation key", e.getMessage());
        tokens.refuse = new AttestationRefused(403, "EvidenceNotBound", "report data 00.. is not the binding 1f..");
        GcpError unbound = refused(request(null));
        assertEquals("FAILED_PRECONDITION", unbound.status());
        assertTrue(unbound.getMessage(), unbound.getMessage().contains("does not bind challenge"));
    }

    @Test
    public void malformedRequestsAreInvalidArgumentNamingTheField() {
        JsonObject noQuote = request(null);
        noQuote.getAsJsonObject("tdCcel").remove("tdQuote");
        assertEquals("tdCcel.tdQuote is missing: the TD quote, base64", refused(noQuote).getMessage());
        JsonObject badQuote = request(null);
        badQuote.getAsJsonObject("tdCcel").addProperty("tdQuote", "not base64!");
        assertTrue(refused(badQuote).getMessage().startsWith("tdCcel.tdQuote is not base64"));
        JsonObject acpi = request(null);
        acpi.getAsJsonObject("tdCcel").addProperty("ccelAcpiTable", Base64.getEncoder().encodeToString(new byte[40]));
        assertTrue(refused(acpi).getMessage().startsWith("tdCcel.ccelAcpiTable is not a CCEL ACPI table"));
        JsonObject snp = request(null);
        snp.add("sevSnpAttestation", new JsonObject());
        assertTrue(refused(snp).getMessage().startsWith("sevSnpAttestation: teebox's endpoint appraises TDX"));
        JsonObject noInstance = request(null);
        noInstance.remove("teebox");
        assertTrue(refused(noInstance).getMessage().startsWith("teebox.instance is missing"));
        JsonObject unknown = request(null);
        unknown.getAsJsonObject("teebox").addProperty("instance", "td9");
        assertEquals("teebox.instance: no instance named 'td9' in project teebox-project zone us-central1-a",
                refused(unknown).getMessage());
        JsonObject type = request(options("a"));
        type.getAsJsonObject("tokenOptions").addProperty("tokenType", "TOKEN_TYPE_LIMITED_AWS");
        assertTrue(refused(type).getMessage().startsWith("tokenOptions.tokenType 'TOKEN_TYPE_LIMITED_AWS'"));
        JsonObject snake = new JsonObject();
        JsonObject ccel = new JsonObject();
        ccel.addProperty("td_quote", Base64.getEncoder().encodeToString(new byte[] {9}));
        snake.add("td_ccel", ccel);
        snake.add("teebox", request(null).get("teebox"));
        cc.verifyAttestation(challenge(), snake); // the proto's own field names are accepted too
        assertTrue(tokens.attested.get(0).endsWith(":1"));
    }

    @Test
    public void aPkiTokensChainVerifiesToTheServedRoot() throws Exception {
        JsonObject o = options("a");
        o.addProperty("tokenType", "TOKEN_TYPE_PKI");
        SignedJWT jwt = SignedJWT.parse(cc.verifyAttestation(challenge(), request(o)));
        List<com.nimbusds.jose.util.Base64> x5c = jwt.getHeader().getX509CertChain();
        assertEquals("leaf, intermediate, root", 3, x5c.size());
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = new ArrayList<>();
        for (com.nimbusds.jose.util.Base64 b : x5c) {
            chain.add((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(b.decode())));
        }
        X509Certificate root = (X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(
                Fixtures.SIGNER.rootPem().getBytes(StandardCharsets.US_ASCII)));
        assertEquals("the served root is the chain's", root, chain.get(2));
        validate(chain.subList(0, 2), root);
        assertTrue("the leaf signs the token", jwt.verify(new RSASSAVerifier((RSAPublicKey) chain.get(0)
                .getPublicKey())));
        assertTrue(chain.get(2).getSubjectX500Principal().getName().contains("Confidential Space Root"));

        // another PKI's root does not anchor this chain
        GcpSigner other = GcpSigner.kept((name, create) -> GcpSigner.generate().getBytes(StandardCharsets.UTF_8));
        assertThrows(CertPathValidatorException.class, () -> validate(chain.subList(0, 2), other.chain().get(2)));
    }

    private static void validate(List<X509Certificate> chain, X509Certificate root) throws Exception {
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, p);
    }

    @Test
    public void theDiscoveryDocumentNamesGooglesIssuerAndTheServedJwks() {
        JsonObject d = GcpServlet.discovery("http://127.0.0.1:8440/gcp");
        assertEquals("https://confidentialcomputing.googleapis.com", d.get("issuer").getAsString());
        assertEquals("http://127.0.0.1:8440/gcp/.well-known/jwks", d.get("jwks_uri").getAsString());
        assertEquals("RS256", d.getAsJsonArray("id_token_signing_alg_values_supported").get(0).getAsString());
    }

    @Test
    public void theKeptPkiSurvivesARestartAndABadFileIsNamed() {
        byte[] json = GcpSigner.generate().getBytes(StandardCharsets.UTF_8);
        GcpSigner a = GcpSigner.kept((name, create) -> json);
        GcpSigner b = GcpSigner.kept((name, create) -> json);
        assertEquals(a.keyId(), b.keyId());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GcpSigner.kept((name, create) ->
                "{}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage(), e.getMessage().startsWith("the kept attestation PKI gcp/attestation-pki.json "
                + "does not parse"));
    }

    @Test
    public void tdAttributesAreReadFromTheVerifiersClaim() {
        assertEquals(1L, ConfidentialComputing.parseAttributes("0x0000000000000001 (DEBUG)"));
        assertEquals(0x10000000L, ConfidentialComputing.parseAttributes("0x0000000010000000"));
        assertEquals(500, assertThrows(GcpError.class, () -> ConfidentialComputing.parseAttributes(null)).code());
        assertEquals(500, assertThrows(GcpError.class, () -> ConfidentialComputing.parseAttributes("0x")).code());
    }
}
