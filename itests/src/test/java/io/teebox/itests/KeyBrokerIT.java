package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.platform.PlatformState;
import io.teebox.api.tee.Bytes;
import io.teebox.attestation.api.AttestationTokens;

/**
 * The key broker on a real Felix over loopback HTTP: the admin stores a secret with an Ed25519 admin token, an SNP
 * guest runs Trustee's RCAR (its evidence binding a fresh P-384 key) and unwraps the JWE, the same token works as a
 * bearer, and a debuggable guest gets 403 with the attestation service's reason, also through {@code kbs:fetch}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KeyBrokerIT extends TeeboxTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    private String base() {
        return service(HttpEndpoint.class, null).baseUrl() + "/kbs/v0";
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String cookie, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return send(b);
    }

    /** An admin token as Trustee's admin makes one: a JWT signed EdDSA with the kept private key. */
    private String adminToken() throws Exception {
        Path dir = service(PlatformState.class, null).directory().resolve("kbs");
        await("the broker made its admin key", () -> Files.exists(dir.resolve("admin-key.pub.pem")));
        String pem = Files.readString(dir.resolve("admin-key.pem"));
        PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64
                .getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String input = e.encodeToString("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + e.encodeToString(("{\"iat\":" + now + ",\"exp\":" + (now + 300) + "}").getBytes(
                        StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + e.encodeToString(s.sign());
    }

    private void setResource(String path, String value) throws Exception {
        String url = base() + "/resource/" + path;
        await("the broker answers", () -> {
            try {
                return send(HttpRequest.newBuilder(URI.create(base() + "/healthz"))).statusCode() == 200;
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });
        HttpResponse<String> open = send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers
                .ofString(value)));
        assertEquals("nothing is open by default: " + open.body(), 401, open.statusCode());
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer "
                + adminToken()).POST(HttpRequest.BodyPublishers.ofString(value)));
        assertEquals(r.body(), 200, r.statusCode());
    }

    private void launch(String name, long policy) {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig(name, "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        hv.launch(name, LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(policy, null, null, null,
                null, null, null, -1)));
    }

    /** RCAR as the guest runs it; returns {cookie, token, resource response status, body}. */
    private String[] rcar(String guest, ECKey tee, String path) throws Exception {
        HttpResponse<String> auth = post("/auth", null, "{\"version\":\"0.1.1\",\"tee\":\"snp\",\"extra-params\":{}}");
        assertEquals(auth.body(), 200, auth.statusCode());
        String cookie = auth.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        assertTrue(cookie, cookie.startsWith("kbs-session-id="));
        String nonce = JsonParser.parseString(auth.body()).getAsJsonObject().get("nonce").getAsString();
        JsonObject rd = new JsonObject();
        rd.addProperty("nonce", nonce);
        rd.add("tee-pubkey", JsonParser.parseString(tee.toPublicJWK().toJSONString()));
        byte[] reportData = service(AttestationTokens.class, null).reportData("sev-snp-report", nonce,
                rd.toString());
        Evidence e = hypervisor().context(guest).evidence(Bytes.of(reportData));
        JsonObject ev = evidenceJson(e);
        JsonObject attestation = new JsonObject();
        attestation.add("runtime-data", rd);
        attestation.add("tee-evidence", ev);
        HttpResponse<String> attest = post("/attest", cookie, attestation.toString());
        assertEquals(attest.body(), 200, attest.statusCode());
        String token = JsonParser.parseString(attest.body()).getAsJsonObject().get("token").getAsString();
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base() + "/resource/" + path))
                .header("Cookie", cookie));
        return new String[] {cookie, token, String.valueOf(r.statusCode()), r.body()};
    }

    private static String unwrap(String flattened, ECKey key) throws Exception {
        JsonObject o = JsonParser.parseString(flattened).getAsJsonObject();
        JWEObject jwe = JWEObject.parse(String.join(".", o.get("protected").getAsString(), o.get("encrypted_key")
                .getAsString(), o.get("iv").getAsString(), o.get("ciphertext").getAsString(), o.get("tag")
                        .getAsString()));
        assertEquals("ECDH-ES+A256KW", jwe.getHeader().getAlgorithm().getName());
        assertEquals("A256GCM", jwe.getHeader().getEncryptionMethod().getName());
        jwe.decrypt(new ECDHDecrypter(key));
        return jwe.getPayload().toString();
    }

    @Test
    public void anSnpGuestFetchesASecretByCookieAndByBearerTokenOnlyWithItsKey() throws Exception {
        setResource("default/key/disk", "the disk key");
        launch("kbs-snp", 0x30000);
        ECKey tee = new ECKeyGenerator(Curve.P_384).generate();
        String[] r = rcar("kbs-snp", tee, "default/key/disk");
        assertEquals(r[3], "200", r[2]);
        assertEquals("the disk key", unwrap(r[3], tee));

        HttpResponse<String> bearer = send(HttpRequest.newBuilder(URI.create(base() + "/resource/default/key/disk"))
                .header("Authorization", "Bearer " + r[1]));
        assertEquals(bearer.body(), 200, bearer.statusCode());
        assertEquals("the disk key", unwrap(bearer.body(), tee));
        try {
            unwrap(bearer.body(), new ECKeyGenerator(Curve.P_384).generate());
            fail("another key unwrapped the secret");
        } catch (com.nimbusds.jose.JOSEException expected) {
            // only the key bound in the evidence opens it
        }
        HttpResponse<String> missing = send(HttpRequest.newBuilder(URI.create(base() + "/resource/default/key/none"))
                .header("Cookie", r[0]));
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body(), missing.body().contains(
                "https://github.com/confidential-containers/kbs/errors/ResourceNotFound"));
        HttpResponse<String> noCookie = send(HttpRequest.newBuilder(URI.create(base() + "/resource/default/key/disk")));
        assertEquals(401, noCookie.statusCode());

        assertEquals("the disk key", shell("kbs:fetch default/key/disk kbs-snp"));
    }

    @Test
    public void aDebuggableGuestGetsNothingWithTheReason() throws Exception {
        setResource("default/key/model", "the model key");
        launch("kbs-dbg", 0x30000 | 1L << 19);
        String[] r = rcar("kbs-dbg", new ECKeyGenerator(Curve.P_256).generate(), "default/key/model");
        assertEquals(r[3], "403", r[2]);
        JsonObject p = JsonParser.parseString(r[3]).getAsJsonObject();
        assertEquals("https://github.com/confidential-containers/kbs/errors/PolicyDeny", p.get("type").getAsString());
        assertTrue(r[3], p.get("detail").getAsString().contains("submods.cpu0.ear.status is 'contraindicated'"));
        assertTrue(r[3], p.get("detail").getAsString().contains("allows debugging"));
        try {
            shell("kbs:fetch default/key/model kbs-dbg");
            fail("kbs:fetch released the secret to a debuggable guest");
        } catch (Exception e) {
            Throwable t = e;
            while (t.getCause() != null && t.getMessage() == null) {
                t = t.getCause();
            }
            assertTrue(String.valueOf(t.getMessage()), String.valueOf(t.getMessage()).contains("PolicyDeny"));
        }
    }

    private HttpResponse<String> admin(String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer "
                + adminToken());
        return send(body == null ? b : b.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private void setAttestationPolicy(String json) throws Exception {
        JsonObject req = new JsonObject();
        req.addProperty("type", "json");
        req.addProperty("policy_id", "default");
        req.addProperty("policy", Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> r = admin("/attestation-policy", req.toString());
        assertEquals(r.body(), 200, r.statusCode());
    }

    /**
     * The admin pins the launch measurement through Trustee's admin API (attestation-policy, reference-value): a guest
     * of another image gets nothing, with the reason; once its measurement is a reference value it gets the secret.
     */
    @Test
    public void theAdminPinsTheMeasurementThroughTheAttestationPolicyApi() throws Exception {
        String permissive = "{\"id\":\"default\",\"formats\":{\"sev-snp-report\":{\"policy\":"
                + "{\"allow_debug\":false}}}}";
        Path file = Path.of("config/attestation-policies/default.json");
        String before = Files.exists(file) ? Files.readString(file) : null;
        try {
            setResource("default/key/pinned", "the pinned key");
            setAttestationPolicy(permissive);
            String zeros = "00".repeat(48);
            HttpResponse<String> set = admin("/reference-value", "{\"policy_id\":\"default\",\"format\":"
                    + "\"sev-snp-report\",\"name\":\"measurement\",\"values\":[\"" + zeros + "\"]}");
            assertEquals(set.body(), 200, set.statusCode());
            assertTrue(Files.readString(file), Files.readString(file).contains(zeros));
            launch("kbs-pin", 0x30000);
            ECKey tee = new ECKeyGenerator(Curve.P_384).generate();
            String[] denied = rcar("kbs-pin", tee, "default/key/pinned");
            assertEquals(denied[3], "403", denied[2]);
            assertTrue(denied[3], denied[3].contains("measurement"));
            @SuppressWarnings("unchecked")
            Map<String, Object> cpu0 = (Map<String, Object>) ((Map<String, Object>) service(AttestationTokens.class,
                    null).verify(denied[1]).get("submods")).get("cpu0");
            @SuppressWarnings("unchecked")
            Map<String, Object> snp = (Map<String, Object>) ((Map<String, Object>) cpu0.get(
                    "ear.veraison.annotated-evidence")).get("snp");
            String measurement = String.valueOf(snp.get("measurement"));
            assertEquals(snp.keySet().toString(), 96, measurement.length());
            set = admin("/reference-value", "{\"policy_id\":\"default\",\"format\":\"sev-snp-report\","
                    + "\"name\":\"measurement\",\"values\":[\"" + zeros + "\",\"" + measurement + "\"]}");
            assertEquals(set.body(), 200, set.statusCode());
            String[] released = rcar("kbs-pin", tee, "default/key/pinned");
            assertEquals(released[3], "200", released[2]);
            assertEquals("the pinned key", unwrap(released[3], tee));
            HttpResponse<String> all = admin("/reference-value", null);
            assertTrue(all.body(), all.body().contains(measurement));
            assertTrue(shell("kbs:refvalues").contains(measurement));
            HttpResponse<String> bad = admin("/reference-value", "{\"policy_id\":\"default\",\"format\":"
                    + "\"sev-snp-report\",\"name\":\"mesurement\",\"values\":[\"" + zeros + "\"]}");
            assertEquals(bad.body(), 401, bad.statusCode());
            assertTrue(bad.body(), bad.body().contains("mesurement"));
            assertTrue(Files.readString(file).contains(measurement));
        } finally {
            setAttestationPolicy(permissive); // in force at once, so no later test sees the pin
            if (before == null) {
                Files.deleteIfExists(file);
            } else {
                Files.writeString(file, before);
            }
        }
    }

    private String shell(String command) throws Exception {
        CommandProcessor processor = service(CommandProcessor.class, null);
        await("the kbs: commands", () -> {
            try {
                return context.getServiceReferences((String) null, "(&(osgi.command.scope=kbs)"
                        + "(osgi.command.function=fetch))") != null;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession s = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true,
                        StandardCharsets.UTF_8))) {
            return String.valueOf(s.execute(command));
        }
    }
}
