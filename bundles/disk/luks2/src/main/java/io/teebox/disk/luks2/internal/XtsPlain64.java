package io.teebox.disk.luks2.internal;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * aes-xts-plain64 as dm-crypt and cryptsetup use it: IEEE 1619 XTS-AES with one sector as the data unit and the
 * plain64 IV (the sector number counted in 512-byte units, little-endian, zero-padded to 16 bytes) as the tweak. The
 * key is key 1 (data) followed by key 2 (tweak), 32 bytes for AES-128-XTS or 64 for AES-256-XTS. Sector sizes are
 * multiples of 16, so no ciphertext stealing is needed. Not thread-safe.
 */
public final class XtsPlain64 {

    private final Cipher dataEnc;
    private final Cipher dataDec;
    private final Cipher tweakEnc;
    private final int sectorSize;

    /**
     * Creates the cipher.
     *
     * @param key key 1 followed by key 2: 32 or 64 bytes
     * @param sectorSize the data unit: the sector size (512 to 4096), or any multiple of 16 for known-answer tests
     * @throws IllegalArgumentException if the key or sector size is wrong
     */
    public XtsPlain64(byte[] key, int sectorSize) {
        if (key.length != 32 && key.length != 64) {
            throw new IllegalArgumentException("aes-xts-plain64 key is " + key.length + " bytes, expected 32 or 64");
        }
        if (sectorSize < 16 || sectorSize % 16 != 0) {
            throw new IllegalArgumentException("data unit is " + sectorSize + " bytes, expected a multiple of 16");
        }
        this.sectorSize = sectorSize;
        int half = key.length / 2;
        SecretKeySpec k1 = new SecretKeySpec(Arrays.copyOfRange(key, 0, half), "AES");
        SecretKeySpec k2 = new SecretKeySpec(Arrays.copyOfRange(key, half, key.length), "AES");
        try {
            dataEnc = Cipher.getInstance("AES/ECB/NoPadding");
            dataEnc.init(Cipher.ENCRYPT_MODE, k1);
            dataDec = Cipher.getInstance("AES/ECB/NoPadding");
            dataDec.init(Cipher.DECRYPT_MODE, k1);
            tweakEnc = Cipher.getInstance("AES/ECB/NoPadding");
            tweakEnc.init(Cipher.ENCRYPT_MODE, k2);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES/ECB/NoPadding: " + e.getMessage(), e);
        }
    }

    /**
     * Encrypts whole sectors in place.
     *
     * @param data a multiple of the sector size
     * @param offset where the first sector starts in {@code data}
     * @param length how many bytes, a multiple of the sector size
     * @param iv512 the plain64 IV of the first sector (its number in 512-byte units)
     */
    public void encrypt(byte[] data, int offset, int length, long iv512) {
        run(true, data, offset, length, iv512);
    }

    /**
     * Decrypts whole sectors in place.
     *
     * @param data a multiple of the sector size
     * @param offset where the first sector starts in {@code data}
     * @param length how many bytes, a multiple of the sector size
     * @param iv512 the plain64 IV of the first sector (its number in 512-byte units)
     */
    public void decrypt(byte[] data, int offset, int length, long iv512) {
        run(false, data, offset, length, iv512);
    }

    private void run(boolean encrypt, byte[] data, int offset, int length, long iv512) {
        if (length % sectorSize != 0) {
            throw new IllegalArgumentException("XTS input is " + length + " bytes, expected a multiple of the "
                    + sectorSize + "-byte sector");
        }
        byte[] tweaks = new byte[sectorSize];
        byte[] t = new byte[16];
        try {
            for (int s = 0; s < length / sectorSize; s++) {
                long iv = iv512 + (long) s * Math.max(1, sectorSize / 512);
                Arrays.fill(t, (byte) 0);
                for (int i = 0; i < 8; i++) {
                    t[i] = (byte) (iv >>> (8 * i));
                }
                t = tweakEnc.doFinal(t);
                for (int b = 0; b < sectorSize; b += 16) {
                    System.arraycopy(t, 0, tweaks, b, 16);
                    timesAlpha(t);
                }
                int base = offset + s * sectorSize;
                for (int i = 0; i < sectorSize; i++) {
                    data[base + i] ^= tweaks[i];
                }
                (encrypt ? dataEnc : dataDec).doFinal(data, base, sectorSize, data, base);
                for (int i = 0; i < sectorSize; i++) {
                    data[base + i] ^= tweaks[i];
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed: " + e.getMessage(), e);
        }
    }

    // Multiplication by x in GF(2^128) with the little-endian byte order of IEEE 1619.
    private static void timesAlpha(byte[] t) {
        int carry = (t[15] >> 7) & 1;
        for (int i = 15; i > 0; i--) {
            t[i] = (byte) ((t[i] << 1) | ((t[i - 1] >> 7) & 1));
        }
        t[0] = (byte) ((t[0] << 1) ^ (carry * 0x87));
    }
}
