package io.teebox.kit.crypto;

import io.teebox.kit.codec.LittleEndian;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECPrivateKeySpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;
import org.bouncycastle.math.ec.ECPoint;

/**
 * NIST P-256 and P-384 keys on Bouncy Castle: generation, deterministic derivation from a seed, public keys from
 * coordinates (with an on-curve check) and raw ECDH. Curves are named "P-256" or "P-384" (case-insensitive;
 * "secp256r1" and "secp384r1" are accepted too). Keys encode their curve by name (OID), as certificates need.
 */
public final class EcKeys {

    /** The supported curve names. */
    public static final List<String> CURVES = List.of("P-256", "P-384");

    private static final SecureRandom RANDOM = new SecureRandom();

    private EcKeys() {
    }

    /**
     * Generates a fresh random key pair.
     *
     * @param curve "P-256" or "P-384"
     * @return the key pair
     * @throws IllegalArgumentException if the curve is not supported
     */
    public static KeyPair generate(String curve) {
        String std = stdName(curve);
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BouncyCastle.provider());
            g.initialize(new ECGenParameterSpec(std), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC key on " + curve, e);
        }
    }

    /**
     * Derives a key pair deterministically from a seed, so an emulated device keeps the same identity across
     * restarts. The private scalar is {@code d = (OS2IP(E) mod (n - 1)) + 1}, where n is the curve order and E is
     * the first {@code fieldBytes + 16} bytes of {@code T(1) || T(2) || ...} with {@code T(i) = HMAC-SHA384(seed,
     * "teebox-ec-seed" || 0x00 || curveName || 0x00 || LE32(i))}, curveName being "P-256" or "P-384" in ASCII. The
     * 128 extra bits make the bias of the reduction negligible and d always lies in [1, n-1].
     *
     * @param curve "P-256" or "P-384"
     * @param seed the seed, any length; keep it secret, it is the private key
     * @return the key pair; the same seed and curve always give the same pair
     * @throws IllegalArgumentException if the curve is not supported
     */
    public static KeyPair fromSeed(String curve, byte[] seed) {
        Objects.requireNonNull(seed, "seed");
        String name = canonical(curve);
        ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec(stdName(curve));
        int want = fieldBytes(name) + 16;
        byte[] e = new byte[want];
        byte[] prefix = ("teebox-ec-seed\0" + name + "\0").getBytes(StandardCharsets.US_ASCII);
        for (int i = 1, done = 0; done < want; i++) {
            byte[] counter = new byte[4];
            LittleEndian.put32(counter, 0, i);
            byte[] t = Hmac.sha384(seed, prefix, counter);
            int n = Math.min(t.length, want - done);
            System.arraycopy(t, 0, e, done, n);
            done += n;
        }
        BigInteger n = spec.getN();
        BigInteger d = new BigInteger(1, e).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        return pair(spec, d);
    }

    private static KeyPair pair(ECNamedCurveParameterSpec spec, BigInteger d) {
        ECPoint q = spec.getG().multiply(d).normalize();
        try {
            KeyFactory kf = KeyFactory.getInstance("EC", BouncyCastle.provider());
            PrivateKey priv = kf.generatePrivate(new ECPrivateKeySpec(d, spec));
            PublicKey pub = kf.generatePublic(new ECPublicKeySpec(q, spec));
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot build an EC key on " + spec.getName(), ex);
        }
    }

    /**
     * Builds a key pair from a known private scalar (test vectors, keys stored elsewhere).
     *
     * @param curve "P-256" or "P-384"
     * @param d the private scalar, in [1, n-1]
     * @return the key pair, with the public point computed as d*G
     * @throws IllegalArgumentException if the curve is not supported or d is out of range
     */
    public static KeyPair fromPrivate(String curve, BigInteger d) {
        Objects.requireNonNull(d, "d");
        String name = canonical(curve);
        ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec(stdName(curve));
        if (d.signum() <= 0 || d.compareTo(spec.getN()) >= 0) {
            throw new IllegalArgumentException("private scalar is outside [1, n-1] of " + name);
        }
        return pair(spec, d);
    }

    /**
     * Builds a public key from its affine coordinates, checking that the point lies on the curve.
     *
     * @param curve "P-256" or "P-384"
     * @param x the X coordinate
     * @param y the Y coordinate
     * @return the public key
     * @throws IllegalArgumentException if the curve is not supported, or the point is not a valid point on it
     */
    public static PublicKey publicKey(String curve, BigInteger x, BigInteger y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        String name = canonical(curve);
        ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec(stdName(curve));
        BigInteger p = spec.getCurve().getField().getCharacteristic();
        if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
            throw new IllegalArgumentException("point (x=0x" + x.toString(16) + ", y=0x" + y.toString(16)
                    + ") has a coordinate outside the field of " + name);
        }
        ECPoint q;
        try {
            q = spec.getCurve().validatePoint(x, y);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("point (x=0x" + x.toString(16) + ", y=0x" + y.toString(16)
                    + ") is not on " + name, e);
        }
        if (q.isInfinity() || !q.isValid()) {
            throw new IllegalArgumentException("point (x=0x" + x.toString(16) + ", y=0x" + y.toString(16)
                    + ") is not a valid public point of " + name);
        }
        try {
            return KeyFactory.getInstance("EC", BouncyCastle.provider()).generatePublic(new ECPublicKeySpec(q, spec));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build an EC public key on " + name, e);
        }
    }

    /**
     * The affine coordinates of an EC public key.
     *
     * @param key an EC public key (from any provider)
     * @return {x, y}
     * @throws IllegalArgumentException if the key is not an EC key
     */
    public static BigInteger[] publicPoint(PublicKey key) {
        if (!(key instanceof ECPublicKey ec)) {
            throw new IllegalArgumentException("expected an EC public key, found " + (key == null ? "null"
                    : key.getAlgorithm() + " (" + key.getClass().getName() + ")"));
        }
        return new BigInteger[] {ec.getW().getAffineX(), ec.getW().getAffineY()};
    }

    /**
     * Raw ECDH: the shared point's X coordinate, big-endian and left-padded to the field size, exactly what OpenSSL's
     * {@code EVP_PKEY_derive} returns (48 bytes for P-384). No KDF is applied.
     *
     * @param mine our private key
     * @param theirs the peer's public key, on the same curve
     * @return the shared secret Z
     * @throws IllegalArgumentException if the keys are not EC keys on the same curve
     */
    public static byte[] ecdh(PrivateKey mine, PublicKey theirs) {
        Objects.requireNonNull(mine, "mine");
        Objects.requireNonNull(theirs, "theirs");
        int size = publicFieldBytes(theirs);
        try {
            KeyAgreement ka = KeyAgreement.getInstance("ECDH", BouncyCastle.provider());
            ka.init(mine);
            ka.doPhase(theirs, true);
            byte[] z = ka.generateSecret();
            if (z.length == size) {
                return z;
            }
            // pad or strip to the field size whatever the provider did
            byte[] out = new byte[size];
            BigInteger v = new BigInteger(1, z);
            byte[] raw = v.toByteArray();
            int start = raw.length > size ? raw.length - size : 0;
            System.arraycopy(raw, start, out, size - (raw.length - start), raw.length - start);
            return out;
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new IllegalArgumentException("ECDH failed: " + e.getMessage(), e);
        }
    }

    /**
     * The size in bytes of a field element (and of the ECDH output and of r and s) on a curve.
     *
     * @param curve "P-256" or "P-384"
     * @return 32 or 48
     * @throws IllegalArgumentException if the curve is not supported
     */
    public static int fieldBytes(String curve) {
        return canonical(curve).equals("P-256") ? 32 : 48;
    }

    /**
     * The curve of an EC public key.
     *
     * @param key an EC public key
     * @return "P-256" or "P-384"
     * @throws IllegalArgumentException if the key is not an EC key on a supported curve
     */
    public static String curveOf(PublicKey key) {
        int bytes = publicFieldBytes(key);
        return bytes == 32 ? "P-256" : "P-384";
    }

    private static int publicFieldBytes(PublicKey key) {
        if (!(key instanceof ECPublicKey ec)) {
            throw new IllegalArgumentException("expected an EC public key, found " + (key == null ? "null"
                    : key.getAlgorithm()));
        }
        int bits = ec.getParams().getCurve().getField().getFieldSize();
        if (bits != 256 && bits != 384) {
            throw new IllegalArgumentException("EC key has a " + bits + "-bit field, expected P-256 or P-384");
        }
        return bits / 8;
    }

    static String canonical(String curve) {
        Objects.requireNonNull(curve, "curve");
        switch (curve.toLowerCase(Locale.ROOT)) {
            case "p-256", "p256", "secp256r1", "prime256v1":
                return "P-256";
            case "p-384", "p384", "secp384r1":
                return "P-384";
            default:
                throw new IllegalArgumentException("unsupported curve '" + curve + "', expected one of " + CURVES);
        }
    }

    private static String stdName(String curve) {
        return canonical(curve).equals("P-256") ? "secp256r1" : "secp384r1";
    }
}
