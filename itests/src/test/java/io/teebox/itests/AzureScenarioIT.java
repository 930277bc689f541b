package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.platform.PlatformState;
import io.teebox.api.tee.Bytes;

/**
 * Azure's flow on a real Felix over loopback HTTP: {@code scenario:azure} and its two negative runs (their timelines
 * and refusal reasons), and the MAA and Key Vault endpoints driven as a client would: the RS256 token verifies with
 * {@code /maa/certs}, and a token with one signature byte changed gets no key.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AzureScenarioIT extends TeeboxTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    /** Runs a command; returns what it printed and returned, and the message of what it threw (or null). */
    private String[] run(String command) throws Exception {
        return runCommand(command, "(&(osgi.command.scope=scenario)(osgi.command.function=azure))");
    }

    /** @return "from>to" (or "from" for a note) of each step */
    private static List<String> arrows(JsonObject timeline) {
        List<String> l = new ArrayList<>();
        for (JsonElement e : timeline.getAsJsonArray("steps")) {
            JsonObject s = e.getAsJsonObject();
            l.add(s.get("from").getAsString() + (s.has("to") ? ">" + s.get("to").getAsString() : ""));
        }
        return l;
    }

    private static String text(JsonObject timeline, String startsWith) {
        for (JsonElement e : timeline.getAsJsonArray("steps")) {
            String t = e.getAsJsonObject().get("text").getAsString();
            if (t.startsWith(startsWith)) {
                return t;
            }
        }
        throw new AssertionError("no step starts with '" + startsWith + "' in " + timeline);
    }

    private static final List<String> FLOW = List.of("user", "user>key service", "key service>user",
            "user>control plane", "control plane>host", "host>secure processor", "secure processor>host",
            "host>control plane", "CVM", "CVM>attestation service", "attestation service>CVM", "CVM>secure processor",
            "secure processor>CVM", "CVM>attestation service", "attestation service", "attestation service>CVM",
            "CVM>key service", "key service>attestation service", "key service");

    @Test
    public void theCvmGetsItsKeyAndTheTimelineShowsEveryParty() throws Exception {
        String[] r = run("scenario:azure --json");
        assertEquals(r[0], null, r[1]);
        JsonObject t = JsonParser.parseString(r[0]).getAsJsonObject();
        List<String> want = new ArrayList<>(FLOW);
        want.addAll(List.of("key service>CVM", "CVM"));
        assertEquals(want, arrows(t));
        assertEquals(List.of("user", "control plane", "host", "secure processor", "CVM", "attestation service",
                "key service"), new com.google.gson.Gson().fromJson(t.get("parties"), List.class));
        assertTrue(t.toString(), t.get("result").getAsString().startsWith("the CVM holds cvm-disk-key"));
        assertTrue(text(t, "verifies the JWS"), text(t, "verifies the JWS").endsWith("(the key the vault holds)"));
        assertTrue(text(t, "appraises"), text(t, "appraises").contains("x-ms-compliance-status azure-compliant-cvm"));
        String[] plain = run("scenario:azure");
        assertEquals(null, plain[1]);
        assertTrue(plain[0], plain[0].contains("RESULT: the CVM holds cvm-disk-key"));
        assertTrue(plain[0], plain[0].contains(" 1  user "));
    }

    @Test
    public void aDebuggableGuestIsRefusedByTheReleasePolicy() throws Exception {
        String[] r = run("scenario:azure --negative debug --json");
        assertEquals("REFUSED: x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable is true, the release policy requires "
                + "false", r[1]);
        JsonObject t = JsonParser.parseString(r[0]).getAsJsonObject();
        List<String> want = new ArrayList<>(FLOW);
        want.add("key service>CVM");
        assertEquals(want, arrows(t));
        assertEquals("x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable is true, the release policy requires false",
                t.get("refused").getAsString());
        assertTrue(text(t, "appraises"), text(t, "appraises").contains("azure-non-compliant-cvm, is-debuggable true"));
        assertTrue(text(t, "HTTP 403"), text(t, "HTTP 403").startsWith("HTTP 403 Forbidden: x-ms-isolation-tee"));
        assertTrue(text(t, "create confidential VM"), text(t, "create confidential VM").contains("0xB0000"));
    }

    @Test
    public void aTamperedImageIsRefusedNamingTheLaunchMeasurement() throws Exception {
        String[] r = run("scenario:azure --negative tampered");
        assertNotNull(r[0], r[1]);
        assertTrue(r[1], r[1].matches("REFUSED: x-ms-isolation-tee\\.x-ms-sevsnpvm-launchmeasurement is "
                + "'[0-9a-f]{96}', the release policy requires '[0-9a-f]{96}'"));
        assertTrue(r[0], r[0].contains("with a tampered image (byte 0x2000 of the firmware altered)"));
        assertTrue(r[0], r[0].endsWith(r[1] + System.lineSeparator()));
        String[] bad = run("scenario:azure --negative nosuch");
        assertEquals("--negative is 'nosuch'; accepted: debug, tampered", bad[1]);
    }

    private HttpResponse<String> post(String url, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void aTokenWithOneSignatureByteChangedGetsNoKey() throws Exception {
        String base = service(HttpEndpoint.class, null).baseUrl();
        hypervisor().create(new GuestConfig("azure-it", "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        hypervisor().launch("azure-it", LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(0x30000,
                null, null, null, null, null, null, -1)));
        RSAKey tee = new RSAKeyGenerator(2048).keyID("TpmEphemeralEncryptionKey").generate();
        HttpResponse<String> ch = post(base + "/as/v1/challenge", "", null);
        assertEquals(ch.body(), 200, ch.statusCode());
        String nonce = JsonParser.parseString(ch.body()).getAsJsonObject().get("nonce").getAsString();
        JsonObject jwk = JsonParser.parseString(tee.toPublicJWK().toJSONString()).getAsJsonObject();
        JsonArray keys = new JsonArray();
        keys.add(jwk);
        JsonObject rd = new JsonObject();
        rd.add("keys", keys);
        rd.addProperty("nonce", nonce);
        byte[] data = io.teebox.attestation.api.CanonicalJson.write(rd).getBytes(StandardCharsets.UTF_8);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
        Evidence e = hypervisor().context("azure-it").evidence(Bytes.of(Arrays.copyOf(digest, 64)));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        StringBuilder pem = new StringBuilder();
        e.certificates().forEach(c -> pem.append("-----BEGIN CERTIFICATE-----\n").append(Base64.getMimeEncoder()
                .encodeToString(c)).append("\n-----END CERTIFICATE-----\n"));
        JsonObject report = new JsonObject();
        report.addProperty("SnpReport", b64.encodeToString(e.report()));
        report.addProperty("VcekCertChain", b64.encodeToString(pem.toString().getBytes(StandardCharsets.UTF_8)));
        JsonObject runtime = new JsonObject();
        runtime.addProperty("data", b64.encodeToString(data));
        runtime.addProperty("dataType", "JSON");
        JsonObject req = new JsonObject();
        req.addProperty("report", b64.encodeToString(report.toString().getBytes(StandardCharsets.UTF_8)));
        req.add("runtimeData", runtime);
        req.addProperty("nonce", "client-nonce-1");
        HttpResponse<String> noVersion = post(base + "/maa/attest/SevSnpVm", req.toString(), null);
        assertEquals(400, noVersion.statusCode());
        assertTrue(noVersion.body(), noVersion.body().contains("MissingApiVersionParameter"));
        HttpResponse<String> att = post(base + "/maa/attest/SevSnpVm?api-version=2022-08-01", req.toString(), null);
        assertEquals(att.body(), 200, att.statusCode());
        String token = JsonParser.parseString(att.body()).getAsJsonObject().get("token").getAsString();
        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertEquals(URI.create(base + "/maa/certs"), jwt.getHeader().getJWKURL());
        JWKSet certs = JWKSet.parse(http.send(HttpRequest.newBuilder(URI.create(base + "/maa/certs")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(jwt.verify(new RSASSAVerifier((RSAKey) certs.getKeyByKeyId(jwt.getHeader().getKeyID()))));
        assertEquals("client-nonce-1", jwt.getJWTClaimsSet().getStringClaim("nonce"));
        assertEquals(base + "/maa", jwt.getJWTClaimsSet().getIssuer());
        assertEquals(HexFormat.of().formatHex(digest) + "00".repeat(32), ((java.util.Map<?, ?>) jwt.getJWTClaimsSet()
                .getClaim("x-ms-isolation-tee")).get("x-ms-sevsnpvm-reportdata"));
        // the same evidence again: the attestation service's nonce is single use
        HttpResponse<String> replay = post(base + "/maa/attest/SevSnpVm?api-version=2022-08-01", req.toString(), null);
        assertEquals(replay.body(), 400, replay.statusCode());
        assertTrue(replay.body(), replay.body().contains("InvalidNonce"));

        String admin = HexFormat.of().formatHex(service(PlatformState.class, null).secret("azure", "akv-admin-token",
                32));
        String policy = "{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"" + base + "/maa\",\"allOf\":[{\"claim\":"
                + "\"x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable\",\"equals\":false}]}]}";
        String create = "{\"kty\":\"oct-HSM\",\"attributes\":{\"exportable\":true},\"release_policy\":{\"data\":\""
                + b64.encodeToString(policy.getBytes(StandardCharsets.UTF_8)) + "\"}}";
        assertEquals(401, post(base + "/akv/keys/it-key/create?api-version=7.3", create, null).statusCode());
        HttpResponse<String> created = post(base + "/akv/keys/it-key/create?api-version=7.3", create, "Bearer "
                + admin);
        assertEquals(created.body(), 200, created.statusCode());
        String[] parts = token.split("\\.");
        byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
        sig[sig.length / 2] ^= 1;
        String tampered = parts[0] + "." + parts[1] + "." + b64.encodeToString(sig);
        HttpResponse<String> refused = post(base + "/akv/keys/it-key/release?api-version=7.3", "{\"target\":\""
                + tampered + "\"}", null);
        assertEquals(refused.body(), 401, refused.statusCode());
        JsonObject err = JsonParser.parseString(refused.body()).getAsJsonObject().getAsJsonObject("error");
        assertEquals("Unauthorized", err.get("code").getAsString());
        assertTrue(err.toString(), err.get("message").getAsString().startsWith("the token's signature does not verify"));
        HttpResponse<String> released = post(base + "/akv/keys/it-key/release?api-version=7.3", "{\"target\":\""
                + token + "\",\"enc\":\"RSA_AES_KEY_WRAP_256\"}", null);
        assertEquals(released.body(), 200, released.statusCode());
        try {
            SignedJWT.parse(JsonParser.parseString(released.body()).getAsJsonObject().get("value").getAsString());
        } catch (java.text.ParseException x) {
            fail("the release is not a JWS: " + x);
        }
        hypervisor().destroy("azure-it");
    }
}
