package io.teebox.kit.crypto;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import org.junit.BeforeClass;
import org.junit.Test;

public class SignaturesTest {

    private static final byte[] SAMPLE = "sample".getBytes(StandardCharsets.US_ASCII);
    private static KeyPair rsa;

    @BeforeClass
    public static void rsaKey() {
        rsa = RsaKeys.generate(2048);
    }

    private static BigInteger h(String hex) {
        return new BigInteger(hex, 16);
    }

    @Test
    public void verifiesRfc6979P256Sha256Signature() {
        PublicKey pub = EcKeys.publicKey("P-256", h("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"),
                h("7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"));
        BigInteger r = h("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716");
        BigInteger s = h("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
        assertTrue(Signatures.ecdsaVerify(pub, "SHA-256", SAMPLE, r, s));
        assertFalse(Signatures.ecdsaVerify(pub, "SHA-256", "samplf".getBytes(StandardCharsets.US_ASCII), r, s));
        assertFalse(Signatures.ecdsaVerify(pub, "SHA-384", SAMPLE, r, s));
    }

    @Test
    public void deterministicEcdsaGivesRfc6979sPublishedSignatures() {
        // RFC 6979 A.2.5 (P-256, SHA-256, "sample") and A.2.6 (P-384, SHA-384, "sample")
        KeyPair p256 = EcKeys.fromPrivate("P-256", h("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721"));
        BigInteger[] rs = Signatures.ecdsaSignDeterministic(p256.getPrivate(), "SHA-256", SAMPLE);
        assertEquals(h("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"), rs[0]);
        assertEquals(h("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"), rs[1]);
        KeyPair p384 = EcKeys.fromPrivate("P-384", h("6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D8"
                + "96D5724E4C70A825F872C9EA60D2EDF5"));
        rs = Signatures.ecdsaSignDeterministic(p384.getPrivate(), "SHA-384", SAMPLE);
        assertEquals(h("94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46"),
                rs[0]);
        assertTrue(Signatures.ecdsaVerify(p384.getPublic(), "SHA-384", SAMPLE, rs[0], rs[1]));
        assertFalse(Signatures.ecdsaVerify(p384.getPublic(), "SHA-384", "samplf".getBytes(StandardCharsets.US_ASCII),
                rs[0], rs[1]));
    }

    @Test
    public void verifiesRfc6979P384Sha384Signature() {
        PublicKey pub = EcKeys.publicKey("P-384",
                h("EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13"),
                h("8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720"));
        BigInteger r = h("94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46");
        BigInteger s = h("99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8");
        assertTrue(Signatures.ecdsaVerify(pub, "SHA-384", SAMPLE, r, s));
        assertFalse(Signatures.ecdsaVerify(pub, "SHA-384", SAMPLE, r, s.add(BigInteger.ONE)));
    }

    @Test
    public void ecdsaSignVerifyAndTamperedByte() {
        for (String[] c : new String[][] {{"P-256", "SHA-256"}, {"P-384", "SHA-384"}, {"P-384", "SHA-256"}}) {
            KeyPair k = EcKeys.generate(c[0]);
            byte[] msg = new byte[1184];
            msg[5] = 42;
            BigInteger[] rs = Signatures.ecdsaSign(k.getPrivate(), c[1], msg);
            assertTrue(Signatures.ecdsaVerify(k.getPublic(), c[1], msg, rs[0], rs[1]));
            msg[700] ^= 0x10;
            assertFalse(Signatures.ecdsaVerify(k.getPublic(), c[1], msg, rs[0], rs[1]));
            msg[700] ^= 0x10;
            assertFalse(Signatures.ecdsaVerify(EcKeys.generate(c[0]).getPublic(), c[1], msg, rs[0], rs[1]));
            assertFalse(Signatures.ecdsaVerify(k.getPublic(), c[1], msg, rs[0], BigInteger.ZERO));
        }
        assertThrows(IllegalArgumentException.class,
                () -> Signatures.ecdsaSign(EcKeys.generate("P-256").getPrivate(), "SHA-1", SAMPLE));
    }

    @Test
    public void derAndRawEncodingsRoundTrip() {
        BigInteger r = h("00ff");
        BigInteger s = h("0102030405060708090a0b0c0d0e0f10111213141516171819");
        byte[] der = Signatures.toDer(r, s);
        assertEquals(0x30, der[0]);
        BigInteger[] back = Signatures.fromDer(der);
        assertEquals(r, back[0]);
        assertEquals(s, back[1]);
        byte[] raw = Signatures.toRaw(r, s, 48);
        assertEquals(96, raw.length);
        assertEquals((byte) 0xff, raw[47]);
        BigInteger[] rawBack = Signatures.fromRaw(raw);
        assertEquals(r, rawBack[0]);
        assertEquals(s, rawBack[1]);
        assertThrows(IllegalArgumentException.class, () -> Signatures.fromDer(new byte[] {0x30, 0x03, 2, 1}));
        assertThrows(IllegalArgumentException.class, () -> Signatures.toRaw(BigInteger.ONE.shiftLeft(256), s, 32));
    }

    @Test
    public void rsaPssSignsAndRejectsTampering() {
        byte[] msg = "certificate tbs".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = Signatures.rsaPssSign(rsa.getPrivate(), msg);
        assertEquals(256, sig.length);
        assertTrue(Signatures.rsaPssVerify(rsa.getPublic(), msg, sig));
        byte[] bad = sig.clone();
        bad[100] ^= 1;
        assertFalse(Signatures.rsaPssVerify(rsa.getPublic(), msg, bad));
        msg[0] ^= 1;
        assertFalse(Signatures.rsaPssVerify(rsa.getPublic(), msg, sig));
        // salted: two signatures of the same message differ
        assertFalse(java.util.Arrays.equals(sig, Signatures.rsaPssSign(rsa.getPrivate(), msg)));
    }

    @Test
    public void rsaPssUsesSaltOf48Bytes() throws Exception {
        byte[] msg = {1, 2, 3};
        byte[] sig = Signatures.rsaPssSign(rsa.getPrivate(), msg);
        // a verifier configured for salt 32 must reject a salt-48 signature
        java.security.Signature v = java.security.Signature.getInstance("RSASSA-PSS", BouncyCastle.provider());
        v.setParameter(new java.security.spec.PSSParameterSpec("SHA-384", "MGF1",
                java.security.spec.MGF1ParameterSpec.SHA384, 32, 1));
        v.initVerify(rsa.getPublic());
        v.update(msg);
        assertFalse(v.verify(sig));
    }

    @Test
    public void rsaFromSeedIsDeterministic() {
        byte[] seed = new byte[32];
        KeyPair a = RsaKeys.fromSeed(2048, seed);
        KeyPair b = RsaKeys.fromSeed(2048, seed);
        assertArrayEquals(a.getPublic().getEncoded(), b.getPublic().getEncoded());
        seed[0] = 1;
        assertFalse(java.util.Arrays.equals(a.getPublic().getEncoded(),
                RsaKeys.fromSeed(2048, seed).getPublic().getEncoded()));
        assertThrows(IllegalArgumentException.class, () -> RsaKeys.fromSeed(2048, new byte[8]));
    }
}
