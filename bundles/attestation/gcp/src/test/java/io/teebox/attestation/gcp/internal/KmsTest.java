package io.teebox.attestation.gcp.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/** The key service: encrypt and decrypt, the token's checks, the condition's denial, the durable store. */
public class KmsTest {

    static final String KEY = "projects/teebox-project/locations/global/keyRings/ring/cryptoKeys/disk";
    static final String CONDITION = "assertion.hwmodel == 'GCP_INTEL_TDX' && assertion.dbgstat == "
            + "'disabled-since-boot' && 'tdx' in assertion.submods";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Fixtures.MutableClock clock;
    private FakeTokens tokens;
    private ConfidentialComputing cc;
    private Path file;
    private Kms kms;

    @Before
    public void setUp() throws Exception {
        clock = new Fixtures.MutableClock();
        tokens = new FakeTokens();
        cc = Fixtures.service(tokens, clock);
        file = tmp.getRoot().toPath().resolve("gcp/kms.json");
        kms = new Kms(new KmsStore(file), Fixtures.SIGNER, Fixtures.PROJECT.kmsAudience(), clock);
        kms.store().put(KEY, CONDITION);
    }

    private String token(String audience) {
        String name = cc.createChallenge("teebox-project", "us-central1").get("name").getAsString();
        JsonObject ccel = new JsonObject();
        ccel.addProperty("tdQuote", Base64.getEncoder().encodeToString(new byte[8]));
        JsonObject options = new JsonObject();
        options.addProperty("audience", audience);
        options.add("nonce", new JsonArray());
        JsonObject r = new JsonObject();
        r.add("tdCcel", ccel);
        r.add("tokenOptions", options);
        JsonObject ext = new JsonObject();
        ext.addProperty("instance", "td1");
        r.add("teebox", ext);
        return cc.verifyAttestation(name, r);
    }

    private String token() {
        return token(kms.audience());
    }

    private JsonObject encrypt(String plaintext) {
        JsonObject b = new JsonObject();
        b.addProperty("plaintext", Base64.getEncoder().encodeToString(plaintext.getBytes(StandardCharsets.UTF_8)));
        return kms.encrypt(KEY, b);
    }

    private static JsonObject body(String ciphertext) {
        JsonObject b = new JsonObject();
        b.addProperty("ciphertext", ciphertext);
        return b;
    }

    private String decrypt(String ciphertext, String token) {
        JsonObject out = kms.decrypt(KEY, body(ciphertext), "Bearer " + token);
        return new String(Base64.getDecoder().decode(out.get("plaintext").getAsString()), StandardCharsets.UTF_8);
    }

    private GcpError refusedDecrypt(String ciphertext, String authorization) {
        return assertThrows(GcpError.class, () -> kms.decrypt(KEY, body(ciphertext), authorization));
    }

    @Test
    public void anAttestedTdDecryptsWhatTheUserEncrypted() {
        JsonObject sealed = encrypt("the disk key");
        assertEquals(KEY + "/cryptoKeyVersions/1", sealed.get("name").getAsString());
        byte[] ct = Base64.getDecoder().decode(sealed.get("ciphertext").getAsString());
        assertEquals("version, IV, 12 bytes, tag", 1 + 12 + 12 + 16, ct.length);
        assertEquals(1, ct[0]);
        assertEquals(Long.toString(Kms.crc32c(ct)), sealed.get("ciphertextCrc32c").getAsString());
        assertEquals("the disk key", decrypt(sealed.get("ciphertext").getAsString(), token()));
        assertFalse("a fresh IV each time", sealed.get("ciphertext").getAsString().equals(encrypt("the disk key")
                .get("ciphertext").getAsString()));
    }

