package io.teebox.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The console's password, kept in the state directory's {@code console/password} only as a salted PBKDF2-HMAC-SHA256
 * hash ({@code pbkdf2-sha256$ITERATIONS$SALT$HASH}, Base64), owner-only. The password itself exists once: printed at
 * the start that made it. There is no default password: a console without this file lets nobody in.
 */
final class Credentials {

    static final String FILE = "password";
    static final int ITERATIONS = 120_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private final Path file;

    Credentials(Path dir) {
        this.file = dir.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /**
     * Makes a password if none is kept.
     *
     * @return the new password, or null if one was kept already
     * @throws IllegalStateException naming the file that cannot be written
     */
    String makeIfMissing() {
        if (Files.exists(file)) {
            return null;
        }
        String password = newPassword();
        return write(password, false) ? password : null;
    }

    /** @return a new password, replacing the kept one */
    String replace() {
        String password = newPassword();
        write(password, true);
        return password;
    }

    /** @return whether the offered password is the kept one (false when none is kept or the file is damaged) */
    boolean matches(String offered) {
        if (offered == null) {
            return false;
        }
        String kept;
        try {
            kept = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return false;
        }
        String[] f = kept.split("\\$");
        if (f.length != 4 || !f[0].equals("pbkdf2-sha256")) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(f[1]);
            byte[] salt = Base64.getDecoder().decode(f[2]);
            byte[] hash = Base64.getDecoder().decode(f[3]);
            return iterations > 0 && MessageDigest.isEqual(hash, derive(offered, salt, iterations, hash.length));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** @return 24 characters from an alphabet without look-alikes (0/O, 1/l/I): about 140 bits */
    static String newPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder b = new StringBuilder(24);
        RANDOM.ints(24, 0, alphabet.length()).forEach(i -> b.append(alphabet.charAt(i)));
        return b.toString();
    }

    static String hashLine(String password, byte[] salt, int iterations) {
        return "pbkdf2-sha256$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(password, salt, iterations, 32)) + "\n";
    }

    private static byte[] derive(String password, byte[] salt, int iterations, int length) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, length * 8);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available: " + e.getMessage(), e);
        }
    }

    private boolean write(String password, boolean replace) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] line = hashLine(password, salt, ITERATIONS).getBytes(StandardCharsets.US_ASCII);
        try {
            Path dir = file.getParent();
            Files.createDirectories(dir);
            restrict(dir, EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
            Path tmp = Files.createTempFile(dir, "." + FILE, ".tmp");
            try {
                restrict(tmp, OWNER_ONLY);
                Files.write(tmp, line);
                if (replace) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.createLink(file, tmp);
                }
                return true;
            } catch (FileAlreadyExistsException e) {
                return false; // another process made it first: its password counts
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException(file + " cannot be written: " + e.getClass().getSimpleName() + " "
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
}
