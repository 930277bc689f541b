package io.teebox.attestation.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

import io.teebox.kit.hex.Hex;

/**
 * The attest: commands against a stand-in service on a loopback HTTP server: tokens signed with a test key decoded
 * and checked against its JWKS (tampered, foreign-key and expired tokens told apart), the binding the commands
 * compute against sha384sum's, policies listed with the refused files, and one line for each kind of bad input.
 */
public class AttestCommandsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final Map<String, String[]> answers = new ConcurrentHashMap<>();
    private final Map<String, String> received = new ConcurrentHashMap<>();
    private HttpServer server;
    private AttestCommands commands;
    private ECKey key;

    @Before
    public void start() throws Exception {
        key = new ECKeyGenerator(Curve.P_384).keyID("test-kid").generate();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            received.put(x.getRequestURI().getPath(), new String(x.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            String[] a = answers.getOrDefault(x.getRequestURI().getPath(), new String[] {"404",
                    "{\"type\":\"https://teebox.io/problems/NotFound\",\"detail\":\"no resource\"}"});
            byte[] b = a[1].getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(Integer.parseInt(a[0]), b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
        answers.put("/.well-known/jwks.json", new String[] {"200", new JWKSet(key.toPublicJWK()).toString()});
        commands = new AttestCommands(new ServiceClient("http://127.0.0.1:" + server.getAddress().getPort()),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @After
    public void stop() {
        server.stop(0);
    }

    private String token(ECKey signer, Instant exp) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issueTime(java.util.Date.from(NOW.minusSeconds(10)))
                .expirationTime(java.util.Date.from(exp)).claim("eat_nonce", "n0")
                .claim("submods", Map.of("cpu0", Map.of("ear.status", "warning", "ear.appraisal-policy-id",
                        "default", "ear.trustworthiness-vector", Map.of("configuration", 32),
                        "teebox.reasons", List.of(Map.of("check", "tcb", "claim", "configuration", "tier",
                                "warning", "reason", "the TCB is below the minimum")))))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT)
                .keyID("test-kid").build(), claims);
        jwt.sign(new ECDSASigner(signer));
        return jwt.serialize();
    }

    @Test
    public void aTokenOfTheServiceKeyVerifiesAndShowsItsClaimsAndExpiry() throws Exception {
        String t = token(key, NOW.plusSeconds(300));
        Tokens.Decoded d = commands.decode(t);
        assertTrue(d.signature(), d.verified());
        assertTrue(d.signature(), d.signature().startsWith("verifies with key test-kid of http://127.0.0.1:"));
        assertEquals("ES384", d.header().get("alg"));
        assertEquals("n0", d.claims().get("eat_nonce"));
        assertEquals("numbers stay integers", NOW.plusSeconds(300).getEpochSecond(), d.claims().get("exp"));
        assertEquals(NOW.plusSeconds(300), d.expires());
        assertFalse(d.expired());
        String text = d.toString();
        assertTrue(text, text.contains("\"eat_nonce\": \"n0\""));
        assertTrue(text, text.endsWith("exp: 2026-12-01T12:05:00Z (valid)"));

        // the same from a file, and from the service's {"token": ...} answer in a file
        Path f = tmp.newFile("t.jwt").toPath();
        Files.writeString(f, t + "\n");
        assertTrue(commands.decode(f.toString()).verified());
        Files.writeString(f, "{\"token\": \"" + t + "\"}");
        assertTrue(commands.decode(f.toString()).verified());
    }

    @Test
    public void aTamperedForeignOrExpiredTokenIsToldApart() throws Exception {
        String t = token(key, NOW.plusSeconds(300));
        String[] p = t.split("\\.");
        // one claim changed: the payload is no longer what was signed
        String payload = new String(java.util.Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8)
                .replace("\"n0\"", "\"n1\"");
        String tampered = p[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.getBytes(StandardCharsets.UTF_8)) + "." + p[2];
        Tokens.Decoded d = commands.decode(tampered);
        assertFalse(d.verified());
        assertEquals("n1", d.claims().get("eat_nonce"));
        assertTrue(d.signature(), d.signature().contains("DOES NOT VERIFY")
                && d.signature().contains("not the key's over the header and payload"));

        ECKey other = new ECKeyGenerator(Curve.P_384).keyID("test-kid").generate();
        assertFalse(commands.decode(token(other, NOW.plusSeconds(300))).verified());

        Tokens.Decoded old = commands.decode(token(key, NOW.minusSeconds(1)));
        assertTrue("the signature is still good", old.verified());
        assertTrue(old.expired());
        assertTrue(old.toString(), old.toString().endsWith("(expired)"));

        // the service is down: decoded, signature not checked
        answers.remove("/.well-known/jwks.json");
        Tokens.Decoded unchecked = commands.decode(t);
        assertFalse(unchecked.verified());
        assertTrue(unchecked.signature(), unchecked.signature().startsWith("not checked: the JWKS is unavailable"));
    }

    @Test
    public void badTokensGetOneLineNamingWhatIsWrong() throws Exception {
        assertEquals("token: 'nope' is neither a token (header.payload.signature) nor a file",
                assertThrows(IllegalArgumentException.class, () -> commands.decode("nope")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.decode("a!.b.c")).getMessage()
                .startsWith("token header is not base64url"));
        String notJson = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("[1]".getBytes());
        assertEquals("token header is not a JSON object", assertThrows(IllegalArgumentException.class,
                () -> commands.decode(notJson + "." + notJson + ".AA")).getMessage());
        Path empty = tmp.newFile("empty").toPath();
        assertEquals("token file " + empty + " is empty", assertThrows(IllegalArgumentException.class,
                () -> commands.decode(empty.toString())).getMessage());
    }

    @Test
    public void theBindingIsSha384OfTheCanonicalRuntimeDataAsSha384sumComputesIt() {
        // printf '{"nonce":"abc"}' | sha384sum
        String plain = "9e381bbf2758c40a687e3ccdd467b889c3eebc1f0fb1c8bfd1e431ff2926cfc3acd378ba2626971ffbe40becec7f257a";
        assertEquals(plain + "0".repeat(32), Hex.encode(AttestCommands.reportData("abc", null, 64)).toLowerCase());
        assertEquals(plain.substring(0, 32), Hex.encode(AttestCommands.reportData("abc", null, 16)).toLowerCase());
        // printf '{"a":"x","b":1,"nonce":"n"}' | sha384sum: members sorted, no white space
        JsonObject rd = AttestCommands.runtimeData("{ \"nonce\": \"n\", \"b\": 1, \"a\": \"x\" }");
        assertEquals("76603c9f8d9cc8ed1ddd95c41d276b5cb62395c6c3fc76f568c69ad14d91a2ba114b49d7bdea8fee86f2d57bc966b9e0",
                Hex.encode(AttestCommands.reportData("n", rd, 48)).toLowerCase());
        assertEquals("--runtime-data: number 1.5 is not an integer within +-2^53; put it in a string",
                assertThrows(IllegalArgumentException.class, () -> AttestCommands.reportData("n",
                        AttestCommands.runtimeData("{\"x\": 1.5}"), 64)).getMessage());
        assertEquals("--runtime-data is not a JSON object: [1]", assertThrows(IllegalArgumentException.class,
                () -> AttestCommands.runtimeData("[1]")).getMessage());
    }

    @Test
    public void policiesListThoseInForceAndTheRefusedFilesWithTheirReason() {
        answers.put("/as/v1/policies", new String[] {"200", "{\"policies\": [{\"id\": \"default\", \"description\": "
                + "\"d\", \"formats\": {\"sev-snp-report\": {\"reference_values\": {\"measurement\": [\"aa\", \"bb\"]},"
                + " \"policy\": {\"allow_debug\": false}}, \"tdx-quote-v4\": {}}, \"file\": \"default.json\"}],"
                + " \"refused\": {\"bad.json\": \"formats: unknown format 'x'\"}, \"directory\": \"config/p\"}"});
        List<AttestCommands.PolicyRow> rows = commands.policies();
        assertEquals(2, rows.size());
        assertEquals(new AttestCommands.PolicyRow("default", List.of("sev-snp-report", "tdx-quote-v4"),
                "default.json", "in force", null), rows.get(0));
        assertEquals(new AttestCommands.PolicyRow(null, List.of(), "bad.json", "refused",
                "formats: unknown format 'x'"), rows.get(1));
        assertTrue(rows.get(1).toString(), rows.get(1).toString().endsWith("refused: formats: unknown format 'x'"));

        AttestCommands.PolicyView p = commands.policy("default");
        assertEquals("default.json", p.file());
        assertEquals(List.of("aa", "bb"), ((Map<?, ?>) ((Map<?, ?>) p.formats().get("sev-snp-report"))
                .get("reference_values")).get("measurement"));
        assertEquals(false, JsonParser.parseString(p.toString()).getAsJsonObject().getAsJsonObject("formats")
                .getAsJsonObject("sev-snp-report").getAsJsonObject("policy").get("allow_debug").getAsBoolean());
        assertEquals("policy 'nope' is not in force; the policies are [default] (refused files: [bad.json], see "
                + "attest:policies)", assertThrows(IllegalArgumentException.class, () -> commands.policy("nope"))
                        .getMessage());
    }

    @Test
    public void submitSendsTheFileAndItsChainAndShowsTheTokensVerdict() throws Exception {
        Path f = tmp.newFile("snp.bin").toPath();
        Files.write(f, new byte[] {1, 2, 3});
        Files.writeString(Path.of(f + ".certs.pem"), "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n");
        String t = token(key, NOW.plusSeconds(300));
        answers.put("/as/v1/attest", new String[] {"200", "{\"token\": \"" + t + "\"}"});
        Tokens.Attested a = commands.submit("n0", "", "default", "", "sev-snp-report", f.toString());
        JsonObject sent = JsonParser.parseString(received.get("/as/v1/attest")).getAsJsonObject();
        assertEquals("AQID", sent.getAsJsonObject("evidence").get("evidence").getAsString());
        assertTrue(sent.getAsJsonObject("evidence").get("certificates").getAsString().contains("AAEC"));
        assertEquals("n0", sent.get("nonce").getAsString());
        assertEquals("default", sent.get("policy_id").getAsString());
        assertEquals("warning", a.status());
        assertEquals(Map.of("configuration", 32L), a.trustworthiness());
        assertEquals(List.of("warning configuration (tcb): the TCB is below the minimum"), a.reasons());
        assertTrue(a.toString(), a.toString().startsWith("ear.status: warning (sev-snp-report, policy default)\n"
                + "trustworthiness: configuration=32\nreasons:\n  warning configuration (tcb)"));

        // the nonce can come from the runtime data
        commands.submit("", "{\"nonce\": \"n9\", \"k\": \"v\"}", "", "", "sev-snp-report", f.toString());
        sent = JsonParser.parseString(received.get("/as/v1/attest")).getAsJsonObject();
        assertEquals("n9", sent.get("nonce").getAsString());
        assertEquals("v", sent.getAsJsonObject("runtime_data").get("k").getAsString());
    }

    @Test
    public void submitRefusalsAreOneLine() throws Exception {
        Path f = tmp.newFile("snp.bin").toPath();
        Files.write(f, new byte[] {1});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.submit("", "", "", "", "sev-snp-report",
                f.toString())).getMessage().startsWith("--nonce is missing: evidence in a file binds the nonce"));
        assertEquals("evidence file /no/such does not exist", assertThrows(IllegalArgumentException.class,
                () -> commands.submit("n", "", "", "", "sev-snp-report", "/no/such")).getMessage());
        answers.put("/as/v1/attest", new String[] {"403", "{\"type\": \"https://teebox.io/problems/EvidenceNotBound\","
                + " \"detail\": \"report data 00 is not the binding of the nonce\"}"});
        assertEquals("attestation service refused (403 EvidenceNotBound): report data 00 is not the binding of the "
                + "nonce", assertThrows(IllegalStateException.class, () -> commands.submit("n", "", "", "",
                        "sev-snp-report", f.toString())).getMessage());
        answers.put("/as/v1/attest", new String[] {"502", "<html>\n<body>bad gateway</body></html>"});
        assertEquals("attestation service answered 502: <html> <body>bad gateway</body></html>",
                assertThrows(IllegalStateException.class, () -> commands.submit("n", "", "", "", "sev-snp-report",
                        f.toString())).getMessage());
        server.stop(0);
        assertTrue(assertThrows(IllegalStateException.class, () -> commands.challenge()).getMessage()
                .startsWith("attestation service: nothing answers at http://127.0.0.1:"));
    }

    private String compositeToken() throws Exception {
        Map<String, Object> cpu0 = Map.of("ear.status", "affirming", "ear.appraisal-policy-id", "default",
                "ear.trustworthiness-vector", Map.of("instance-identity", 2), "teebox.reasons", List.of());
        Map<String, Object> gpu0 = Map.of("ear.status", "contraindicated", "ear.appraisal-policy-id", "default",
                "ear.trustworthiness-vector", Map.of("instance-identity", 96), "teebox.reasons", List.of(Map.of(
                        "check", "signature", "claim", "instance-identity", "tier", "contraindicated", "reason",
                        "the report's signature does not verify")));
        Map<String, Object> submods = new java.util.LinkedHashMap<>();
        submods.put("cpu0", cpu0);
        submods.put("gpu0", gpu0);
        JWTClaimsSet claims = new JWTClaimsSet.Builder().expirationTime(java.util.Date.from(NOW.plusSeconds(300)))
                .claim("eat_nonce", "n0").claim("teebox.status", "contraindicated").claim("submods", submods).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).keyID("test-kid").build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    private Path carrier(String name, byte[] nonce) throws Exception {
        Path f = tmp.getRoot().toPath().resolve(name);
        Files.writeString(f, new io.teebox.nvidia.abi.GpuEvidenceJson(io.teebox.nvidia.abi.GpuEvidenceJson.HOPPER,
                nonce, io.teebox.nvidia.testing.NvidiaVectors.report(), io.teebox.nvidia.testing.NvidiaVectors
                        .chainPem()).toJson());
        return f;
    }

    @Test
    public void submitSendsGpuCarrierFilesAsAdditionalEvidenceInOrderAndShowsEachSubmod() throws Exception {
        Path f = tmp.newFile("snp.bin").toPath();
        Files.write(f, new byte[] {1, 2, 3});
        Path g0 = carrier("gpu-a.json", AttestCommands.gpuNonce("n0", null));
        Path g1 = carrier("gpu-b.json", null);
        answers.put("/as/v1/attest", new String[] {"200", "{\"token\": \"" + compositeToken() + "\"}"});
        Tokens.Attested a = commands.submit("n0", "", "", g0 + "," + g1, "sev-snp-report", f.toString());
        JsonObject sent = JsonParser.parseString(received.get("/as/v1/attest")).getAsJsonObject();
        JsonObject additional = sent.getAsJsonObject("additional_evidence");
        assertEquals(List.of("gpu0", "gpu1"), List.copyOf(additional.keySet()));
        JsonObject gpu0 = additional.getAsJsonObject("gpu0");
        assertEquals("nvidia-gpu-spdm-measurements", gpu0.get("format").getAsString());
        assertEquals(java.util.Base64.getEncoder().encodeToString(io.teebox.nvidia.testing.NvidiaVectors.report()),
                gpu0.get("evidence").getAsString());
        assertEquals(io.teebox.nvidia.testing.NvidiaVectors.chainPem(), gpu0.get("certificates").getAsString());
        assertEquals("AQID", sent.getAsJsonObject("evidence").get("evidence").getAsString());
        assertEquals("contraindicated", a.status());
        assertEquals(Map.of("cpu0", "affirming", "gpu0", "contraindicated"), a.submods());
        assertEquals(List.of("gpu0: contraindicated instance-identity (signature): the report's signature does not "
                + "verify"), a.reasons());
        assertTrue(a.toString(), a.toString().startsWith("ear.status: contraindicated (sev-snp-report, policy "
                + "default)\nsubmods: cpu0=affirming gpu0=contraindicated\n"));
        // the GPU nonce is the first 32 bytes of the report data the challenge shows
        assertEquals(Hex.encode(AttestCommands.reportData("n0", null, 64)).substring(0, 64),
                Hex.encode(AttestCommands.gpuNonce("n0", null)));
        // without --gpu the request is as before
        commands.submit("n0", "", "", "", "sev-snp-report", f.toString());
        assertFalse(JsonParser.parseString(received.get("/as/v1/attest")).getAsJsonObject().has(
                "additional_evidence"));
    }

    @Test
    public void badGpuFilesGetOneLineNamingTheFileAndField() throws Exception {
        Path f = tmp.newFile("snp.bin").toPath();
        Files.write(f, new byte[] {1});
        Path good = carrier("good.json", null);
        String[][] cases = {
            {"[1]", "is not a JSON object"},
            {"{\"arch\": \"HOPPER\", \"evidence\": \"AA==\"}", ": field certificate is missing"},
            {"{\"arch\": \"HOPPER\", \"evidence\": \"!!\", \"certificate\": \"AA==\"}",
                ": field evidence is not base64"},
            {"{\"arch\": \"HOPPER\", \"evidence\": \"AA==\", \"certificate\": \"AA==\"}",
                ": field certificate is base64 but not of a PEM chain"},
            {"{\"arch\": 1, \"evidence\": \"AA==\", \"certificate\": \"AA==\"}", ": field arch is not a string"},
        };
        for (String[] c : cases) {
            Path bad = tmp.getRoot().toPath().resolve("bad.json");
            Files.writeString(bad, c[0]);
            String m = assertThrows(c[0], IllegalArgumentException.class, () -> commands.submit("n", "", "",
                    good + "," + bad, "sev-snp-report", f.toString())).getMessage();
            assertTrue(c[0] + " -> " + m, m.startsWith("--gpu " + bad + " (gpu1)"));
            assertTrue(c[0] + " -> " + m, m.contains(c[1]));
            assertFalse(m, m.contains("\n"));
        }
        assertEquals("GPU evidence file /no/such.json does not exist", assertThrows(IllegalArgumentException.class,
                () -> commands.submit("n", "", "", "/no/such.json", "sev-snp-report", f.toString())).getMessage());
        assertEquals(null, received.get("/as/v1/attest")); // nothing was sent
    }
}
