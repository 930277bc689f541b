package io.teebox.attestation.azure.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Cipher;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * RSA_AES_KEY_WRAP round trips, RFC 5649's own test vectors for the key-wrap half, and the whole wrap opened by
 * OpenSSL (pkeyutl RSA-OAEP, then enc -id-aes256-wrap-pad): an independent implementation, which must be present.
 */
public class RsaAesKeyWrapTest {

    private static final HexFormat HEX = HexFormat.of();
    private static KeyPair rsa;

    @BeforeClass
    public static void key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
    }

    @Test
    public void rfc5649VectorsWrapAndUnwrap() throws Exception {
        byte[] kek = HEX.parseHex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
        byte[] k20 = HEX.parseHex("c37b7e6492584340bed12207808941155068f738");
        byte[] w20 = HEX.parseHex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
        byte[] k7 = HEX.parseHex("466f7250617369");
        byte[] w7 = HEX.parseHex("afbeb0f07dfbf5419200f2ccb50bb24f");
        assertArrayEquals(w20, RsaAesKeyWrap.kwp(Cipher.ENCRYPT_MODE, kek, k20));
        assertArrayEquals(w7, RsaAesKeyWrap.kwp(Cipher.ENCRYPT_MODE, kek, k7));
        assertArrayEquals(k20, RsaAesKeyWrap.kwp(Cipher.DECRYPT_MODE, kek, w20));
        assertArrayEquals(k7, RsaAesKeyWrap.kwp(Cipher.DECRYPT_MODE, kek, w7));
    }

    @Test
    public void everyVariantRoundTripsAndOnlyItsKeyOpensIt() throws Exception {
        byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair other = g.generateKeyPair();
        for (RsaAesKeyWrap.Variant v : RsaAesKeyWrap.Variant.values()) {
            byte[] w = RsaAesKeyWrap.wrap(v, rsa.getPublic(), key);
            assertEquals(256 + 40, w.length);
            assertArrayEquals(key, RsaAesKeyWrap.unwrap(v, rsa.getPrivate(), w));
            assertThrows(IllegalArgumentException.class, () -> RsaAesKeyWrap.unwrap(v, other.getPrivate(), w));
            for (int at : new int[] {0, 255, 256, w.length - 1}) {
                byte[] t = w.clone();
                t[at] ^= 1;
                assertThrows("tampered at " + at, IllegalArgumentException.class, () -> RsaAesKeyWrap.unwrap(v,
                        rsa.getPrivate(), t));
            }
        }
        byte[] w = RsaAesKeyWrap.wrap(RsaAesKeyWrap.Variant.RSA_AES_KEY_WRAP_256, rsa.getPublic(), key);
        assertThrows("another OAEP hash", IllegalArgumentException.class, () -> RsaAesKeyWrap.unwrap(
                RsaAesKeyWrap.Variant.RSA_AES_KEY_WRAP_384, rsa.getPrivate(), w));
        IllegalArgumentException shortOne = assertThrows(IllegalArgumentException.class, () -> RsaAesKeyWrap
                .unwrap(RsaAesKeyWrap.Variant.RSA_AES_KEY_WRAP_256, rsa.getPrivate(), new byte[100]));
        assertTrue(shortOne.getMessage(), shortOne.getMessage().contains("100 bytes"));
        KeyVaultError bad = assertThrows(KeyVaultError.class, () -> RsaAesKeyWrap.Variant.of("A256KW"));
        assertEquals("BadParameter", bad.code);
        assertEquals(RsaAesKeyWrap.Variant.CKM_RSA_AES_KEY_WRAP, RsaAesKeyWrap.Variant.of(null));
    }

    @Test
    public void openSslUnwrapsWhatTheVaultWraps() throws Exception {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        byte[] w = RsaAesKeyWrap.wrap(RsaAesKeyWrap.Variant.RSA_AES_KEY_WRAP_256, rsa.getPublic(), key);
        Path dir = Files.createTempDirectory("rsa-aes-wrap");
        Path pem = dir.resolve("tee.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(rsa.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Files.write(dir.resolve("first.bin"), Arrays.copyOf(w, 256));
        Files.write(dir.resolve("second.bin"), Arrays.copyOfRange(w, 256, w.length));
        openssl(dir, "pkeyutl", "-decrypt", "-inkey", "tee.pem", "-in", "first.bin", "-out", "aes.bin", "-pkeyopt",
                "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256");
        byte[] aes = Files.readAllBytes(dir.resolve("aes.bin"));
        assertEquals(32, aes.length);
        openssl(dir, "enc", "-d", "-id-aes256-wrap-pad", "-K", HEX.formatHex(aes), "-iv", "A65959A6", "-in",
                "second.bin", "-out", "key.bin");
        assertArrayEquals(key, Files.readAllBytes(dir.resolve("key.bin")));
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("openssl is needed for this interop test (Debian package openssl): " + e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(String.join(" ", cmd) + ": " + out, 0, p.waitFor());
    }
}
