package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.api.testing.TestClock;
import io.teebox.api.attestation.Evidence;
import io.teebox.attestation.api.AttestationRefused;
import io.teebox.attestation.api.Challenge;

/** The in-process API over the engine: Trustee's binding of {nonce, tee-pubkey}, tokens, and their verification. */
public class AttestationTokensProviderTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private AttestationTokensProvider tokens;

    @Before
    public void setUp() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Files.writeString(dir.resolve("default.json"), "{\"id\": \"default\", \"formats\": {}}");
        PolicyDirectory policies = new PolicyDirectory(dir, s -> { });
        policies.scan();
        AttestationEngineTest.TestVerifier verifier = new AttestationEngineTest.TestVerifier();
        AttestationEngine engine = new AttestationEngine(new Nonces(clock, Duration.ofSeconds(60), 100,
                new SecureRandom()), policies, f -> f.equals(AttestationEngineTest.FORMAT) ? verifier : null,
                () -> Set.of(AttestationEngineTest.FORMAT), List::of, new EarSigner(EarSigner.generate()), clock,
                Duration.ofSeconds(300), "test");
        tokens = new AttestationTokensProvider(engine, clock);
    }

    private static String runtimeData(String nonce) {
        // members out of order and spaced: the binding is over the canonical form
        return "{ \"tee-pubkey\": {\"y\": \"Y\", \"kty\": \"EC\", \"crv\": \"P-384\", \"x\": \"X\"}, \"nonce\": \""
                + nonce + "\" }";
    }

    @Test
    public void reportDataIsTheSha384OfTheCanonicalRuntimeDataZeroPadded() throws Exception {
        Challenge c = tokens.challenge();
        byte[] rd = tokens.reportData(AttestationEngineTest.FORMAT, c.nonce(), runtimeData(c.nonce()));
        String canonical = "{\"nonce\":\"" + c.nonce() + "\",\"tee-pubkey\":{\"crv\":\"P-384\",\"kty\":\"EC\","
                + "\"x\":\"X\",\"y\":\"Y\"}}";
        byte[] want = Arrays.copyOf(MessageDigest.getInstance("SHA-384").digest(canonical
                .getBytes(StandardCharsets.UTF_8)), 64);
        assertArrayEquals(want, rd);
        assertEquals(Instant.parse("2026-03-01T10:01:00Z"), c.expires());
    }

    @Test
    public void aTokenForBoundEvidenceVerifiesCarriesTheTeeKeyAndExpires() {
        Challenge c = tokens.challenge();
        String rd = runtimeData(c.nonce());
        byte[] report = AttestationEngineTest.evidence(tokens.reportData(AttestationEngineTest.FORMAT, c.nonce(), rd),
                new byte[] {1, 2, 3, 4}, false);
        String token = tokens.attest(new Evidence(AttestationEngineTest.FORMAT, report, List.of(), Map.of()),
                c.nonce(), rd);
        Map<String, Object> claims = tokens.verify(token);
        Map<?, ?> cpu0 = (Map<?, ?>) ((Map<?, ?>) claims.get("submods")).get("cpu0");
        assertEquals("affirming", cpu0.get("ear.status"));
        Map<?, ?> annotated = (Map<?, ?>) cpu0.get("ear.veraison.annotated-evidence");
        assertEquals("X", ((Map<?, ?>) ((Map<?, ?>) annotated.get("runtime_data_claims")).get("tee-pubkey"))
                .get("x"));

        String[] parts = token.split("\\.");
        char last = parts[1].charAt(5);
        parts[1] = parts[1].substring(0, 5) + (last == 'A' ? 'B' : 'A') + parts[1].substring(6);
        AttestationRefused tampered = assertThrows(AttestationRefused.class, () -> tokens.verify(String.join(".",
                parts)));
        assertEquals(401, tampered.status());
        // the same claims signed by another P-384 key: the signature check, not the parse, refuses it
        String forged = new EarSigner(EarSigner.generate()).sign(new java.util.LinkedHashMap<>(claims));
        AttestationRefused foreign = assertThrows(AttestationRefused.class, () -> tokens.verify(forged));
        assertEquals(401, foreign.status());
        assertTrue(foreign.getMessage(), foreign.getMessage().startsWith("the token's signature does not verify"));

        clock.advance(Duration.ofSeconds(301));
        AttestationRefused expired = assertThrows(AttestationRefused.class, () -> tokens.verify(token));
        assertEquals("ExpiredToken", expired.problem());
    }

    @Test
    public void evidenceBindingAnotherKeyIsRefused403AndItsNonceUsedUp() {
        Challenge c = tokens.challenge();
        byte[] other = tokens.reportData(AttestationEngineTest.FORMAT, c.nonce(), runtimeData(c.nonce())
                .replace("\"X\"", "\"Z\""));
        byte[] report = AttestationEngineTest.evidence(other, new byte[] {1, 2, 3, 4}, false);
        Evidence e = new Evidence(AttestationEngineTest.FORMAT, report, List.of(), Map.of());
        AttestationRefused r = assertThrows(AttestationRefused.class, () -> tokens.attest(e, c.nonce(),
                runtimeData(c.nonce())));
        assertEquals(403, r.status());
        assertEquals("EvidenceNotBound", r.problem());
        AttestationRefused again = assertThrows(AttestationRefused.class, () -> tokens.attest(e, c.nonce(),
                runtimeData(c.nonce())));
        assertEquals(401, again.status());
        assertTrue(tokens.jwks().contains("P-384"));
    }
}
