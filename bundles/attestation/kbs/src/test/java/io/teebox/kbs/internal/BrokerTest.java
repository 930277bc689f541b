package io.teebox.kbs.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import io.teebox.api.testing.TestClock;

/** RCAR through the broker without HTTP: auth, attest, resource, and each refusal with its status and problem. */
public class BrokerTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final FakeTokens tokens = new FakeTokens();
    private Broker broker;
    private ECKey tee;

    @Before
    public void setUp() throws Exception {
        MvResourceStore store = new MvResourceStore(tmp.getRoot().toPath().resolve("kbs.mv"));
        broker = new Broker(tokens, store, AdminAuth.kept(tmp.getRoot().toPath().resolve("kbs"), clock), clock,
                Duration.ofSeconds(120), 100);
        broker.setResource(ResourcePath.parse("default/key/disk"), "s3cret".getBytes(StandardCharsets.UTF_8));
        tee = new ECKeyGenerator(Curve.P_384).generate();
    }

    @After
    public void tearDown() {
        broker.close();
    }

    /** Auth and attest; returns the session id and the token. */
    private String[] attest(boolean affirming) {
        Broker.Auth a = broker.auth("{\"version\":\"0.1.1\",\"tee\":\"snp\",\"extra-params\":{}}");
        String nonce = a.challenge().get("nonce").getAsString();
        JsonObject rd = new JsonObject();
        rd.addProperty("nonce", nonce);
        rd.add("tee-pubkey", JsonParser.parseString(tee.toPublicJWK().toJSONString()));
        byte[] ev = FakeTokens.evidence(tokens.reportData("sev-snp-report", nonce, rd.toString()), affirming);
        String body = "{\"runtime-data\":" + rd + ",\"tee-evidence\":{\"format\":\"sev-snp-report\",\"evidence\":\""
                + Base64.getEncoder().encodeToString(ev) + "\"}}";
        return new String[] {a.session().id, broker.attest(a.session().id, body)};
    }

    @Test
    public void anAffirmedSessionGetsTheSecretWrappedToItsKeyByCookieAndByBearerToken() {
        String[] s = attest(true);
        JsonObject jwe = broker.resource(s[0], null, ResourcePath.parse("default/key/disk"));
        assertEquals("s3cret", new String(TeeKeys.unwrap(jwe.toString(), tee), StandardCharsets.UTF_8));
        JsonObject byToken = broker.resource(null, "Bearer " + s[1], ResourcePath.parse("default/key/disk"));
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), TeeKeys.unwrap(byToken.toString(), tee));
        KbsProblem missing = assertThrows(KbsProblem.class, () -> broker.resource(s[0], null,
                ResourcePath.parse("default/key/other")));
        assertEquals(404, missing.status);
        assertEquals(KbsProblem.TYPE_PREFIX + "ResourceNotFound", missing.type());
    }

    @Test
    public void aContraindicatedGuestIsDenied403WithTheServicesReason() {
        String[] s = attest(false);
        KbsProblem p = assertThrows(KbsProblem.class, () -> broker.resource(s[0], null,
                ResourcePath.parse("default/key/disk")));
        assertEquals(403, p.status);
        assertEquals("PolicyDeny", p.name);
        assertTrue(p.getMessage(), p.getMessage().contains("submods.cpu0.ear.status is 'contraindicated'"));
        assertTrue(p.getMessage(), p.getMessage().contains("cpu0: debug: the guest allows debugging"));
    }

    @Test
    public void refusalsCarryTrusteesStatusesAndProblems() {
        Broker.Auth a = broker.auth("{\"version\":\"0.1.1\",\"tee\":\"tdx\",\"extra-params\":{}}");
        assertEquals("UnAuthenticatedCookie", assertThrows(KbsProblem.class, () -> broker.resource(a.session().id,
                null, ResourcePath.parse("default/key/disk"))).name);
        KbsProblem wrongNonce = assertThrows(KbsProblem.class, () -> broker.attest(a.session().id,
                "{\"runtime-data\":{\"nonce\":\"other\",\"tee-pubkey\":{}},\"tee-evidence\":{}}"));
        assertEquals(401, wrongNonce.status);
        assertEquals("AttestationFailed", wrongNonce.name);
        assertEquals("InvalidRequest", assertThrows(KbsProblem.class, () -> broker.auth("{\"version\":\"1.0.0\","
                + "\"tee\":\"snp\"}")).name);
        assertTrue(assertThrows(KbsProblem.class, () -> broker.auth("{\"version\":\"0.1.0\",\"tee\":\"cca\"}"))
                .getMessage().contains("tee is 'cca'"));
        assertEquals("TokenVerification", assertThrows(KbsProblem.class, () -> broker.resource(null,
                "Bearer forged", ResourcePath.parse("default/key/disk"))).name);
        assertEquals("MissingCookie", assertThrows(KbsProblem.class, () -> broker.resource(null, null,
                ResourcePath.parse("default/key/disk"))).name);
        assertEquals(404, assertThrows(KbsProblem.class, () -> ResourcePath.parse("a/../b")).status);
        assertEquals(404, assertThrows(KbsProblem.class, () -> ResourcePath.parse("a/b")).status);
    }

    @Test
    public void evidenceOfAnotherKeyFailsAttestationAndTheSessionExpires() {
        Broker.Auth a = broker.auth("{\"version\":\"0.1.1\",\"tee\":\"snp\",\"extra-params\":{}}");
        String nonce = a.challenge().get("nonce").getAsString();
        JsonObject rd = new JsonObject();
        rd.addProperty("nonce", nonce);
        rd.add("tee-pubkey", JsonParser.parseString(tee.toPublicJWK().toJSONString()));
        byte[] ev = FakeTokens.evidence(new byte[64], true);
        KbsProblem p = assertThrows(KbsProblem.class, () -> broker.attest(a.session().id, "{\"runtime-data\":" + rd
                + ",\"tee-evidence\":{\"evidence\":\"" + Base64.getEncoder().encodeToString(ev) + "\"}}"));
        assertEquals(401, p.status);
        assertTrue(p.getMessage(), p.getMessage().contains("EvidenceNotBound"));
        clock.advance(Duration.ofSeconds(121));
        assertEquals("ExpiredCookie", assertThrows(KbsProblem.class, () -> broker.sessions().get(a.session().id))
                .name);
    }

    @Test
    public void aNewPolicyIsKeptAndABadOneLeavesTheOldInForce() {
        String open = "{\"rules\":[{\"resources\":[\"default/key/*\"],\"allow\":[]}]}";
        broker.setPolicy(open);
        String[] s = attest(false);
        assertEquals("s3cret", new String(TeeKeys.unwrap(broker.resource(s[0], null,
                ResourcePath.parse("default/key/disk")).toString(), tee), StandardCharsets.UTF_8));
        assertThrows(KbsProblem.class, () -> broker.setPolicy("{\"rules\": 1}"));
        assertEquals(open, broker.policy());
        assertEquals(open, broker.store().policy().orElseThrow());
    }
}
