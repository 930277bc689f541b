package io.teebox.kit.crypto;

import static io.teebox.kit.hex.Hex.decode;
import static io.teebox.kit.hex.Hex.encode;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.junit.Test;

public class PageCipherTest {

    /** IEEE Std 1619-2007 Annex B, vector 4: XTS-AES-128, data unit 0, 512 bytes of 00..ff 00..ff. */
    private static final String VECTOR4_CTX =
            "27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89cc78cf7f5e543445f8333d8fa7f560000"
            + "05279fa5d8b5e4ad40e736ddb4d35412328063fd2aab53e5ea1e0a9f332500a5df9487d07a5c92cc512c8866c7e860ce"
            + "93fdf166a24912b422976146ae20ce846bb7dc9ba94a767aaef20c0d61ad02655ea92dc4c4e41a8952c651d33174be51"
            + "a10c421110e6d81588ede82103a252d8a750e8768defffed9122810aaeb99f9172af82b604dc4b8e51bcb08235a6f434"
            + "1332e4ca60482a4ba1a03b3e65008fc5da76b70bf1690db4eae29c5f1badd03c5ccf2a55d705ddcd86d449511ceb7ec3"
            + "0bf12b1fa35b913f9f747a8afd1b130e94bff94effd01a91735ca1726acd0b197c4e5b03393697e126826fb6bbde8ecc"
            + "1e08298516e2c9ed03ff3c1b7860f6de76d4cecd94c8119855ef5297ca67e9f3e7ff72b1e99785ca0a7e7720c5b36dc6"
            + "d72cac9574c8cbbc2f801e23e56fd344b07f22154beba0f08ce8891e643ed995c94d9a69c9f1b5f499027a78572aeebd"
            + "74d20cc39881c213ee770b1010e4bea718846977ae119f7a023ab58cca0ad752afe656bb3c17256a9f6e9bf19fdd5a38"
            + "fc82bbe872c5539edb609ef4f79c203ebb140f2e583cb2ad15b4aa5b655016a8449277dbd477ef2c8d6c017db738b18d"
            + "eb4a427d1923ce3ff262735779a418f20a282df920147beabe421ee5319d0568";

