package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.google.gson.JsonObject;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.testing.TestClock;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;

/**
 * The engine with a verifier of a test format whose evidence is 64 bytes of report data, 4 of measurement and a
 * debug flag; the verifier takes reference value {@code measurement} and policy {@code allow_debug}.
 */
public class AttestationEngineTest {

    static final String FORMAT = "test-report";

    /** The test format's verifier. */
    static final class TestVerifier implements EvidenceVerifier {
        VerificationOptions last;

        @Override
        public String format() {
            return FORMAT;
        }

        @Override
        public Appraisal verify(Evidence e, VerificationOptions options) {
            last = options;
            byte[] r = e.report();
            if (r.length != 69) {
                return Appraisal.of(FORMAT, Map.of(), List.of(new Check("format", "is " + r.length + " bytes, "
                        + "expected 69")), null);
            }
            byte[] m = Arrays.copyOfRange(r, 64, 68);
            List<Check> checks = new ArrayList<>();
            checks.add(Check.passed("signature", "ok"));
            String want = options.referenceValues().get("measurement");
            checks.add(want == null || want.equals(Bytes.of(m).hex()) ? Check.passed("measurement", "ok")
                    : new Check("measurement", "is " + Bytes.of(m).hex() + ", expected " + want));
            checks.add(r[68] == 0 || "true".equals(options.policy().get("allow_debug")) ? Check.passed("debug", "ok")
                    : new Check("debug", "the guest allows debugging, which policy allow_debug=false forbids"));
            return Appraisal.of(FORMAT, Map.of("measurement", Bytes.of(m), "debug", r[68] != 0), checks,
                    Bytes.of(Arrays.copyOf(r, 64)));
        }
    }

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final TestVerifier verifier = new TestVerifier();
    private final List<String> log = new ArrayList<>();
    private AttestationEngine engine;
    private ECKey key;

