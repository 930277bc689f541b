package io.teebox.disk.luks2.internal;

import io.teebox.kit.crypto.Digests;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * The anti-forensic information splitter of LUKS (af type "luks1", cryptsetup lib/luks1/af.c) with SHA-256: a key of
 * n bytes becomes stripes blocks of n bytes, all random but the last, which is the key XOR the diffused XOR of the
 * others; every stripe is needed to recover the key.
 */
public final class AfSplitter {

    private AfSplitter() {
    }

    /**
     * Splits a key.
     *
     * @param key the key (the block)
     * @param stripes the number of stripes, at least 1
     * @param random the source of the random stripes
     * @return key.length * stripes bytes
     */
    public static byte[] split(byte[] key, int stripes, SecureRandom random) {
        Objects.requireNonNull(random, "random");
        int n = key.length;
        byte[] out = new byte[Math.multiplyExact(n, stripes)];
        byte[] acc = new byte[n];
        byte[] stripe = new byte[n];
        for (int i = 0; i < stripes - 1; i++) {
            random.nextBytes(stripe);
            System.arraycopy(stripe, 0, out, i * n, n);
            xor(acc, stripe, 0);
            diffuse(acc);
        }
        for (int j = 0; j < n; j++) {
            out[(stripes - 1) * n + j] = (byte) (acc[j] ^ key[j]);
        }
        return out;
    }

    /**
     * Merges split material back into the key.
     *
     * @param material at least keyLength * stripes bytes
     * @param keyLength the key length (the block)
     * @param stripes the number of stripes, at least 1
     * @return the key
     * @throws IllegalArgumentException if the material is too short
     */
    public static byte[] merge(byte[] material, int keyLength, int stripes) {
        if (material.length < (long) keyLength * stripes) {
            throw new IllegalArgumentException("AF material is " + material.length + " bytes, expected at least "
                    + (long) keyLength * stripes);
        }
        byte[] acc = new byte[keyLength];
        byte[] stripe = new byte[keyLength];
        for (int i = 0; i < stripes - 1; i++) {
            System.arraycopy(material, i * keyLength, stripe, 0, keyLength);
            xor(acc, stripe, 0);
            diffuse(acc);
        }
        byte[] key = new byte[keyLength];
        for (int j = 0; j < keyLength; j++) {
            key[j] = (byte) (acc[j] ^ material[(stripes - 1) * keyLength + j]);
        }
        return key;
    }

    /**
     * The AF split material size rounded up to whole 512-byte sectors, AF_split_sectors times 512: what the keyslot
     * area encryption covers.
     *
     * @param keyLength the key length
     * @param stripes the number of stripes
     * @return the size in bytes
     */
    public static int splitSize(int keyLength, int stripes) {
        long raw = (long) keyLength * stripes;
        return Math.toIntExact((raw + 511) / 512 * 512);
    }

    private static void xor(byte[] acc, byte[] src, int offset) {
        for (int j = 0; j < acc.length; j++) {
            acc[j] ^= src[offset + j];
        }
    }

    // Each digest-sized chunk j (the last one may be short) becomes SHA-256(be32(j) || chunk), cut to its length.
    private static void diffuse(byte[] block) {
        MessageDigest md = Digests.newSha256();
        int size = md.getDigestLength();
        for (int j = 0, off = 0; off < block.length; j++, off += size) {
            int len = Math.min(size, block.length - off);
            md.reset();
            md.update(ByteBuffer.allocate(4).putInt(j).array());
            md.update(block, off, len);
            byte[] h = md.digest();
            System.arraycopy(h, 0, block, off, len);
        }
    }
}