    private static byte[] pattern(int n, int mul) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * mul);
        }
        return b;
    }

    private static byte[] range(int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    public void ieee1619Vector1AllZero() {
        PageCipher c = PageCipher.xts(new byte[16], new byte[16]);
        assertEquals("917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e",
                encode(c.xts(true, new byte[16], new byte[32])));
    }

    @Test
    public void ieee1619Vector2() {
        PageCipher c = PageCipher.xts(decode("11111111111111111111111111111111"),
                decode("22222222222222222222222222222222"));
        byte[] tweak = decode("33333333330000000000000000000000");
        byte[] pt = new byte[32];
        Arrays.fill(pt, (byte) 0x44);
        byte[] ct = c.xts(true, tweak, pt);
        assertEquals("c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0", encode(ct));
        assertArrayEquals(pt, c.xts(false, tweak, ct));
    }

    @Test
    public void ieee1619Vector4With512ByteDataUnit() {
        PageCipher c = PageCipher.xts(decode("27182818284590452353602874713526"),
                decode("31415926535897932384626433832795"));
        byte[] pt = pattern(512, 1);
        byte[] ct = c.xts(true, new byte[16], pt);
        assertEquals(VECTOR4_CTX, encode(ct));
        assertArrayEquals(pt, c.xts(false, new byte[16], ct));
    }

    @Test
    public void pageMatchesPycaCryptographyXts() {
        // computed with pyca/cryptography 48 (OpenSSL's XTS): tweak = 0x12345000 as 16 bytes little-endian,
        // plaintext byte i = 7*i, keys 01..10 / 11..20 (AES-128) and 01..20 / 21..40 (AES-256)
        byte[] pt = pattern(4096, 7);
        PageCipher c128 = PageCipher.xts(range(1, 17), range(17, 33));
        assertEquals(128, c128.keyBits());
        assertEquals("ca1852e6131cf7a14c8f3245141fb4e8cd2ef24cc9ac988a5bff5e1db2062333",
                encode(Digests.sha256(c128.encrypt(0x12345000L, pt))));
        PageCipher c256 = PageCipher.xts(range(1, 33), range(33, 65));
        assertEquals(256, c256.keyBits());
        assertEquals("150fc66bf7e4bd952695f5cae8ab1420fdbaa7daff009f3e4394ff056d5c7dc5",
                encode(Digests.sha256(c256.encrypt(0x12345000L, pt))));
    }

    @Test
    public void pageRoundTripsAtManyAddresses() {
        PageCipher c = PageCipher.xts(range(1, 33), range(33, 65));
        byte[] pt = pattern(4096, 13);
        for (long pa : new long[] {0, 0x1000, 0xFFFF_F000L, 0x7FFF_FFFF_FFFF_F000L, 0xFFFF_FFFF_FFFF_F000L}) {
            byte[] ct = c.encrypt(pa, pt);
            assertEquals(4096, ct.length);
            assertFalse(Arrays.equals(pt, ct));
            assertArrayEquals(pt, c.decrypt(pa, ct));
        }
    }

    @Test
    public void samePlaintextAtTwoAddressesGivesDifferentCiphertext() {
        PageCipher c = PageCipher.xts(range(1, 17), range(17, 33));
        byte[] pt = new byte[4096];
        byte[] a = c.encrypt(0x200000, pt);
        byte[] b = c.encrypt(0x201000, pt);
        for (int blk = 0; blk < 256; blk++) {
            assertFalse("block " + blk, Arrays.equals(Arrays.copyOfRange(a, blk * 16, blk * 16 + 16),
                    Arrays.copyOfRange(b, blk * 16, blk * 16 + 16)));
        }
        // moving ciphertext to another address does not decrypt to the original
        assertFalse(Arrays.equals(pt, c.decrypt(0x201000, a)));
    }

    @Test
    public void oneFlippedCiphertextByteGarblesExactlyOneBlock() {
        PageCipher c = PageCipher.xts(range(1, 17), range(17, 33));
        byte[] pt = pattern(4096, 3);
        byte[] ct = c.encrypt(0x5000, pt);
        ct[1000] ^= 0x01; // block 62
        byte[] back = c.decrypt(0x5000, ct);
        for (int blk = 0; blk < 256; blk++) {
            boolean same = Arrays.equals(Arrays.copyOfRange(pt, blk * 16, blk * 16 + 16),
                    Arrays.copyOfRange(back, blk * 16, blk * 16 + 16));
            assertEquals("block " + blk, blk != 1000 / 16, same);
        }
    }

    @Test
    public void wrongKeyDoesNotDecrypt() {
        byte[] pt = pattern(4096, 5);
        byte[] ct = PageCipher.xts(range(1, 17), range(17, 33)).encrypt(0, pt);
        assertFalse(Arrays.equals(pt, PageCipher.xts(range(2, 18), range(17, 33)).decrypt(0, ct)));
        assertFalse(Arrays.equals(pt, PageCipher.xts(range(1, 17), range(18, 34)).decrypt(0, ct)));
    }

    @Test
    public void rejectsUnalignedAddressesWrongSizesAndBadKeys() {
        PageCipher c = PageCipher.xts(new byte[16], new byte[16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.encrypt(0x1008, new byte[4096]));
        assertTrue(e.getMessage(), e.getMessage().contains("0x1008"));
        e = assertThrows(IllegalArgumentException.class, () -> c.decrypt(0x1000, new byte[4095]));
        assertEquals("page is 4095 bytes, expected 4096", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PageCipher.xts(new byte[24], new byte[24]));
        assertThrows(IllegalArgumentException.class, () -> PageCipher.xts(new byte[16], new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> c.xts(true, new byte[16], new byte[17]));
    }

    @Test
    public void concurrentUseGivesTheSameResults() throws Exception {
        PageCipher c = PageCipher.xts(range(1, 17), range(17, 33));
        byte[] pt = pattern(4096, 11);
        byte[][] expected = new byte[64][];
        for (int i = 0; i < 64; i++) {
            expected[i] = c.encrypt(i * 4096L, pt);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (int i = 0; i < 64; i++) {
                            byte[] ct = c.encrypt(i * 4096L, pt);
                            if (!Arrays.equals(expected[i], ct) || !Arrays.equals(pt, c.decrypt(i * 4096L, ct))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
