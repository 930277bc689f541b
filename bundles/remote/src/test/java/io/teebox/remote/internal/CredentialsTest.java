package io.teebox.remote.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CredentialsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theFirstStartMakesAnOwnerOnlyPasswordAndHostKey() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("state/remote");
        Credentials c = Credentials.open(dir);
        assertTrue(c.createdPassword());
        assertEquals("rwx------", Credentials.permissions(dir));
        assertEquals("rw-------", Credentials.permissions(dir.resolve("password")));
        assertEquals("rw-------", Credentials.permissions(dir.resolve("host-key")));
        String password = Files.readString(dir.resolve("password"), StandardCharsets.UTF_8);
        assertTrue(password, password.matches("[a-km-zA-HJ-NP-Z2-9]{24}\n"));
        assertTrue(c.passwordMatches(password.strip()));
        assertTrue(c.fingerprint(), c.fingerprint().startsWith("SHA256:"));
        assertFalse("no authorized_keys is made: the operator adds it", Files.exists(c.authorizedKeys()));
        assertFalse("no temporary file is left", Files.list(dir).anyMatch(f -> f.getFileName().toString()
                .endsWith(".tmp")));
    }

    @Test
    public void theNextStartKeepsThePasswordAndTheHostKey() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("remote");
        Credentials first = Credentials.open(dir);
        String password = Files.readString(dir.resolve("password"));
        Credentials second = Credentials.open(dir);
        assertFalse("the password line is printed once, at first start", second.createdPassword());
        assertEquals(password, Files.readString(dir.resolve("password")));
        assertEquals("the host key fingerprint survives restarts", first.fingerprint(), second.fingerprint());
        // and SSHD itself, reading the file as the next server would, finds the same key
        SimpleGeneratorHostKeyProvider again = new SimpleGeneratorHostKeyProvider(dir.resolve("host-key"));
        again.setOverwriteAllowed(false);
        List<KeyPair> keys = again.loadKeys(null);
        assertEquals(first.fingerprint(), KeyUtils.getFingerPrint(keys.get(0).getPublic()));
    }

    @Test
    public void anotherMachineGetsAnotherPasswordAndHostKey() {
        Credentials a = Credentials.open(tmp.getRoot().toPath().resolve("a"));
        Credentials b = Credentials.open(tmp.getRoot().toPath().resolve("b"));
        assertNotEquals(a.fingerprint(), b.fingerprint());
        Set<String> passwords = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            passwords.add(Credentials.newPassword());
        }
        assertEquals("1000 generated passwords are all different", 1000, passwords.size());
    }

    @Test
    public void onlyTheKeptPasswordIsAccepted() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("remote");
        Credentials c = Credentials.open(dir);
        String password = Files.readString(dir.resolve("password")).strip();
        assertFalse(c.passwordMatches(null));
        assertFalse(c.passwordMatches(""));
        assertFalse(c.passwordMatches(password + "x"));
        assertFalse(c.passwordMatches(password.substring(1)));
        char[] flipped = password.toCharArray();
        flipped[5] = flipped[5] == 'a' ? 'b' : 'a';
        assertFalse(c.passwordMatches(new String(flipped)));
        assertFalse("the newline in the file is not part of the password", c.passwordMatches(password + "\n"));
        // an operator may set a password of their own: it is read at each attempt
        Files.writeString(dir.resolve("password"), "my own secret\n");
        assertTrue(c.passwordMatches("my own secret"));
        assertFalse(c.passwordMatches(password));
        // an empty or missing file lets nobody in
        Files.writeString(dir.resolve("password"), "\n");
        assertFalse(c.passwordMatches(""));
        Files.delete(dir.resolve("password"));
        assertFalse(c.passwordMatches("my own secret"));
    }
}
