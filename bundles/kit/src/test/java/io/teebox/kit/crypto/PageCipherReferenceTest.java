package io.teebox.kit.crypto;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.Test;

/**
 * The fast paths of {@link PageCipher} (ECB over whitened blocks, CBC decryption with the fix-up, tweaks computed
 * once into a per-thread buffer, output into the caller's buffer) against a textbook IEEE 1619 XTS written block by
 * block with a byte-wise multiplication by alpha, over random keys, addresses, pages and data-unit lengths.
 */
public class PageCipherReferenceTest {

    /** IEEE 1619-2007 5.3: one block at a time, the tweak multiplied by alpha byte by byte. */
    static byte[] reference(boolean encrypt, byte[] key1, byte[] key2, byte[] tweak16, byte[] data)
            throws GeneralSecurityException {
        Cipher t = Cipher.getInstance("AES/ECB/NoPadding");
        t.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key2, "AES"));
        byte[] tw = t.doFinal(tweak16);
        Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
        c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key1, "AES"));
        byte[] out = new byte[data.length];
        byte[] block = new byte[16];
        for (int off = 0; off < data.length; off += 16) {
            for (int j = 0; j < 16; j++) {
                block[j] = (byte) (data[off + j] ^ tw[j]);
            }
            byte[] r = c.doFinal(block);
            for (int j = 0; j < 16; j++) {
                out[off + j] = (byte) (r[j] ^ tw[j]);
            }
            int carry = 0;
            for (int j = 0; j < 16; j++) {
                int next = (tw[j] >> 7) & 1;
                tw[j] = (byte) ((tw[j] << 1) | carry);
                carry = next;
            }
            if (carry != 0) {
                tw[0] ^= (byte) 0x87;
            }
        }
        return out;
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] tweakOf(long address) {
        byte[] t = new byte[16];
        for (int i = 0; i < 8; i++) {
            t[i] = (byte) (address >>> (8 * i));
        }
        return t;
    }

    @Test
    public void randomPagesMatchTheReferenceInEveryOutputMode() throws Exception {
        SplittableRandom r = new SplittableRandom(0x17);
        for (int round = 0; round < 40; round++) {
            int keyBytes = round % 2 == 0 ? 16 : 32;
            byte[] k1 = bytes(r, keyBytes);
            byte[] k2 = bytes(r, keyBytes);
            PageCipher c = PageCipher.xts(k1, k2);
            long pa = r.nextLong() & ~0xFFFL;
            byte[] pt = bytes(r, PageCipher.PAGE_SIZE);
            byte[] ct = reference(true, k1, k2, tweakOf(pa), pt);
            assertArrayEquals("round " + round, ct, c.encrypt(pa, pt));
            assertArrayEquals("round " + round, pt, c.decrypt(pa, ct));
            assertArrayEquals(pt, reference(false, k1, k2, tweakOf(pa), ct));

            byte[] out = bytes(r, PageCipher.PAGE_SIZE); // stale contents must not leak into the result
            c.encrypt(pa, pt, out);
            assertArrayEquals(ct, out);
            c.decrypt(pa, ct, out);
            assertArrayEquals(pt, out);

            byte[] inPlace = pt.clone();
            c.encrypt(pa, inPlace, inPlace);
            assertArrayEquals(ct, inPlace);
            c.decrypt(pa, inPlace, inPlace);
            assertArrayEquals(pt, inPlace);
        }
    }

    @Test
    public void randomDataUnitsAndFullTweaksMatchTheReference() throws Exception {
        SplittableRandom r = new SplittableRandom(0x1619);
        for (int round = 0; round < 60; round++) {
            int keyBytes = round % 2 == 0 ? 16 : 32;
            byte[] k1 = bytes(r, keyBytes);
            byte[] k2 = bytes(r, keyBytes);
            PageCipher c = PageCipher.xts(k1, k2);
            byte[] tweak = bytes(r, 16); // all 128 bits, not only an address
            // from one block to more than a page: the per-thread buffers grow and shrink back in use
            int n = 16 * (1 + r.nextInt(round % 10 == 0 ? 600 : 64));
            byte[] data = bytes(r, n);
            byte[] ct = reference(true, k1, k2, tweak, data);
            assertArrayEquals("round " + round + ", " + n + " bytes", ct, c.xts(true, tweak, data));
            assertArrayEquals("round " + round + ", " + n + " bytes", data, c.xts(false, tweak, ct));
        }
    }

    @Test
    public void interleavedInstancesOnOneThreadKeepTheirKeys() throws Exception {
        // the work buffers are shared by all instances of a thread; the engines are per instance
        SplittableRandom r = new SplittableRandom(5);
        byte[][] keys = new byte[6][];
        PageCipher[] ciphers = new PageCipher[3];
        for (int i = 0; i < 3; i++) {
            keys[2 * i] = bytes(r, 16);
            keys[2 * i + 1] = bytes(r, 16);
            ciphers[i] = PageCipher.xts(keys[2 * i], keys[2 * i + 1]);
        }
        byte[] pt = bytes(r, PageCipher.PAGE_SIZE);
        for (int round = 0; round < 9; round++) {
            int i = round % 3;
            long pa = 0x1000L * round;
            assertArrayEquals(reference(true, keys[2 * i], keys[2 * i + 1], tweakOf(pa), pt),
                    ciphers[i].encrypt(pa, pt));
        }
    }

    @Test
    public void decryptionAtTheWrongAddressOrWithAFlippedBitDiffersFromTheReferencePlaintext() throws Exception {
        SplittableRandom r = new SplittableRandom(9);
        byte[] k1 = bytes(r, 16);
        byte[] k2 = bytes(r, 16);
        PageCipher c = PageCipher.xts(k1, k2);
        byte[] pt = bytes(r, PageCipher.PAGE_SIZE);
        byte[] ct = c.encrypt(0x4000, pt);
        assertFalse(Arrays.equals(pt, c.decrypt(0x5000, ct)));
        // the CBC path's fix-up uses the previous whitened block: a flipped bit in block 7 must not spill into 8
        ct[7 * 16 + 3] ^= 0x40;
        byte[] back = c.decrypt(0x4000, ct);
        for (int blk = 0; blk < 256; blk++) {
            boolean same = Arrays.equals(Arrays.copyOfRange(pt, blk * 16, blk * 16 + 16),
                    Arrays.copyOfRange(back, blk * 16, blk * 16 + 16));
            assertEquals("block " + blk, blk != 7, same);
        }
    }

    @Test
    public void rejectsAWrongOutputBuffer() {
        PageCipher c = PageCipher.xts(new byte[16], new byte[16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.encrypt(0x1000, new byte[4096], new byte[4095]));
        assertEquals("output buffer is 4095 bytes, expected 4096", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.decrypt(0x1000, new byte[4096], new byte[8192]));
        assertEquals("output buffer is 8192 bytes, expected 4096", e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> c.decrypt(0x1000, new byte[4096], null));
        assertEquals("out4096", npe.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.encrypt(0x1001, new byte[4096], new byte[4096]));
        assertEquals("physical address 0x1001 is not 4 KiB aligned (offset 0x1 into its page)", e.getMessage());
    }
}
