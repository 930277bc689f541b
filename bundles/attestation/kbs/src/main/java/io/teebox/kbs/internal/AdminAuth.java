package io.teebox.kbs.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/**
 * The admin API's authentication, as Trustee's: a bearer JWT signed with the admin's Ed25519 key ({@code alg}
 * EdDSA), with {@code iat} and {@code exp}. The key pair is made on first start in the state directory: the public
 * key, and the private key readable by its owner only, from which {@code kbs:admin-token} signs tokens for curl.
 * The signatures are the JDK's Ed25519 (Nimbus's Ed25519 signer needs Google Tink, which teebox does not deploy).
 */
final class AdminAuth {

    static final String PRIVATE = "admin-key.pem";
    static final String PUBLIC = "admin-key.pub.pem";

    private final PublicKey publicKey;
    private final PrivateKey privateKey;
    private final Path directory;
    private final Clock clock;

    AdminAuth(PublicKey publicKey, PrivateKey privateKey, Path directory, Clock clock) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.directory = directory;
        this.clock = clock;
    }

    /**
     * @param directory where the key pair is kept, created on first use
     * @param clock the time, for expiry
     * @return the admin authentication of the kept key pair
     * @throws IllegalStateException naming the file when the key pair cannot be read or written
     */
    static AdminAuth kept(Path directory, Clock clock) {
        Path priv = directory.resolve(PRIVATE);
        Path pub = directory.resolve(PUBLIC);
        try {
            Files.createDirectories(directory);
            if (!Files.exists(priv)) {
                KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                writeOnce(pub, pem("PUBLIC KEY", kp.getPublic().getEncoded()), false);
                writeOnce(priv, pem("PRIVATE KEY", kp.getPrivate().getEncoded()), true);
            }
            KeyFactory f = KeyFactory.getInstance("Ed25519");
            PrivateKey pk = f.generatePrivate(new PKCS8EncodedKeySpec(unpem(Files.readString(priv), priv)));
            PublicKey pu = f.generatePublic(new X509EncodedKeySpec(unpem(Files.readString(pub), pub)));
            return new AdminAuth(pu, pk, directory, clock);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the key broker's admin key pair in " + directory + " cannot be used: "
                    + e.getMessage(), e);
        }
    }

    private static void writeOnce(Path file, String text, boolean ownerOnly) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            // createTempFile makes the file owner-only; the public key may be read by anyone
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(ownerOnly ? "rw-------"
                        : "rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                tmp.toFile().setReadable(false, false);
                tmp.toFile().setReadable(true, ownerOnly);
            }
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
            }
        } catch (FileAlreadyExistsException e) {
            // another process made it first: keep theirs
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] unpem(String text, Path file) {
        String b = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s+", "");
        try {
            return Base64.getDecoder().decode(b);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " is not PEM: " + e.getMessage());
        }
    }

    /** @return the directory holding the key pair */
    Path directory() {
        return directory;
    }

    /** @return the public key as PEM */
    String publicPem() {
        return pem("PUBLIC KEY", publicKey.getEncoded());
    }

    /**
     * @param lifetime how long the token is valid
     * @return an admin token signed with the kept private key
     */
    String token(Duration lifetime) {
        Instant now = clock.instant();
        JsonObject h = new JsonObject();
        h.addProperty("alg", "EdDSA");
        h.addProperty("typ", "JWT");
        JsonObject c = new JsonObject();
        c.addProperty("iat", now.getEpochSecond());
        c.addProperty("exp", now.plus(lifetime).getEpochSecond());
        String input = b64(h.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + b64(c.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing the admin token failed: " + e.getMessage(), e);
        }
    }

    /**
     * @param authorization the request's {@code Authorization} header, or null
     * @throws KbsProblem 401 (Trustee's AdminAuth) without a token or for one that is not the admin's or
     *         expired
     */
    void check(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            throw new KbsProblem(401, "AdminAuth", "the admin API needs Authorization: Bearer <JWT signed EdDSA with "
                    + "the admin key> (kbs:token prints one)");
        }
        String[] p = authorization.substring(7).trim().split("\\.", -1);
        if (p.length != 3) {
            throw new KbsProblem(401, "AdminAuth", "the admin token is not a compact JWS of three parts");
        }
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            JsonElement header = JsonParser.parseString(new String(d.decode(p[0]), StandardCharsets.UTF_8));
            if (!(header instanceof JsonObject h) || !(h.get("alg") instanceof JsonPrimitive alg)
                    || !"EdDSA".equals(alg.getAsString())) {
                throw new KbsProblem(401, "AdminAuth", "the admin token's alg must be EdDSA (Ed25519)");
            }
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(publicKey);
            s.update((p[0] + "." + p[1]).getBytes(StandardCharsets.US_ASCII));
            if (!s.verify(d.decode(p[2]))) {
                throw new KbsProblem(401, "AdminAuth", "the admin token's signature does not verify with the admin "
                        + "key " + directory.resolve(PUBLIC));
            }
            JsonElement claims = JsonParser.parseString(new String(d.decode(p[1]), StandardCharsets.UTF_8));
            if (!(claims instanceof JsonObject c) || !(c.get("exp") instanceof JsonPrimitive exp)
                    || !exp.isNumber()) {
                throw new KbsProblem(401, "AdminAuth", "the admin token has no numeric exp");
            }
            if (clock.instant().getEpochSecond() >= exp.getAsLong()) {
                throw new KbsProblem(401, "AdminAuth", "the admin token expired at "
                        + Instant.ofEpochSecond(exp.getAsLong()));
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof KbsProblem k) {
                throw k;
            }
            throw new KbsProblem(401, "AdminAuth", "the admin token cannot be read: " + e.getMessage());
        }
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
