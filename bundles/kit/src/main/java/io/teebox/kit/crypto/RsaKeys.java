package io.teebox.kit.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Objects;
import org.bouncycastle.crypto.prng.EntropySource;
import org.bouncycastle.crypto.prng.EntropySourceProvider;
import org.bouncycastle.crypto.prng.SP800SecureRandomBuilder;
import org.bouncycastle.crypto.digests.SHA384Digest;

/** RSA key pairs (e = 65537) on Bouncy Castle, e.g. RSA-4096 for emulated AMD ARK and ASK keys. */
public final class RsaKeys {

    private RsaKeys() {
    }

    /**
     * Generates a fresh random RSA key pair. RSA-4096 takes from a fraction of a second to a few seconds.
     *
     * @param bits the modulus size, 2048 to 8192
     * @return the key pair
     * @throws IllegalArgumentException if the size is out of range
     */
    public static KeyPair generate(int bits) {
        return generate(bits, new SecureRandom());
    }

    /**
     * Derives an RSA key pair deterministically from a seed: Bouncy Castle's RSA key generator driven by an
     * SP 800-90A HMAC_DRBG (SHA-384) instantiated with the seed as entropy and "teebox-rsa-seed" as
     * personalisation. The same seed gives the same key with the same Bouncy Castle version; a different version
     * might search primes differently, so persist keys that must survive upgrades.
     *
     * @param bits the modulus size, 2048 to 8192
     * @param seed at least 16 bytes of secret seed
     * @return the key pair
     * @throws IllegalArgumentException if the size is out of range or the seed is shorter than 16 bytes
     */
    public static KeyPair fromSeed(int bits, byte[] seed) {
        Objects.requireNonNull(seed, "seed");
        if (seed.length < 16) {
            throw new IllegalArgumentException("RSA seed is " + seed.length + " bytes, expected at least 16");
        }
        byte[] s = seed.clone();
        EntropySourceProvider esp = new EntropySourceProvider() {
            @Override
            public EntropySource get(int bitsRequired) {
                return new EntropySource() {
                    private int used;

                    @Override
                    public boolean isPredictionResistant() {
                        return false;
                    }

                    @Override
                    public byte[] getEntropy() {
                        // the seed once (instantiation), then a counter block for any reseed
                        byte[] out = used == 0 ? s.clone() : new byte[] {(byte) used};
                        used++;
                        return out;
                    }

                    @Override
                    public int entropySize() {
                        return s.length * 8;
                    }
                };
            }
        };
        SecureRandom drbg = new SP800SecureRandomBuilder(esp)
                .setPersonalizationString("teebox-rsa-seed".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .buildHMAC(new org.bouncycastle.crypto.macs.HMac(new SHA384Digest()), null, false);
        return generate(bits, drbg);
    }

    /**
     * Encodes a key pair for keeping: the private key as PKCS#8 DER (it carries the modulus and public exponent).
     *
     * @param keys an RSA key pair
     * @return the PKCS#8 encoding
     */
    public static byte[] toPkcs8(KeyPair keys) {
        return keys.getPrivate().getEncoded();
    }

    /**
     * Decodes a key pair kept with {@link #toPkcs8}.
     *
     * @param pkcs8 the PKCS#8 DER of an RSA private key with CRT parameters
     * @return the key pair
     * @throws IllegalArgumentException if the bytes are not such a key
     */
    public static KeyPair fromPkcs8(byte[] pkcs8) {
        try {
            java.security.KeyFactory f = java.security.KeyFactory.getInstance("RSA", BouncyCastle.provider());
            java.security.PrivateKey priv = f.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
            if (!(priv instanceof java.security.interfaces.RSAPrivateCrtKey crt)) {
                throw new IllegalArgumentException("the PKCS#8 key has no RSA CRT parameters");
            }
            java.security.PublicKey pub = f.generatePublic(new java.security.spec.RSAPublicKeySpec(crt.getModulus(),
                    crt.getPublicExponent()));
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PKCS#8 RSA private key: " + e.getMessage(), e);
        }
    }

    private static KeyPair generate(int bits, SecureRandom random) {
        if (bits < 2048 || bits > 8192) {
            throw new IllegalArgumentException("RSA modulus of " + bits + " bits, expected 2048..8192");
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", BouncyCastle.provider());
            g.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an RSA-" + bits + " key", e);
        }
    }
}
