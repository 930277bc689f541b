package io.teebox.kbs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.api.testing.TestClock;

/** Admin tokens: EdDSA JWTs of the kept key, checked for signature, algorithm and expiry. */
public class AdminAuthTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));

    @Test
    public void theKeyPairIsMadeOnceWithAnOwnerOnlyPrivateKey() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("kbs");
        AdminAuth a = AdminAuth.kept(dir, clock);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(
                AdminAuth.PRIVATE))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(
                AdminAuth.PUBLIC))));
        AdminAuth again = AdminAuth.kept(dir, clock);
        assertEquals(a.publicPem(), again.publicPem());
        again.check("Bearer " + a.token(Duration.ofMinutes(5)));
    }

    @Test
    public void foreignTamperedExpiredAndOtherAlgorithmTokensAreRefused() {
        AdminAuth a = AdminAuth.kept(tmp.getRoot().toPath().resolve("a"), clock);
        AdminAuth b = AdminAuth.kept(tmp.getRoot().toPath().resolve("b"), clock);
        String token = a.token(Duration.ofSeconds(60));
        assertEquals(401, assertThrows(KbsProblem.class, () -> b.check("Bearer " + token)).status);
        assertEquals(401, assertThrows(KbsProblem.class, () -> a.check(null)).status);
        String[] p = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8);
        String longer = Base64.getUrlEncoder().withoutPadding().encodeToString(claims.replace("\"exp\":",
                "\"exp\":9").getBytes(StandardCharsets.UTF_8));
        KbsProblem tampered = assertThrows(KbsProblem.class, () -> a.check("Bearer " + p[0] + "." + longer + "."
                + p[2]));
        assertTrue(tampered.getMessage(), tampered.getMessage().contains("does not verify"));
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(
                StandardCharsets.UTF_8));
        assertTrue(assertThrows(KbsProblem.class, () -> a.check("Bearer " + none + "." + p[1] + "."))
                .getMessage().contains("EdDSA"));
        a.check("Bearer " + token);
        clock.advance(Duration.ofSeconds(60));
        KbsProblem expired = assertThrows(KbsProblem.class, () -> a.check("Bearer " + token));
        assertTrue(expired.getMessage(), expired.getMessage().contains("expired"));
    }
}