    @Test
    public void aTokenWithOneByteChangedIsUnauthenticated() {
        String ct = encrypt("k").get("ciphertext").getAsString();
        String token = token();
        String[] parts = token.split("\\.");
        for (int part = 0; part < 3; part++) {
            byte[] b = Base64.getUrlDecoder().decode(parts[part]);
            b[b.length / 2] ^= 0x01;
            String[] t = parts.clone();
            t[part] = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            GcpError e = refusedDecrypt(ct, "Bearer " + String.join(".", t));
            assertEquals("part " + part + ": " + e.getMessage(), 401, e.code());
            assertEquals("UNAUTHENTICATED", e.status());
        }
        assertEquals("k", decrypt(ct, token));
    }

    @Test
    public void theTokensIssuerAudienceAndLifetimeAreChecked() {
        String ct = encrypt("k").get("ciphertext").getAsString();
        assertEquals("Request is missing required authentication credential: send Authorization: Bearer "
                + "<attestation token>", refusedDecrypt(ct, null).getMessage());
        assertEquals(401, refusedDecrypt(ct, "Basic abc").code());
        GcpError aud = refusedDecrypt(ct, "Bearer " + token("https://sts.googleapis.com"));
        assertEquals("the attestation token's aud is [https://sts.googleapis.com], expected " + kms.audience(),
                aud.getMessage());

        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "https://evil.example");
        claims.put("aud", kms.audience());
        claims.put("exp", clock.now.getEpochSecond() + 60);
        assertTrue(refusedDecrypt(ct, "Bearer " + Fixtures.SIGNER.sign(claims, false)).getMessage()
                .startsWith("the attestation token's iss is 'https://evil.example'"));

        String token = token();
        clock.now = clock.now.plusSeconds(3600);
        GcpError expired = refusedDecrypt(ct, "Bearer " + token);
        assertEquals(401, expired.code());
        assertTrue(expired.getMessage(), expired.getMessage().startsWith("the attestation token expired at"));

