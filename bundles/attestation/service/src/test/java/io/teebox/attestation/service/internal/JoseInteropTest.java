package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.google.gson.JsonObject;

/**
 * An independent JOSE implementation, the {@code jose} npm package, verifies teebox's EAR tokens given only the JWKS
 * teebox publishes, and refuses a token with one byte of its payload changed. Fails, never skips, without node.
 */
public class JoseInteropTest {

    private static final Path DIR = Path.of("target", "jose").toAbsolutePath();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private record Result(int exit, String output) {
    }

    private static Result exec(List<String> command, int seconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(DIR.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-2, "timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @BeforeClass
    public static void install() throws Exception {
        Files.createDirectories(DIR);
        assertEquals("node must be installed to run the jose interop test", 0,
                exec(List.of("node", "--version"), 30).exit);
        assertEquals("npm must be installed to run the jose interop test", 0, exec(List.of("npm", "--version"), 60).exit);
        if (!Files.isRegularFile(DIR.resolve("node_modules/jose/package.json"))) {
            Result r = exec(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", DIR.toString(), "jose"),
                    300);
            assertEquals("npm install jose failed:\n" + r.output, 0, r.exit);
        }
        try (InputStream in = JoseInteropTest.class.getResourceAsStream("/jose/verify.mjs")) {
            Files.write(DIR.resolve("verify.mjs"), in.readAllBytes());
        }
    }

    private String token() throws Exception {
        Path policies = tmp.newFolder("policies").toPath();
        EarSigner signer = new EarSigner(EarSigner.generate());
        AttestationEngine engine = new AttestationEngine(new Nonces(Clock.systemUTC(), Duration.ofSeconds(60), 10,
                new SecureRandom()), new PolicyDirectory(policies, s -> { }),
                f -> new AttestationEngineTest.TestVerifier(), () -> Set.of(AttestationEngineTest.FORMAT), List::of,
                signer, Clock.systemUTC(), Duration.ofSeconds(300), "test");
        Files.writeString(DIR.resolve("jwks.json"), signer.jwks());
        String nonce = engine.challenge().get("nonce").getAsString();
        byte[] rd = MessageDigest.getInstance("SHA-384").digest(("{\"nonce\":\"" + nonce + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        String body = "{\"evidence\": {\"format\": \"" + AttestationEngineTest.FORMAT + "\", \"evidence\": \""
                + Base64.getEncoder().encodeToString(AttestationEngineTest.evidence(rd, new byte[] {1, 2, 3, 4}, false))
                + "\"}, \"nonce\": \"" + nonce + "\"}";
        return engine.attest(body);
    }

    private static JsonObject verify(String token) throws Exception {
        Path file = DIR.resolve("token.jwt");
        Files.writeString(file, token);
        Result r = exec(List.of("node", "verify.mjs", file.toString(), DIR.resolve("jwks.json").toString()), 120);
        assertEquals(r.output, 0, r.exit);
        String[] lines = r.output.strip().split("\n");
        return StrictJson.parse(lines[lines.length - 1]).getAsJsonObject();
    }

    @Test
    public void joseVerifiesTheTokenWithTheJwksAlone() throws Exception {
        String token = token();
        JsonObject r = verify(token);
        assertTrue(r.toString(), r.get("ok").getAsBoolean());
        assertEquals("ES384", r.get("alg").getAsString());
        JsonObject payload = r.getAsJsonObject("payload");
        assertEquals(EarClaims.PROFILE, payload.get("eat_profile").getAsString());
        assertEquals("affirming", payload.getAsJsonObject("submods").getAsJsonObject("cpu0").get("ear.status")
                .getAsString());
    }

    @Test
    public void joseRefusesTheTokenWithOnePayloadByteChanged() throws Exception {
        String token = token();
        String[] parts = token.split("\\.");
        byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
        String text = new String(payload, StandardCharsets.UTF_8).replace("\"affirming\"", "\"affirminG\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(
                StandardCharsets.UTF_8)) + "." + parts[2];
        JsonObject r = verify(tampered);
        assertFalse(r.toString(), r.get("ok").getAsBoolean());
        assertTrue(r.toString(), r.get("error").getAsString().contains("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"));
    }
}
