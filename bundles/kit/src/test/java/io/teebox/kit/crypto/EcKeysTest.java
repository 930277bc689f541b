package io.teebox.kit.crypto;

import static io.teebox.kit.hex.Hex.encode;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import org.junit.Test;

public class EcKeysTest {

    private static BigInteger h(String hex) {
        return new BigInteger(hex, 16);
    }

    @Test
    public void ecdhMatchesNistCavsP256Vector() {
        KeyPair iut = EcKeys.fromPrivate("P-256", h("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534"));
        PublicKey cavs = EcKeys.publicKey("P-256", h("700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287"),
                h("db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac"));
        assertEquals("46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b",
                encode(EcKeys.ecdh(iut.getPrivate(), cavs)));
    }

    @Test
    public void ecdhMatchesNistCavsP384Vector() {
        KeyPair iut = EcKeys.fromPrivate("P-384", h("3cc3122a68f0d95027ad38c067916ba0eb8c38894d22e1b15618b6818a661774"
                + "ad463b205da88cf699ab4d43c9cf98a1"));
        PublicKey cavs = EcKeys.publicKey("P-384",
                h("a7c76b970c3b5fe8b05d2838ae04ab47697b9eaf52e764592efda27fe7513272734466b400091adbf2d68c58e0c50066"),
                h("ac68f19f2e1cb879aed43a9969b91a0839c4c38a49749b661efedf243451915ed0905a32b060992b468c64766fc8437a"));
        assertEquals("5f9d29dc5e31a163060356213669c8ce132e22f57c9a04f40ba7fcead493b457"
                + "e5621e766c40a2e3d4d6a04b25e533f1", encode(EcKeys.ecdh(iut.getPrivate(), cavs)));
    }

    @Test
    public void ecdhIsSymmetricAndFieldSized() {
        for (String curve : EcKeys.CURVES) {
            for (int i = 0; i < 4; i++) {
                KeyPair a = EcKeys.generate(curve);
                KeyPair b = EcKeys.generate(curve);
                byte[] ab = EcKeys.ecdh(a.getPrivate(), b.getPublic());
                assertArrayEquals(ab, EcKeys.ecdh(b.getPrivate(), a.getPublic()));
                assertEquals(EcKeys.fieldBytes(curve), ab.length);
            }
        }
        assertEquals(48, EcKeys.fieldBytes("p-384"));
        assertEquals(32, EcKeys.fieldBytes("secp256r1"));
    }

    @Test
    public void keysFromTheJdkProviderWorkToo() throws Exception {
        KeyPair a = EcKeys.generate("P-384");
        KeyPair b = EcKeys.generate("P-384");
        PublicKey sunB = java.security.KeyFactory.getInstance("EC")
                .generatePublic(new java.security.spec.X509EncodedKeySpec(b.getPublic().getEncoded()));
        assertArrayEquals(EcKeys.ecdh(b.getPrivate(), a.getPublic()), EcKeys.ecdh(a.getPrivate(), sunB));
        assertEquals("P-384", EcKeys.curveOf(sunB));
        BigInteger[] rs = Signatures.ecdsaSign(b.getPrivate(), "SHA-384", new byte[] {1});
        assertTrue(Signatures.ecdsaVerify(sunB, "SHA-384", new byte[] {1}, rs[0], rs[1]));
    }

    @Test
    public void ecdhAcrossCurvesIsRejected() {
        KeyPair a = EcKeys.generate("P-256");
        KeyPair b = EcKeys.generate("P-384");
        assertThrows(IllegalArgumentException.class, () -> EcKeys.ecdh(a.getPrivate(), b.getPublic()));
    }

    @Test
    public void fromSeedIsDeterministicAndSeedSensitive() {
        byte[] seed = "amd-sp chip 0 pdh".getBytes(StandardCharsets.US_ASCII);
        KeyPair k1 = EcKeys.fromSeed("P-384", seed);
        KeyPair k2 = EcKeys.fromSeed("P-384", seed.clone());
        assertArrayEquals(k1.getPublic().getEncoded(), k2.getPublic().getEncoded());
        assertArrayEquals(k1.getPrivate().getEncoded(), k2.getPrivate().getEncoded());
        seed[0] ^= 1;
        KeyPair k3 = EcKeys.fromSeed("P-384", seed);
        assertFalse(java.util.Arrays.equals(k1.getPublic().getEncoded(), k3.getPublic().getEncoded()));
        KeyPair p256 = EcKeys.fromSeed("P-256", new byte[0]);
        assertEquals("P-256", EcKeys.curveOf(p256.getPublic()));
        assertEquals("P-384", EcKeys.curveOf(k1.getPublic()));
        // derived keys work
        BigInteger[] rs = Signatures.ecdsaSign(k1.getPrivate(), "SHA-384", seed);
        assertTrue(Signatures.ecdsaVerify(k1.getPublic(), "SHA-384", seed, rs[0], rs[1]));
    }

    @Test
    public void fromSeedFollowsItsDocumentedDerivation() {
        byte[] seed = {1, 2, 3};
        byte[] prefix = "teebox-ec-seed\0P-256\0".getBytes(StandardCharsets.US_ASCII);
        byte[] t1 = Hmac.sha384(seed, prefix, new byte[] {1, 0, 0, 0});
        BigInteger n = h("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
        BigInteger d = new BigInteger(1, t1).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE); // 48 = 32 + 16
        assertArrayEquals(EcKeys.fromPrivate("P-256", d).getPublic().getEncoded(),
                EcKeys.fromSeed("P-256", seed).getPublic().getEncoded());
    }

    @Test
    public void publicKeyRoundTripsThroughItsPoint() {
        KeyPair k = EcKeys.generate("P-384");
        BigInteger[] xy = EcKeys.publicPoint(k.getPublic());
        PublicKey again = EcKeys.publicKey("P-384", xy[0], xy[1]);
        assertArrayEquals(k.getPublic().getEncoded(), again.getEncoded());
    }

    @Test
    public void pointOffTheCurveIsRejected() {
        KeyPair k = EcKeys.generate("P-256");
        BigInteger[] xy = EcKeys.publicPoint(k.getPublic());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EcKeys.publicKey("P-256", xy[0], xy[1].add(BigInteger.ONE)));
        assertTrue(e.getMessage(), e.getMessage().contains("not on P-256"));
        assertThrows(IllegalArgumentException.class, () -> EcKeys.publicKey("P-384", xy[0], xy[1]));
        assertThrows(IllegalArgumentException.class,
                () -> EcKeys.publicKey("P-256", xy[0].negate(), xy[1]));
        e = assertThrows(IllegalArgumentException.class, () -> EcKeys.generate("P-521"));
        assertTrue(e.getMessage(), e.getMessage().contains("P-521"));
        assertThrows(IllegalArgumentException.class, () -> EcKeys.fromPrivate("P-256", BigInteger.ZERO));
    }

    @Test
    public void distinctGeneratedKeys() {
        assertNotEquals(EcKeys.publicPoint(EcKeys.generate("P-256").getPublic())[0],
                EcKeys.publicPoint(EcKeys.generate("P-256").getPublic())[0]);
    }
}
