package io.teebox.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CredentialsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void thePasswordIsMadeOnceAndKeptOnlyAsASaltedHashTheOwnerAloneReads() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("console");
        Credentials c = new Credentials(dir);
        String p = c.makeIfMissing();
        assertNotNull(p);
        assertEquals(24, p.length());
        assertTrue(p, p.matches("[a-km-zA-HJ-NP-Z2-9]{24}"));
        assertNull("a second start makes none", new Credentials(dir).makeIfMissing());
        String kept = Files.readString(c.file(), StandardCharsets.US_ASCII);
        assertFalse("the file never holds the password", kept.contains(p));
        assertTrue(kept, kept.startsWith("pbkdf2-sha256$" + Credentials.ITERATIONS + "$"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c.file())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(c.matches(p));
        assertFalse(c.matches(p.substring(1)));
        assertFalse(c.matches(p + "x"));
        assertFalse(c.matches(""));
        assertFalse(c.matches(null));
    }

    @Test
    public void aNewPasswordReplacesTheOldOne() {
        Credentials c = new Credentials(tmp.getRoot().toPath());
        String first = c.makeIfMissing();
        String second = c.replace();
        assertNotEquals(first, second);
        assertFalse(c.matches(first));
        assertTrue(c.matches(second));
    }

    @Test
    public void aMissingOrDamagedFileLetsNobodyIn() throws Exception {
        Credentials c = new Credentials(tmp.getRoot().toPath());
        assertFalse("no file: no login, not a default password", c.matches("admin"));
        Files.writeString(c.file(), "admin\n");
        assertFalse(c.matches("admin"));
        Files.writeString(c.file(), "pbkdf2-sha256$x$AAAA$AAAA\n");
        assertFalse(c.matches("x"));
        Files.writeString(c.file(), "pbkdf2-sha256$1$%%%$AAAA\n");
        assertFalse(c.matches("x"));
    }

    @Test
    public void theHashIsPbkdf2HmacSha256AsPublished() {
        // RFC 7914 section 11's PBKDF2-HMAC-SHA256 vector: P="passwd", S="salt", c=1, dkLen=64 (first 32 bytes)
        String line = Credentials.hashLine("passwd", "salt".getBytes(StandardCharsets.US_ASCII), 1);
        byte[] dk = java.util.Base64.getDecoder().decode(line.strip().split("\\$")[3]);
        assertEquals("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc",
                java.util.HexFormat.of().formatHex(dk));
    }
}