        GcpSigner other = GcpSigner.kept((n, c) -> GcpSigner.generate().getBytes(StandardCharsets.UTF_8));
        claims.put("iss", ConfidentialComputing.ISSUER);
        claims.put("exp", clock.now.getEpochSecond() + 60);
        assertTrue(refusedDecrypt(ct, "Bearer " + other.sign(claims, false)).getMessage()
                .contains("is not the attestation service's key"));
    }

    @Test
    public void aFailingConditionIsPermissionDeniedNamingTheSubConditionAndTheValue() {
        String ct = encrypt("k").get("ciphertext").getAsString();
        tokens.tdAttributes = "0x0000000000000001 (DEBUG)";
        GcpError e = refusedDecrypt(ct, "Bearer " + token());
        assertEquals(403, e.code());
        assertEquals("PERMISSION_DENIED", e.status());
        assertEquals("Permission 'cloudkms.cryptoKeyVersions.useToDecrypt' denied on " + KEY + ": the condition does "
                + "not hold: assertion.dbgstat == 'disabled-since-boot' is false: assertion.dbgstat is 'enabled'",
                e.getMessage());
        JsonObject json = e.body().getAsJsonObject("error");
        assertEquals(403, json.get("code").getAsInt());
        assertEquals("PERMISSION_DENIED", json.get("status").getAsString());
    }

    @Test
    public void aCiphertextOpensOnlyUnchangedUnderItsKeyAndAad() {
        String token = token();
        byte[] ct = Base64.getDecoder().decode(encrypt("k").get("ciphertext").getAsString());
        for (int i : new int[] {1, 13, ct.length - 1}) {
            byte[] bad = ct.clone();
            bad[i] ^= 0x01;
            GcpError e = refusedDecrypt(Base64.getEncoder().encodeToString(bad), "Bearer " + token);
            assertEquals("byte " + i, "INVALID_ARGUMENT", e.status());
            assertTrue(e.getMessage(), e.getMessage().startsWith("Decryption failed"));
        }
        byte[] v2 = ct.clone();
        v2[0] = 2;
        assertTrue(refusedDecrypt(Base64.getEncoder().encodeToString(v2), "Bearer " + token).getMessage()
                .startsWith("ciphertext is not one this key service made"));

        String other = KEY.replace("/disk", "/other");
        kms.store().put(other, CONDITION);
        GcpError wrongKey = assertThrows(GcpError.class, () -> kms.decrypt(other, body(Base64.getEncoder()
                .encodeToString(ct)), "Bearer " + token));
        assertEquals("INVALID_ARGUMENT", wrongKey.status());

        JsonObject withAad = new JsonObject();
        withAad.addProperty("plaintext", Base64.getEncoder().encodeToString(new byte[] {7}));
        withAad.addProperty("additionalAuthenticatedData", Base64.getEncoder().encodeToString(new byte[] {1}));
        String sealed = kms.encrypt(KEY, withAad).get("ciphertext").getAsString();
        assertEquals("INVALID_ARGUMENT", refusedDecrypt(sealed, "Bearer " + token).status());
        JsonObject rightAad = body(sealed);
        rightAad.addProperty("additionalAuthenticatedData", Base64.getEncoder().encodeToString(new byte[] {1}));
        assertArrayEquals(new byte[] {7}, Base64.getDecoder().decode(kms.decrypt(KEY, rightAad, "Bearer " + token)
                .get("plaintext").getAsString()));
    }

    @Test
    public void keysAreDurableAndABadConditionOrNameIsRefusedStoringNothing() throws Exception {
        String ct = encrypt("k").get("ciphertext").getAsString();
        Kms reopened = new Kms(new KmsStore(file), Fixtures.SIGNER, kms.audience(), clock);
        assertEquals(CONDITION, reopened.store().get(KEY).orElseThrow().condition().source());
        JsonObject out = reopened.decrypt(KEY, body(ct), "Bearer " + token());
        assertEquals("k", new String(Base64.getDecoder().decode(out.get("plaintext").getAsString()),
                StandardCharsets.UTF_8));
        assertFalse("no temporary file is left", Files.exists(file.resolveSibling("kms.json.tmp")));

        String before = Files.readString(file);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> kms.store().put(KEY,
                "assertion.hwmodel = 'x'"));
        assertEquals("condition: at position 19: '=' alone is not an operator (did you mean '=='?)", bad.getMessage());
        assertEquals(before, Files.readString(file));
        assertEquals(CONDITION, kms.store().get(KEY).orElseThrow().condition().source());
        assertThrows(IllegalArgumentException.class, () -> kms.store().put("projects/x/keyRings/r", CONDITION));

        // changing a key's condition keeps its material
        kms.store().put(KEY, "true");
        assertEquals("k", decrypt(ct, token()));

        Files.writeString(file, "{\"keys\":{\"" + KEY + "\":{\"material\":\"AAAA\",\"condition\":\"true\","
                + "\"createTime\":\"2026-01-01T00:00:00Z\"}}}");
        IllegalStateException corrupt = assertThrows(IllegalStateException.class, () -> new KmsStore(file));
        assertTrue(corrupt.getMessage(), corrupt.getMessage().contains("has a bad key " + KEY
                + ": material is 3 bytes, expected 32"));
    }

    @Test
    public void unknownKeysAndMalformedBodiesAreGooglesErrors() {
        GcpError missing = assertThrows(GcpError.class, () -> kms.encrypt(KEY.replace("disk", "nope"),
                new JsonObject()));
        assertEquals(404, missing.code());
        assertEquals("NOT_FOUND", missing.status());
        assertEquals("plaintext is missing: base64 bytes", assertThrows(GcpError.class, () -> kms.encrypt(KEY,
                new JsonObject())).getMessage());
        JsonObject b = new JsonObject();
        b.addProperty("plaintext", "%%%");
        assertTrue(assertThrows(GcpError.class, () -> kms.encrypt(KEY, b)).getMessage()
                .startsWith("plaintext is not base64"));
        assertEquals(400, assertThrows(GcpError.class, () -> kms.encrypt("projects/a/b", b)).code());
    }
}
