package io.teebox.remote.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * What the remote shell keeps in the state directory's {@code remote/}, made at first start and kept: the host key
 * (so clients see the same fingerprint after every restart), the generated password and, when the operator adds it,
 * {@code authorized_keys}. The directory and the secret files are the owner's alone (700 and 600).
 */
final class Credentials {

    static final String HOST_KEY = "host-key";
    static final String PASSWORD = "password";
    static final String AUTHORIZED_KEYS = "authorized_keys";

    /** No 0/O, 1/l/I: a password read off a screen is typed right the first time. */
    private static final char[] ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();
    private static final int PASSWORD_LENGTH = 24;
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final boolean createdPassword;
    private final SimpleGeneratorHostKeyProvider hostKeys;
    private final PublicKey hostKey;

    private Credentials(Path dir, boolean createdPassword, SimpleGeneratorHostKeyProvider hostKeys,
            PublicKey hostKey) {
        this.dir = dir;
        this.createdPassword = createdPassword;
        this.hostKeys = hostKeys;
        this.hostKey = hostKey;
    }

    /**
     * Makes what is missing and loads the rest.
     *
     * @param dir the directory, {@code <state>/remote}
     * @return the credentials
     * @throws IllegalStateException naming the file that cannot be made or read
     */
    static Credentials open(Path dir) {
        try {
            Files.createDirectories(dir);
            restrict(dir, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
        } catch (IOException e) {
            throw new IllegalStateException(dir + " cannot be created: " + e.getClass().getSimpleName() + " "
                    + e.getMessage(), e);
        }
        boolean created = writeOnce(dir.resolve(PASSWORD), (newPassword() + "\n").getBytes(StandardCharsets.UTF_8));
        Path keyFile = dir.resolve(HOST_KEY);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(keyFile);
        keys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        keys.setKeySize(256);
        keys.setOverwriteAllowed(false);
        List<KeyPair> pairs = keys.loadKeys(null);
        if (pairs.isEmpty()) {
            throw new IllegalStateException("host key " + keyFile + " cannot be read or made: remove it to make a "
                    + "new one (clients will then see a new fingerprint)");
        }
        try {
            restrict(keyFile, OWNER_ONLY);
        } catch (IOException e) {
            throw new IllegalStateException("host key " + keyFile + ": " + e.getMessage(), e);
        }
        return new Credentials(dir, created, keys, pairs.get(0).getPublic());
    }

    /** @return the directory */
    Path dir() {
        return dir;
    }

    /** @return whether this call made the password (the platform's first start with a remote shell) */
    boolean createdPassword() {
        return createdPassword;
    }

    /** @return the host key provider for the server */
    SimpleGeneratorHostKeyProvider hostKeys() {
        return hostKeys;
    }

    /** @return the host key's fingerprint as OpenSSH prints it ({@code SHA256:...}) */
    String fingerprint() {
        return KeyUtils.getFingerPrint(hostKey);
    }

    Path passwordFile() {
        return dir.resolve(PASSWORD);
    }

    Path authorizedKeys() {
        return dir.resolve(AUTHORIZED_KEYS);
    }

    /**
     * @param offered the password a client sent
     * @return whether it is the one in the password file (read at each attempt, so an operator may change it)
     */
    boolean passwordMatches(String offered) {
        if (offered == null) {
            return false;
        }
        byte[] kept;
        try {
            kept = Files.readString(passwordFile(), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false;
        }
        return kept.length > 0 && MessageDigest.isEqual(kept, offered.getBytes(StandardCharsets.UTF_8));
    }

    /** @return a new random password of {@value #PASSWORD_LENGTH} characters (about 140 bits) */
    static String newPassword() {
        char[] c = new char[PASSWORD_LENGTH];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    /** Writes the file readable by the owner only, unless it exists; returns whether it was written. */
    private static boolean writeOnce(Path f, byte[] value) {
        if (Files.exists(f)) {
            return false;
        }
        try {
            Path tmp = Files.createTempFile(f.getParent(), "." + f.getFileName(), ".tmp");
            try {
                restrict(tmp, OWNER_ONLY);
                Files.write(tmp, value);
                Files.createLink(f, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false; // another process made it first: its value counts
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException(f + " cannot be written: " + e.getClass().getSimpleName() + " "
                    + e.getMessage(), e);
        }
    }

    private static void restrict(Path f, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(f, permissions);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection applies
        }
    }

    /** @return the file's permissions as {@code rw-------}, or null where the file system has none */
    static String permissions(Path f) throws IOException {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }
}