    @Before
    public void setUp() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Files.writeString(dir.resolve("default.json"), "{\"id\": \"default\", \"formats\": {\"" + FORMAT
                + "\": {\"reference_values\": {\"measurement\": [\"0a0b0c0d\", \"01020304\"]}}}}");
        PolicyDirectory policies = new PolicyDirectory(dir, log::add);
        policies.scan();
        key = EarSigner.generate();
        engine = new AttestationEngine(new Nonces(clock, Duration.ofSeconds(60), 100, new SecureRandom()), policies,
                f -> f.equals(FORMAT) ? verifier : null, () -> Set.of(FORMAT), List::of, new EarSigner(key), clock,
                Duration.ofSeconds(300), "test");
    }

    static byte[] evidence(byte[] reportData, byte[] measurement, boolean debug) {
        byte[] r = new byte[69];
        System.arraycopy(reportData, 0, r, 0, reportData.length);
        System.arraycopy(measurement, 0, r, 64, 4);
        r[68] = (byte) (debug ? 1 : 0);
        return r;
    }

    static byte[] bind(String nonce) throws Exception {
        return MessageDigest.getInstance("SHA-384").digest(("{\"nonce\":\"" + nonce + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private String request(byte[] evidence, String nonce, String extra) {
        return "{\"evidence\": {\"format\": \"" + FORMAT + "\", \"evidence\": \""
                + Base64.getEncoder().encodeToString(evidence) + "\"}, \"nonce\": \"" + nonce + "\"" + extra + "}";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cpu0(SignedJWT jwt) throws Exception {
        return (Map<String, Object>) jwt.getJWTClaimsSet().getJSONObjectClaim("submods").get("cpu0");
    }

    @Test
    public void evidenceBindingTheNonceGetsAnAffirmingTokenThatVerifiesWithTheJwks() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String token = engine.attest(request(evidence(bind(nonce), new byte[] {1, 2, 3, 4}, false), nonce, ""));
        SignedJWT jwt = SignedJWT.parse(token);
        ECKey published = (ECKey) JWKSet.parse(engine.signer().jwks()).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertTrue(EarSigner.verifies(token, published));
        assertFalse(published.isPrivate());
        assertEquals("ES384", jwt.getHeader().getAlgorithm().getName());
        assertEquals(key.toPublicJWK(), jwt.getHeader().getJWK());
        assertEquals(96, jwt.getSignature().decode().length); // raw r‖s, 48 bytes each
        assertEquals(nonce, jwt.getJWTClaimsSet().getStringClaim("eat_nonce"));
        assertEquals(300, (jwt.getJWTClaimsSet().getExpirationTime().getTime()
                - jwt.getJWTClaimsSet().getIssueTime().getTime()) / 1000);
        Map<String, Object> s = cpu0(jwt);
        assertEquals("affirming", s.get("ear.status"));
        assertEquals("default", s.get("ear.appraisal-policy-id"));
        Map<?, ?> tv = (Map<?, ?>) s.get("ear.trustworthiness-vector");
        assertEquals(2L, ((Number) tv.get("executables")).longValue());
        assertEquals(2L, ((Number) tv.get("instance-identity")).longValue());
        Map<?, ?> annotated = (Map<?, ?>) s.get("ear.veraison.annotated-evidence");
        assertEquals("01020304", ((Map<?, ?>) annotated.get(FORMAT)).get("measurement"));
        // the policy's list went to the service's own check, not to the verifier
        assertTrue(verifier.last.referenceValues().isEmpty());
    }

    @Test
    public void aTamperedTokenIsRefusedByVerification() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String token = engine.attest(request(evidence(bind(nonce), new byte[] {1, 2, 3, 4}, false), nonce, ""));
        assertTrue(EarSigner.verifies(token, key.toPublicJWK()));
        for (int at : new int[] {token.indexOf('.') + 5, token.lastIndexOf('.') + 5, 3}) {
            char[] c = token.toCharArray();
            c[at] = c[at] == 'A' ? 'B' : 'A';
            assertFalse("flipped at " + at, EarSigner.verifies(new String(c), key.toPublicJWK()));
        }
        assertFalse(EarSigner.verifies(token, EarSigner.generate().toPublicJWK()));
    }

    @Test
    public void aReusedUnknownOrExpiredNonceIs401() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        byte[] ev = evidence(bind(nonce), new byte[] {1, 2, 3, 4}, false);
        engine.attest(request(ev, nonce, ""));
        Problem reused = assertThrows(Problem.class, () -> engine.attest(request(ev, nonce, "")));
        assertEquals(401, reused.status);
        assertEquals("InvalidNonce", reused.name);
        String late = engine.challenge().get("nonce").getAsString();
        clock.advance(Duration.ofSeconds(61));
        Problem expired = assertThrows(Problem.class, () -> engine.attest(request(evidence(bind(late),
                new byte[] {1, 2, 3, 4}, false), late, "")));
        assertEquals(401, expired.status);
        assertEquals("ExpiredNonce", expired.name);
    }

    @Test
    public void evidenceWithOtherReportDataIs403NamingBoth() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        byte[] wrong = bind(nonce);
        wrong[0] ^= 1;
        Problem p = assertThrows(Problem.class, () -> engine.attest(request(evidence(wrong, new byte[] {1, 2, 3, 4},
                false), nonce, "")));
        assertEquals(403, p.status);
        assertEquals("EvidenceNotBound", p.name);
        assertTrue(p.getMessage(), p.getMessage().contains("sha384 of {\"nonce\":\"" + nonce + "\"}"));
    }

    @Test
    public void runtimeDataIsBoundCanonicallyAndMustCarryTheNonce() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String canonical = "{\"nonce\":\"" + nonce + "\",\"tee-pubkey\":{\"crv\":\"P-256\",\"kty\":\"EC\"}}";
        byte[] rd = MessageDigest.getInstance("SHA-512").digest(canonical.getBytes(StandardCharsets.UTF_8));
        String token = engine.attest(request(evidence(rd, new byte[] {1, 2, 3, 4}, false), nonce,
                ", \"runtime_data\": {\"tee-pubkey\": {\"kty\": \"EC\", \"crv\": \"P-256\"}, \"nonce\": \"" + nonce
                        + "\"}, \"runtime_data_hash_algorithm\": \"sha512\""));
        Map<?, ?> annotated = (Map<?, ?>) cpu0(SignedJWT.parse(token)).get("ear.veraison.annotated-evidence");
        assertEquals(nonce, ((Map<?, ?>) annotated.get("runtime_data_claims")).get("nonce"));
        String other = engine.challenge().get("nonce").getAsString();
        Problem p = assertThrows(Problem.class, () -> engine.attest(request(evidence(rd, new byte[4], false), other,
                ", \"runtime_data\": {\"tee-pubkey\": 1}")));
        assertEquals(400, p.status);
        assertTrue(p.getMessage(), p.getMessage().startsWith("runtime_data has no member 'nonce'"));
    }

    @Test
    public void failedChecksAreTierChangesWithReasonsNotRefusals() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String token = engine.attest(request(evidence(bind(nonce), new byte[] {9, 9, 9, 9}, true), nonce, ""));
        Map<String, Object> s = cpu0(SignedJWT.parse(token));
        assertEquals("contraindicated", s.get("ear.status"));
        Map<?, ?> tv = (Map<?, ?>) s.get("ear.trustworthiness-vector");
        assertEquals(96L, ((Number) tv.get("configuration")).longValue());
        assertEquals(96L, ((Number) tv.get("executables")).longValue());
        assertEquals(2L, ((Number) tv.get("instance-identity")).longValue());
        String reasons = s.get("teebox.reasons").toString();
        assertTrue(reasons, reasons.contains("allow_debug=false forbids"));
        assertTrue(reasons, reasons.contains("measurement is 09090909, none of the policy's 2 accepted values"));
    }

    @Test
    public void malformedRequestsAre400WithTheField() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String[][] cases = {
            {"{", "the request body is not JSON: "},
            {"[]", "the request body must be a JSON object"},
            {"{\"evidence\": 1, \"nonce\": \"x\"}", "evidence is missing or not an object"},
            {"{\"evidence\": {\"format\": \"" + FORMAT + "\", \"evidence\": \"!!\"}, \"nonce\": \"x\"}",
                "evidence.evidence is not base64"},
            {"{\"evidence\": {\"format\": \"" + FORMAT + "\", \"evidence\": \"AA==\"}}", "nonce is missing"},
            {"{\"evidence\": {\"format\": \"" + FORMAT + "\", \"evidence\": \"AA==\"}, \"nonce\": \"" + nonce
                + "\", \"extra\": 1}", "unknown member 'extra'"},
            {"{\"evidence\": {\"format\": \"" + FORMAT + "\", \"evidence\": \"AA==\", \"certificates\": [1]}, "
                + "\"nonce\": \"x\"}", "evidence.certificates[0] is a number"},
        };
        for (String[] c : cases) {
            Problem p = assertThrows(c[0], Problem.class, () -> engine.attest(c[0]));
            assertEquals(c[0], 400, p.status);
            assertTrue(c[0] + " -> " + p.getMessage(), p.getMessage().startsWith(c[1]));
        }
        Problem p = assertThrows(Problem.class, () -> engine.attest("{\"evidence\": {\"format\": \"sev\", "
                + "\"evidence\": \"AA==\"}, \"nonce\": \"" + nonce + "\"}"));
        assertEquals("no verifier for evidence format 'sev' is present; present: [test-report]", p.getMessage());
        // none of these used the nonce up
        engine.attest(request(evidence(bind(nonce), new byte[] {1, 2, 3, 4}, false), nonce, ""));
    }

    @Test
    public void theKeptKeyIsTheSameAfterARestart() {
        Map<String, byte[]> state = new java.util.HashMap<>();
        EarSigner first = EarSigner.kept((name, create) -> state.computeIfAbsent(name, n -> create.get()));
        EarSigner again = EarSigner.kept((name, create) -> state.computeIfAbsent(name, n -> create.get()));
        assertEquals(first.keyId(), again.keyId());
        assertEquals(first.publicKey(), again.publicKey());
        JsonObject jwks = StrictJson.parse(first.jwks()).getAsJsonObject();
        assertFalse(jwks.toString(), jwks.toString().contains("\"d\""));
    }
}
