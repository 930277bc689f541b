package org.example.cca.rmm.internal;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The memory encryption engine of one Memory Encryption Context (FEAT_MEC): AES-XTS (IEEE 1619) over a granule,
 * tweaked by its physical address, so the same plaintext at another address is other ciphertext. The JDK has AES
 * but no XTS mode; XTS is built here on AES-ECB: T = E_K2(tweak), each 16-byte block C = E_K1(P xor T) xor T, T
 * multiplied by alpha in GF(2^128) between blocks. Data units are whole blocks (no ciphertext stealing needed).
 */
final class Mec {

    private final SecretKeySpec k1;
    private final SecretKeySpec k2;

    /** @param key K1 || K2: 32 bytes (AES-128-XTS) or 64 bytes (AES-256-XTS) */
    Mec(byte[] key) {
        if (key.length != 32 && key.length != 64) {
            throw new IllegalArgumentException("an XTS key is 32 or 64 bytes, got " + key.length);
        }
        int half = key.length / 2;
        this.k1 = new SecretKeySpec(Arrays.copyOfRange(key, 0, half), "AES");
        this.k2 = new SecretKeySpec(Arrays.copyOfRange(key, half, key.length), "AES");
    }

    byte[] encrypt(long tweak, byte[] data) {
        return crypt(tweak, data, true);
    }

    byte[] decrypt(long tweak, byte[] data) {
        return crypt(tweak, data, false);
    }

    private byte[] crypt(long tweak, byte[] data, boolean encrypt) {
        if (data.length == 0 || data.length % 16 != 0) {
            throw new IllegalArgumentException("XTS data units here are whole 16-byte blocks, got " + data.length);
        }
        try {
            Cipher t = Cipher.getInstance("AES/ECB/NoPadding");
            t.init(Cipher.ENCRYPT_MODE, k2);
            byte[] tw = new byte[16];
            for (int i = 0; i < 8; i++) {
                tw[i] = (byte) (tweak >>> (8 * i)); // the data unit number, little-endian
            }
            byte[] mask = t.doFinal(tw);
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, k1);
            byte[] out = new byte[data.length];
            byte[] block = new byte[16];
            for (int off = 0; off < data.length; off += 16) {
                for (int i = 0; i < 16; i++) {
                    block[i] = (byte) (data[off + i] ^ mask[i]);
                }
                byte[] x = c.doFinal(block);
                for (int i = 0; i < 16; i++) {
                    out[off + i] = (byte) (x[i] ^ mask[i]);
                }
                multiplyByAlpha(mask);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is missing from the JDK", e);
        }
    }

    /** T = T * alpha in GF(2^128), little-endian byte order, reduction polynomial x^128 + x^7 + x^2 + x + 1. */
    private static void multiplyByAlpha(byte[] t) {
        int carry = 0;
        for (int i = 0; i < 16; i++) {
            int b = t[i] & 0xFF;
            t[i] = (byte) ((b << 1) | carry);
            carry = b >>> 7;
        }
        if (carry != 0) {
            t[0] ^= (byte) 0x87;
        }
    }
}
