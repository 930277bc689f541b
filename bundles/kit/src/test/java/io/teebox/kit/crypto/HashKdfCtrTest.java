package io.teebox.kit.crypto;

import static io.teebox.kit.hex.Hex.decode;
import static io.teebox.kit.hex.Hex.encode;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.Test;

public class HashKdfCtrTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    public void shaMatchesFips180Examples() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                encode(Digests.sha256(ascii("abc"))));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                encode(Digests.sha256(ascii("a"), ascii(""), ascii("bc"))));
        assertEquals("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                + "8086072ba1e7cc2358baeca134c825a7", encode(Digests.sha384(ascii("abc"))));
        MessageDigest md = Digests.newSha384();
        md.update(ascii("ab"));
        md.update(ascii("c"));
        assertArrayEquals(Digests.sha384(ascii("abc")), md.digest());
        assertEquals(32, Digests.newSha256().getDigestLength());
    }

    @Test
    public void hmacMatchesRfc4231TestCase1() {
        byte[] key = new byte[20];
        java.util.Arrays.fill(key, (byte) 0x0b);
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                encode(Hmac.sha256(key, ascii("Hi "), ascii("There"))));
        assertEquals("afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                + "faea9ea9076ede7f4af152e8b2fa9cb6", encode(Hmac.sha384(key, ascii("Hi There"))));
    }

    @Test
    public void hmacAcceptsTheEmptyKey() {
        // HMAC-SHA256 with empty key and empty message, as Python's hmac module computes it
        assertEquals("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
                encode(Hmac.sha256(new byte[0], new byte[0])));
        assertEquals(48, Hmac.sha384(new byte[0], ascii("x")).length);
    }

    @Test
    public void kdfMatchesVirteeSevMasterSecretVector() {
        byte[] z = new byte[16];
        byte[] nonce = new byte[16];
        assertEquals("ab4d269fcc62bedb4511d56c386ce706",
                encode(Kdf.counterHmacSha256(z, ascii("sev-master-secret"), nonce, 16)));
    }

    @Test
    public void sevSessionWrapMatchesVirteeVectors() {
        // spec 1.6: Z = nonce = IV = TEK = TIK = zero, policy 0
        byte[] master = Kdf.counterHmacSha256(new byte[16], ascii("sev-master-secret"), new byte[16], 16);
        byte[] kek = Kdf.counterHmacSha256(master, ascii("sev-kek"), new byte[0], 16);
        byte[] kik = Kdf.counterHmacSha256(master, ascii("sev-kik"), new byte[0], 16);
        byte[] wrapTk = AesCtr.apply(kek, new byte[16], new byte[32]);
        assertEquals("2137bc7f9bb8bd7c3e55a576a15d3454b3856b8ba27afadf46dcfee9f02c02c4", encode(wrapTk));
        assertEquals("3176c0752738bd9d5e86689534020f528c088f16238826b000b327dee6aeed7d",
                encode(Hmac.sha256(kik, wrapTk)));
        assertEquals("aa7855e13839dd767cd5da7c1ff5036540c9264b7a803029315e55375287b4af",
                encode(Hmac.sha256(new byte[16], new byte[4])));
    }

    @Test
    public void kdfLongerOutputConcatenatesCounterBlocks() {
        byte[] key = ascii("key");
        byte[] out = Kdf.counterHmacSha256(key, ascii("L"), ascii("C"), 40);
        byte[] lBits = {(byte) 0x40, 1, 0, 0}; // 320 bits
        byte[] k1 = Hmac.sha256(key, new byte[] {1, 0, 0, 0}, ascii("L"), new byte[] {0}, ascii("C"), lBits);
        byte[] k2 = Hmac.sha256(key, new byte[] {2, 0, 0, 0}, ascii("L"), new byte[] {0}, ascii("C"), lBits);
        assertArrayEquals(k1, java.util.Arrays.copyOfRange(out, 0, 32));
        assertArrayEquals(java.util.Arrays.copyOfRange(k2, 0, 8), java.util.Arrays.copyOfRange(out, 32, 40));
        assertThrows(IllegalArgumentException.class, () -> Kdf.counterHmacSha256(key, key, key, 0));
    }

    @Test
    public void ctrMatchesSp80038aF51() {
        byte[] key = decode("2b7e151628aed2a6abf7158809cf4f3c");
        byte[] iv = decode("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        byte[] pt = decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        String ct = "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
                + "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee";
        assertEquals(ct, encode(AesCtr.apply(key, iv, pt)));
        assertArrayEquals(pt, AesCtr.apply(key, iv, decode(ct)));
        assertEquals(5, AesCtr.apply(key, iv, new byte[5]).length);
    }

    @Test
    public void ctrCounterIsA128BitBigEndianNumber() throws Exception {
        byte[] key = new byte[16];
        byte[] iv = decode("00000000000000ffffffffffffffffff");
        byte[] ks = AesCtr.apply(key, iv, new byte[32]);
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        // the carry out of the low 64 bits propagates into the high half
        assertArrayEquals(ecb.doFinal(decode("00000000000001000000000000000000")),
                java.util.Arrays.copyOfRange(ks, 16, 32));
    }

    @Test
    public void ctrRejectsBadKeyAndIv() {
        assertThrows(IllegalArgumentException.class, () -> AesCtr.apply(new byte[15], new byte[16], new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> AesCtr.apply(new byte[16], new byte[12], new byte[1]));
    }
}
