package io.teebox.intel.tdx.module.internal;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.PageCipher;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A TD's private memory key, as TDH.MNG.KEY.CONFIG programs it into the memory controller for the TD's HKID:
 * AES-XTS-128 (two 128-bit keys, tweaked by the host physical address) and the integrity key of the MAC.
 *
 * <h2>Integrity</h2>
 * Every 64-byte cache line carries a 28-bit MAC, as TDX's cryptographic integrity mode does: the first 28 bits of
 * SHA3-256(integrity key (32 bytes) || LE64(line's host physical address) || TD bit (1) || 64 ciphertext bytes), a
 * prefix-keyed SHA-3: sound as a MAC because SHA-3 admits no length extension (the construction KMAC formalises),
 * and one Keccak permutation per line where HMAC-SHA3 needs four (see the bench module's TdxMemoryBench). A host
 * write changes the ciphertext without the key, and moving ciphertext changes the address, so the line's MAC fails
 * on the TD's next read; replaying an older ciphertext fails too, because the memory controller keeps only the MAC
 * it wrote last.
 */
final class MemoryKeys {

    static final int LINE = 64;
    static final int LINES_PER_PAGE = 4096 / LINE;
    static final int MAC_MASK = 0x0FFF_FFFF;

    final byte[] dataKey;
    final byte[] tweakKey;
    final byte[] macKey;
    private final PageCipher cipher;
    /** SHA3-256 that has absorbed the integrity key; never updated after construction, cloned per line. */
    private final MessageDigest keyedSha3;

    MemoryKeys(byte[] dataKey, byte[] tweakKey, byte[] macKey) {
        this.dataKey = dataKey.clone();
        this.tweakKey = tweakKey.clone();
        this.macKey = macKey.clone();
        this.cipher = PageCipher.xts(dataKey, tweakKey);
        try {
            this.keyedSha3 = MessageDigest.getInstance("SHA3-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA3-256", e);
        }
        keyedSha3.update(macKey);
    }

    static MemoryKeys random(SecureRandom random) {
        byte[] d = new byte[16];
        byte[] t = new byte[16];
        byte[] m = new byte[32];
        random.nextBytes(d);
        random.nextBytes(t);
        random.nextBytes(m);
        return new MemoryKeys(d, t, m);
    }

    byte[] encrypt(long hpa, byte[] plaintext) {
        return cipher.encrypt(hpa, plaintext);
    }

    byte[] decrypt(long hpa, byte[] ciphertext) {
        return cipher.decrypt(hpa, ciphertext);
    }

    /** @return the 28-bit MAC of each of the page's 64 lines */
    int[] macs(long hpa, byte[] ciphertext) {
        try {
            int[] out = new int[LINES_PER_PAGE];
            byte[] address = new byte[9];
            address[8] = 1;
            for (int i = 0; i < LINES_PER_PAGE; i++) {
                MessageDigest line = (MessageDigest) keyedSha3.clone();
                LittleEndian.put64(address, 0, hpa + (long) i * LINE);
                line.update(address);
                line.update(ciphertext, i * LINE, LINE);
                out[i] = (int) (LittleEndian.u32(line.digest(), 0) & MAC_MASK);
            }
            return out;
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA3-256 cannot be cloned", e);
        }
    }

    /** @return the index of the first line whose MAC differs, or -1 */
    static int firstMismatch(int[] expected, int[] actual) {
        for (int i = 0; i < LINES_PER_PAGE; i++) {
            if (expected[i] != actual[i]) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "MemoryKeys[AES-XTS-128, 28-bit line MAC]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryKeys k && Arrays.equals(k.dataKey, dataKey) && Arrays.equals(k.tweakKey, tweakKey)
                && Arrays.equals(k.macKey, macKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dataKey);
    }
}
