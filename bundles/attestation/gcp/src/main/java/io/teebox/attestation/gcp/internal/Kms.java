package io.teebox.attestation.gcp.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.google.gson.JsonObject;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Cloud KMS as teebox emulates it for confidential workloads: symmetric keys whose use to decrypt is granted by an
 * IAM-style condition over the caller's attestation token, as Google's Workload Identity Federation grants a
 * principal of an attested workload.
 * <p>
 * {@code :encrypt} {@code {plaintext, additionalAuthenticatedData?}} → {@code {name, ciphertext, ciphertextCrc32c}};
 * {@code :decrypt} {@code {ciphertext, additionalAuthenticatedData?}} with {@code Authorization: Bearer <token>} →
 * {@code {plaintext, plaintextCrc32c}} when the token verifies (RS256 signature with the attestation service's key,
 * {@code iss}, {@code aud} the configured audience, {@code nbf}, {@code exp}) and the key's condition holds.
 * <p>
 * The ciphertext (Google's is opaque; this is teebox's): version byte {@code 0x01}, a 12-byte random IV, then the
 * AES-256-GCM ciphertext with its 16-byte tag; the AAD is the key's resource name, a zero byte, and the caller's
 * additional authenticated data, so a ciphertext opens only under the key that made it.
 */
final class Kms {

    static final byte VERSION = 1;
    static final int IV = 12;
    static final int TAG = 16;
    static final int MAX_PLAINTEXT = 64 * 1024;

    private final KmsStore store;
    private final GcpSigner issuer;
    private final String audience;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    Kms(KmsStore store, GcpSigner issuer, String audience, Clock clock) {
        this.store = store;
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
    }

    KmsStore store() {
        return store;
    }

    String audience() {
        return audience;
    }

    /** @return {@code {name, ciphertext, ciphertextCrc32c}} */
    JsonObject encrypt(String name, JsonObject body) {
        KmsStore.Key k = key(name);
        byte[] plaintext = field(body, "plaintext", true);
        if (plaintext.length > MAX_PLAINTEXT) {
            throw GcpError.invalid("plaintext is " + plaintext.length + " bytes, at most " + MAX_PLAINTEXT);
        }
        byte[] aad = field(body, "additionalAuthenticatedData", false);
        byte[] iv = new byte[IV];
        random.nextBytes(iv);
        byte[] sealed = gcm(Cipher.ENCRYPT_MODE, k, iv, aad, plaintext);
        byte[] out = ByteBuffer.allocate(1 + IV + sealed.length).put(VERSION).put(iv).put(sealed).array();
        JsonObject o = new JsonObject();
        o.addProperty("name", name + "/cryptoKeyVersions/1");
        o.addProperty("ciphertext", Base64.getEncoder().encodeToString(out));
        o.addProperty("ciphertextCrc32c", Long.toString(crc32c(out)));
        return o;
    }

    /**
     * @param authorization the request's Authorization header
     * @return {@code {plaintext, plaintextCrc32c}}
     * @throws GcpError UNAUTHENTICATED for a missing or bad token, PERMISSION_DENIED naming the failing
     *         sub-condition and the claim's value, INVALID_ARGUMENT for a malformed body or ciphertext
     */
    JsonObject decrypt(String name, JsonObject body, String authorization) {
        KmsStore.Key k = key(name);
        Map<String, Object> claims = verify(authorization);
        Condition.Decision d = k.condition().evaluate(claims);
        if (!d.allowed()) {
            throw GcpError.denied("Permission 'cloudkms.cryptoKeyVersions.useToDecrypt' denied on " + name
                    + ": the condition does not hold: " + d.reason());
        }
        byte[] ct = field(body, "ciphertext", true);
        byte[] aad = field(body, "additionalAuthenticatedData", false);
        if (ct.length < 1 + IV + TAG || ct[0] != VERSION) {
            throw GcpError.invalid("ciphertext is not one this key service made (" + ct.length + " bytes, version "
                    + (ct.length == 0 ? "none" : ct[0]) + "; expected version 1, at least " + (1 + IV + TAG)
                    + " bytes)");
        }
        byte[] plaintext = gcm(Cipher.DECRYPT_MODE, k, Arrays.copyOfRange(ct, 1, 1 + IV), aad,
                Arrays.copyOfRange(ct, 1 + IV, ct.length));
        JsonObject o = new JsonObject();
        o.addProperty("plaintext", Base64.getEncoder().encodeToString(plaintext));
        o.addProperty("plaintextCrc32c", Long.toString(crc32c(plaintext)));
        return o;
    }

    /**
     * Verifies a bearer attestation token as the key service's identity provider does.
     *
     * @return the token's claims
     * @throws GcpError UNAUTHENTICATED naming what is wrong
     */
    Map<String, Object> verify(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw GcpError.unauthenticated("Request is missing required authentication credential: send "
                    + "Authorization: Bearer <attestation token>");
        }
        SignedJWT jwt = issuer.verifySignature(authorization.substring(7).trim());
        JWTClaimsSet c;
        try {
            c = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw GcpError.unauthenticated("the attestation token's claims do not parse: " + e.getMessage());
        }
        if (!ConfidentialComputing.ISSUER.equals(c.getIssuer())) {
            throw GcpError.unauthenticated("the attestation token's iss is '" + c.getIssuer() + "', expected "
                    + ConfidentialComputing.ISSUER);
        }
        List<String> aud = c.getAudience();
        if (aud == null || !aud.contains(audience)) {
            throw GcpError.unauthenticated("the attestation token's aud is " + aud + ", expected " + audience);
        }
        Instant now = clock.instant();
        Date exp = c.getExpirationTime();
        if (exp == null || !now.isBefore(exp.toInstant())) {
            throw GcpError.unauthenticated("the attestation token " + (exp == null ? "has no exp" : "expired at "
                    + exp.toInstant()));
        }
        Date nbf = c.getNotBeforeTime();
        if (nbf != null && now.isBefore(nbf.toInstant())) {
            throw GcpError.unauthenticated("the attestation token is not valid before " + nbf.toInstant());
        }
        Map<String, Object> claims = c.toJSONObject();
        // the JWT library gives dates as numbers of seconds; a condition sees them as Google's tokens carry them
        return claims;
    }

    private KmsStore.Key key(String name) {
        KmsStore.name(name);
        return store.get(name).orElseThrow(() -> GcpError.notFound("CryptoKey " + name + " not found"));
    }

    private static byte[] field(JsonObject body, String name, boolean required) {
        byte[] b = ConfidentialComputing.bytes(body, name, name, snake(name));
        if (b == null && required) {
            throw GcpError.invalid(name + " is missing: base64 bytes");
        }
        return b == null ? new byte[0] : b;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static byte[] gcm(int mode, KmsStore.Key k, byte[] iv, byte[] aad, byte[] data) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(k.material(), "AES"), new GCMParameterSpec(TAG * 8, iv));
            c.updateAAD(k.name().getBytes(StandardCharsets.UTF_8));
            c.updateAAD(new byte[1]);
            c.updateAAD(aad);
            return c.doFinal(data);
        } catch (AEADBadTagException e) {
            throw GcpError.invalid("Decryption failed: the ciphertext is invalid (its tag does not verify under "
                    + k.name() + " and the additional authenticated data)");
        } catch (GeneralSecurityException e) {
            throw new GcpError(500, "INTERNAL", "AES-256-GCM failed: " + e.getMessage());
        }
    }

    static long crc32c(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return c.getValue();
    }
}
