package io.teebox.attestation.azure.internal;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * PKCS #11's {@code CKM_RSA_AES_KEY_WRAP}, as Key Vault's secure key release wraps a key to the TEE's RSA key: a fresh
 * AES-256 key is encrypted with RSAES-OAEP (the hash and MGF1 hash of the variant, empty label) and the target key
 * material is wrapped with that AES key by AES Key Wrap with Padding (RFC 5649); the result is the RSA ciphertext
 * (the modulus length) followed by the wrapped key.
 */
final class RsaAesKeyWrap {

    /** The variants Key Vault names in a release request's {@code enc}. */
    enum Variant {
        /** OAEP with SHA-1, as PKCS #11's mechanism defaults to. */
        CKM_RSA_AES_KEY_WRAP("SHA-1", MGF1ParameterSpec.SHA1),
        /** OAEP with SHA-256. */
        RSA_AES_KEY_WRAP_256("SHA-256", MGF1ParameterSpec.SHA256),
        /** OAEP with SHA-384. */
        RSA_AES_KEY_WRAP_384("SHA-384", MGF1ParameterSpec.SHA384);

        final OAEPParameterSpec oaep;

        Variant(String hash, MGF1ParameterSpec mgf) {
            this.oaep = new OAEPParameterSpec(hash, "MGF1", mgf, PSource.PSpecified.DEFAULT);
        }

        /**
         * @param name the request's {@code enc}, or null for Key Vault's default
         * @return the variant
         * @throws KeyVaultError (400 BadParameter) for another name
         */
        static Variant of(String name) {
            if (name == null) {
                return CKM_RSA_AES_KEY_WRAP;
            }
            for (Variant v : values()) {
                if (v.name().equals(name)) {
                    return v;
                }
            }
            throw KeyVaultError.badParameter("enc is '" + name + "'; accepted: CKM_RSA_AES_KEY_WRAP, "
                    + "RSA_AES_KEY_WRAP_256, RSA_AES_KEY_WRAP_384");
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private RsaAesKeyWrap() {
    }

    /**
     * @param variant the OAEP hash
     * @param rsa the TEE's public key
     * @param keyMaterial the key to release (an AES key's bytes), at least 1 byte
     * @return RSA-OAEP(AES key) ‖ AES-KWP(AES key, key material)
     */
    static byte[] wrap(Variant variant, PublicKey rsa, byte[] keyMaterial) {
        try {
            KeyGenerator g = KeyGenerator.getInstance("AES");
            g.init(256, RANDOM);
            SecretKey temp = g.generateKey();
            Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
            oaep.init(Cipher.ENCRYPT_MODE, rsa, variant.oaep, RANDOM);
            byte[] first = oaep.doFinal(temp.getEncoded());
            byte[] second = kwp(Cipher.ENCRYPT_MODE, temp.getEncoded(), keyMaterial);
            byte[] out = Arrays.copyOf(first, first.length + second.length);
            System.arraycopy(second, 0, out, first.length, second.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-AES key wrap failed: " + e.getMessage(), e);
        }
    }

    /**
     * @param variant the OAEP hash
     * @param rsa the TEE's private key
     * @param wrapped what {@link #wrap} made
     * @return the key material
     * @throws IllegalArgumentException if the wrapped key is too short or does not unwrap with this key
     */
    static byte[] unwrap(Variant variant, PrivateKey rsa, byte[] wrapped) {
        return unwrap(variant, c -> {
            try {
                Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
                oaep.init(Cipher.DECRYPT_MODE, rsa, variant.oaep);
                return oaep.doFinal(c);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the wrapped AES key does not decrypt with this RSA key ("
                        + variant + "): " + e.getMessage(), e);
            }
        }, (((RSAKey) rsa).getModulus().bitLength() + 7) / 8, wrapped);
    }

    /**
     * Unwraps with an RSA key held elsewhere (a vTPM): it decrypts the first {@code modulusBytes} with the variant's
     * OAEP, then the AES key wrap with padding is undone here.
     */
    static byte[] unwrap(Variant variant, java.util.function.UnaryOperator<byte[]> rsaDecrypt, int modulusBytes,
            byte[] wrapped) {
        int n = modulusBytes;
        if (wrapped.length < n + 16) {
            throw new IllegalArgumentException("the wrapped key is " + wrapped.length + " bytes; an RSA-" + n * 8
                    + " RSA-AES wrap is at least " + (n + 16));
        }
        byte[] temp = rsaDecrypt.apply(Arrays.copyOfRange(wrapped, 0, n));
        try {
            return kwp(Cipher.DECRYPT_MODE, temp, Arrays.copyOfRange(wrapped, n, wrapped.length));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key does not unwrap (RFC 5649 integrity check failed): "
                    + e.getMessage(), e);
        }
    }

    /** AES Key Wrap with Padding (RFC 5649), the JDK's {@code AES/KWP/NoPadding}. */
    static byte[] kwp(int mode, byte[] kek, byte[] data) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/KWP/NoPadding");
        c.init(mode, new SecretKeySpec(kek, "AES"));
        return c.doFinal(data);
    }
}
