package io.teebox.attestation.azure.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * The vault against an MAA instance whose keys a loopback HTTP server publishes at {@code /maa/certs}: durable keys,
 * refused policies, releases wrapped to the token's runtime key, and the refusals (tampered signature, another
 * authority, the policy, expiry).
 */
public class KeyVaultTest {

    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private HttpServer server;
    private String base;
    private Maa maa;
    private RSAKey tee;
    private Path dir;
    private KeyVault vault;

    @Before
    public void setUp() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        maa = new Maa(Maa.generate(), null, () -> base, Clock.fixed(NOW, ZoneOffset.UTC));
        server.createContext("/maa/certs", x -> {
            byte[] b = maa.jwks().getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
        tee = new RSAKeyGenerator(2048).keyID(KeyVault.TEE_KEY_ID).keyUse(KeyUse.ENCRYPTION).generate();
        dir = Files.createTempDirectory("akv");
        vault = vault();
    }

    private KeyVault vault() {
        return new KeyVault(dir, Maa.generate(), new byte[32], Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @After
    public void tearDown() {
        server.stop(0);
    }

    private static String policy(String issuer) {
        return AzureScenario.releasePolicy(issuer, "aa".repeat(48));
    }

    private String createBody(String policy) {
        JsonObject b = new JsonObject();
        b.addProperty("kty", "oct-HSM");
        JsonObject at = new JsonObject();
        at.addProperty("exportable", true);
        b.add("attributes", at);
        JsonObject rp = new JsonObject();
        rp.addProperty("data", Base64.getUrlEncoder().withoutPadding().encodeToString(policy.getBytes(
                StandardCharsets.UTF_8)));
        b.add("release_policy", rp);
        return b.toString();
    }

    private String version(JsonObject bundle) {
        String kid = bundle.getAsJsonObject("key").get("kid").getAsString();
        return kid.substring(kid.lastIndexOf('/') + 1);
    }

    private Map<String, Object> claims(boolean debuggable, long exp) throws Exception {
        Map<String, Object> tee2 = new LinkedHashMap<>();
        tee2.put("x-ms-attestation-type", "sevsnpvm");
        tee2.put("x-ms-compliance-status", "azure-compliant-cvm");
        tee2.put("x-ms-sevsnpvm-is-debuggable", debuggable);
        tee2.put("x-ms-sevsnpvm-launchmeasurement", "aa".repeat(48));
        @SuppressWarnings("unchecked")
        Map<String, Object> jwk = (Map<String, Object>) Maa.toJava(JsonParser.parseString(tee.toPublicJWK()
                .toJSONString()));
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("exp", exp);
        c.put("iat", NOW.getEpochSecond());
        c.put("iss", maa.issuer());
        c.put("nbf", NOW.getEpochSecond());
        c.put("x-ms-attestation-type", "sevsnpvm");
        c.put("x-ms-isolation-tee", tee2);
        c.put("x-ms-runtime", Map.of("keys", List.of(jwk)));
        return c;
    }

    private String token(boolean debuggable) throws Exception {
        return maa.sign(claims(debuggable, NOW.getEpochSecond() + 3600));
    }

    private static String release(String token) {
        JsonObject r = new JsonObject();
        r.addProperty("target", token);
        r.addProperty("enc", "RSA_AES_KEY_WRAP_256");
        return r.toString();
    }

    @Test
    public void aKeyIsKeptDurablyAndItsPolicyWithIt() {
        String v = version(vault.create("disk", createBody(policy(maa.issuer())), base));
        byte[] material = vault.get("disk", v).material();
        assertEquals(32, material.length);
        KeyVault again = vault();
        assertArrayEquals(material, again.get("disk", v).material());
        assertArrayEquals(material, again.get("disk", null).material());
        assertEquals(policy(maa.issuer()), again.get("disk", v).policy().text());
        try (var s = Files.list(dir.resolve("keys").resolve("disk"))) {
            assertEquals("one file, no temporaries", List.of(v + ".json"), s.map(p -> p.getFileName().toString())
                    .toList());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(404, assertThrows(KeyVaultError.class, () -> again.get("disk", "0".repeat(32))).status);
        assertEquals(404, assertThrows(KeyVaultError.class, () -> again.get("nodisk", null)).status);
    }

    @Test
    public void aBadPolicyOrANonExportableKeyIsRefusedNamingWhy() {
        KeyVaultError e = assertThrows(KeyVaultError.class, () -> vault.create("k", createBody(
                "{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"x\",\"allOf\":[{\"claim\":\"a\",\"equal\":1}]}]}"),
                base));
        assertEquals(400, e.status);
        assertEquals("BadParameter", e.code);
        assertTrue(e.getMessage(), e.getMessage().startsWith("anyOf[0].allOf[0]: unknown operator 'equal'"));
        assertEquals("{\"error\":{\"code\":\"BadParameter\",\"message\":\"" + e.getMessage() + "\"}}", e.body());
        String notExportable = createBody(policy("x")).replace("\"exportable\":true", "\"exportable\":false");
        assertTrue(assertThrows(KeyVaultError.class, () -> vault.create("k", notExportable, base)).getMessage()
                .contains("exportable"));
        assertTrue(assertThrows(KeyVaultError.class, () -> vault.create("bad/name", createBody(policy("x")), base))
                .getMessage().contains("bad/name"));
        assertTrue(!Files.exists(dir.resolve("keys").resolve("k")));
    }

    @Test
    public void aReleaseIsTheKeyWrappedToTheTokensRuntimeKeyInAJwsOfTheVault() throws Exception {
        String v = version(vault.create("disk", createBody(policy(maa.issuer())), base));
        KeyVault.Released r = vault.release("disk", v, release(token(false)), base);
        assertEquals(KeyVault.TEE_KEY_ID, r.wrappedTo());
        SignedJWT jws = SignedJWT.parse(r.value());
        assertTrue(jws.verify(new RSASSAVerifier(vault.signingKey())));
        Map<String, Object> p = jws.getJWTClaimsSet().toJSONObject();
        assertEquals("RSA_AES_KEY_WRAP_256", ReleasePolicy.lookup(p, "request.enc"));
        assertEquals("oct-HSM", ReleasePolicy.lookup(p, "response.key.key.kty"));
        JsonObject hsm = JsonParser.parseString(new String(Base64.getUrlDecoder().decode((String) ReleasePolicy
                .lookup(p, "response.key.key.key_hsm")), StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("dir", hsm.getAsJsonObject("header").get("alg").getAsString());
        byte[] ct = Base64.getUrlDecoder().decode(hsm.get("ciphertext").getAsString());
        assertArrayEquals(vault.get("disk", v).material(), RsaAesKeyWrap.unwrap(RsaAesKeyWrap.Variant
                .RSA_AES_KEY_WRAP_256, tee.toRSAPrivateKey(), ct));
    }

    @Test
    public void aTokenWithOneSignatureByteTamperedIsRefused() throws Exception {
        String v = version(vault.create("disk", createBody(policy(maa.issuer())), base));
        String t = token(false);
        String[] parts = t.split("\\.");
        byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
        sig[17] ^= 1;
        String tampered = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        KeyVaultError e = assertThrows(KeyVaultError.class, () -> vault.release("disk", v, release(tampered), base));
        assertEquals(401, e.status);
        assertEquals("the token's signature does not verify with key " + maa.keyId() + " of " + maa.issuer()
                + "/certs", e.getMessage());
        Maa impostor = new Maa(new RSAKey.Builder(Maa.generate()).keyID(maa.keyId()).build(), null, () -> base,
                Clock.systemUTC());
        assertEquals(401, assertThrows(KeyVaultError.class, () -> vault.release("disk", v, release(impostor.sign(
                claims(false, NOW.getEpochSecond() + 60))), base)).status);
    }

    @Test
    public void theReleasePolicyTheAuthorityAndExpiryRefuseWithTheReason() throws Exception {
        String v = version(vault.create("disk", createBody(policy(maa.issuer())), base));
        KeyVaultError dbg = assertThrows(KeyVaultError.class, () -> vault.release("disk", v, release(token(true)),
                base));
        assertEquals(403, dbg.status);
        assertEquals("x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable is true, the release policy requires false",
                dbg.getMessage());
        String other = version(vault.create("other", createBody(policy("https://sharedeus.eus.attest.azure.net")),
                base));
        KeyVaultError auth = assertThrows(KeyVaultError.class, () -> vault.release("other", other, release(token(
                false)), base));
        assertEquals(403, auth.status);
        assertTrue(auth.getMessage(), auth.getMessage().startsWith("the token's issuer " + maa.issuer()
                + " is not an authority"));
        String expired = maa.sign(claims(false, NOW.getEpochSecond() - 1));
        assertEquals(401, assertThrows(KeyVaultError.class, () -> vault.release("disk", v, release(expired), base))
                .status);
        assertEquals(400, assertThrows(KeyVaultError.class, () -> vault.release("disk", v, "{\"target\":\"x\","
                + "\"enc\":\"A256KW\"}", base)).status);
        assertEquals(400, assertThrows(KeyVaultError.class, () -> vault.release("disk", v, "{\"tgt\":\"x\"}", base))
                .status);
        assertEquals(401, assertThrows(KeyVaultError.class, () -> vault.release("disk", v, "{\"target\":\"x\"}",
                base)).status);
    }
}
