package io.teebox.kit.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The memory controller's page cipher: IEEE 1619 XTS-AES with one 4 KiB page as the data unit and the page's
 * physical address as the tweak (the 128-bit little-endian data-unit number). The same plaintext at two addresses
 * gives different ciphertext, and there is no integrity: a flipped ciphertext bit garbles one 16-byte block.
 *
 * <p>Built on the JDK's AES so its intrinsics apply: encryption is {@code AES/ECB/NoPadding} over the
 * tweak-whitened blocks, decryption {@code AES/CBC/NoPadding} (the pipelined CBC-decrypt path) over the whitened
 * blocks, since CBC's D(X<sub>i</sub>) &oplus; X<sub>i-1</sub> is fixed up to D(X<sub>i</sub>) &oplus;
 * T<sub>i</sub> by one more XOR. The tweak sequence (GF(2^128) doublings on longs) is computed once per page into a
 * per-thread buffer. Thread-safe: each thread has its own cipher engines per instance.
 */
public final class PageCipher {

    /** The data unit: one 4 KiB page. */
    public static final int PAGE_SIZE = 4096;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final IvParameterSpec ZERO_IV = new IvParameterSpec(new byte[16]);

    /** A thread's work buffers, shared by all instances (a call never re-enters on its thread). */
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private final SecretKeySpec dataKey;
    private final SecretKeySpec tweakKey;
    private final int keyBits;
    private final ThreadLocal<Engines> engines = ThreadLocal.withInitial(Engines::new);

    private static final class Buffers {
        /** The whitened input blocks X_i. */
        byte[] whitened = new byte[PAGE_SIZE];
        /** What is XORed into the block cipher's output: T_i (encrypt) or X_(i-1) ^ T_i (decrypt). */
        byte[] fixup = new byte[PAGE_SIZE];
        final byte[] block = new byte[16];

        void ensure(int length) {
            if (whitened.length < length) {
                whitened = new byte[length];
                fixup = new byte[length];
            }
        }
    }

    /** One thread's initialised ciphers for this instance's keys. */
    private final class Engines {
        final Cipher tweak;
        final Cipher enc;
        final Cipher dec;

        Engines() {
            try {
                tweak = Cipher.getInstance("AES/ECB/NoPadding");
                tweak.init(Cipher.ENCRYPT_MODE, tweakKey);
                enc = Cipher.getInstance("AES/ECB/NoPadding");
                enc.init(Cipher.ENCRYPT_MODE, dataKey);
                dec = Cipher.getInstance("AES/CBC/NoPadding");
                dec.init(Cipher.DECRYPT_MODE, dataKey, ZERO_IV);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK cannot run AES/ECB/NoPadding and AES/CBC/NoPadding", e);
            }
        }
    }

    private PageCipher(byte[] dataKey, byte[] tweakKey) {
        this.dataKey = new SecretKeySpec(dataKey, "AES");
        this.tweakKey = new SecretKeySpec(tweakKey, "AES");
        this.keyBits = dataKey.length * 8;
    }

    /**
     * Creates an XTS page cipher.
     *
     * @param dataKey key 1 of XTS, which encrypts the data: 16 bytes for AES-128-XTS, 32 for AES-256-XTS
     * @param tweakKey key 2 of XTS, which encrypts the tweak; the same length as {@code dataKey}
     * @return the cipher
     * @throws IllegalArgumentException if a key is not 16 or 32 bytes or the two lengths differ
     */
    public static PageCipher xts(byte[] dataKey, byte[] tweakKey) {
        Objects.requireNonNull(dataKey, "dataKey");
        Objects.requireNonNull(tweakKey, "tweakKey");
        if (dataKey.length != 16 && dataKey.length != 32) {
            throw new IllegalArgumentException("XTS data key is " + dataKey.length + " bytes, expected 16 or 32");
        }
        if (tweakKey.length != dataKey.length) {
            throw new IllegalArgumentException("XTS tweak key is " + tweakKey.length + " bytes, expected "
                    + dataKey.length + " like the data key");
        }
        return new PageCipher(dataKey.clone(), tweakKey.clone());
    }

    /**
     * The AES key size.
     *
     * @return 128 or 256
     */
    public int keyBits() {
        return keyBits;
    }

    /**
     * Encrypts one page for the given physical address.
     *
     * @param physicalAddress the page's physical address, 4 KiB aligned
     * @param page4096 the 4096-byte plaintext page
     * @return a new 4096-byte ciphertext page
     * @throws IllegalArgumentException if the address is not page aligned or the page is not 4096 bytes
     */
    public byte[] encrypt(long physicalAddress, byte[] page4096) {
        byte[] out = new byte[PAGE_SIZE];
        encrypt(physicalAddress, page4096, out);
        return out;
    }

    /**
     * Encrypts one page for the given physical address into the caller's buffer.
     *
     * @param physicalAddress the page's physical address, 4 KiB aligned
     * @param page4096 the 4096-byte plaintext page
     * @param out4096 where the 4096-byte ciphertext goes; may be {@code page4096} itself
     * @throws IllegalArgumentException if the address is not page aligned or a buffer is not 4096 bytes
     * @since 1.1
     */
    public void encrypt(long physicalAddress, byte[] page4096, byte[] out4096) {
        crypt(true, checkAddress(physicalAddress), 0, checkPage(page4096, "page4096"), checkPage(out4096, "out4096"),
                PAGE_SIZE);
    }

    /**
     * Decrypts one page for the given physical address.
     *
     * @param physicalAddress the page's physical address, 4 KiB aligned
     * @param page4096 the 4096-byte ciphertext page
     * @return a new 4096-byte plaintext page
     * @throws IllegalArgumentException if the address is not page aligned or the page is not 4096 bytes
     */
    public byte[] decrypt(long physicalAddress, byte[] page4096) {
        byte[] out = new byte[PAGE_SIZE];
        decrypt(physicalAddress, page4096, out);
        return out;
    }

    /**
     * Decrypts one page for the given physical address into the caller's buffer.
     *
     * @param physicalAddress the page's physical address, 4 KiB aligned
     * @param page4096 the 4096-byte ciphertext page
     * @param out4096 where the 4096-byte plaintext goes; may be {@code page4096} itself
     * @throws IllegalArgumentException if the address is not page aligned or a buffer is not 4096 bytes
     * @since 1.1
     */
    public void decrypt(long physicalAddress, byte[] page4096, byte[] out4096) {
        crypt(false, checkAddress(physicalAddress), 0, checkPage(page4096, "page4096"), checkPage(out4096, "out4096"),
                PAGE_SIZE);
    }

    @Override
    public String toString() {
        return "AES-" + keyBits + "-XTS page cipher";
    }

    /**
     * General XTS over one data unit whose length is a multiple of 16 (no ciphertext stealing), for known-answer
     * tests with other data-unit sizes.
     *
     * @param encrypt true to encrypt, false to decrypt
     * @param tweak16 the 16-byte data-unit number as IEEE 1619 encodes it (little-endian)
     * @param data the data unit
     * @return a new array with the result
     */
    byte[] xts(boolean encrypt, byte[] tweak16, byte[] data) {
        if (tweak16.length != 16) {
            throw new IllegalArgumentException("XTS tweak is " + tweak16.length + " bytes, expected 16");
        }
        if (data.length == 0 || data.length % 16 != 0) {
            throw new IllegalArgumentException("XTS data unit is " + data.length
                    + " bytes, expected a positive multiple of 16");
        }
        byte[] out = new byte[data.length];
        crypt(encrypt, (long) LONGS.get(tweak16, 0), (long) LONGS.get(tweak16, 8), data, out, data.length);
        return out;
    }

    /**
     * XTS over {@code n} bytes (a multiple of 16). Encryption: C_i = E(P_i ^ T_i) ^ T_i with ECB over the whitened
     * blocks. Decryption: with X_i = C_i ^ T_i, CBC decryption (IV 0) gives O_i = D(X_i) ^ X_(i-1), so
     * P_i = D(X_i) ^ T_i = O_i ^ (X_(i-1) ^ T_i). {@code out} may be {@code in}: the input is read completely into
     * the whitened buffer before anything is written.
     */
    private void crypt(boolean encrypt, long tweakLo, long tweakHi, byte[] in, byte[] out, int n) {
        Engines e = engines.get();
        Buffers b = BUFFERS.get();
        b.ensure(n);
        byte[] x = b.whitened;
        byte[] f = b.fixup;
        byte[] blk = b.block;
        try {
            LONGS.set(blk, 0, tweakLo);
            LONGS.set(blk, 8, tweakHi);
            e.tweak.doFinal(blk, 0, 16, f, 0);
            long lo = (long) LONGS.get(f, 0);
            long hi = (long) LONGS.get(f, 8);
            if (encrypt) {
                for (int off = 0; off < n; off += 16) {
                    LONGS.set(f, off, lo);
                    LONGS.set(f, off + 8, hi);
                    LONGS.set(x, off, (long) LONGS.get(in, off) ^ lo);
                    LONGS.set(x, off + 8, (long) LONGS.get(in, off + 8) ^ hi);
                    // multiply the tweak by alpha in GF(2^128) mod x^128 + x^7 + x^2 + x + 1, IEEE 1619 byte order
                    long carry = hi >> 63;
                    hi = (hi << 1) | (lo >>> 63);
                    lo = (lo << 1) ^ (carry & 0x87L);
                }
                e.enc.doFinal(x, 0, n, out, 0);
            } else {
                long prevLo = 0;
                long prevHi = 0;
                for (int off = 0; off < n; off += 16) {
                    long xl = (long) LONGS.get(in, off) ^ lo;
                    long xh = (long) LONGS.get(in, off + 8) ^ hi;
                    LONGS.set(x, off, xl);
                    LONGS.set(x, off + 8, xh);
                    LONGS.set(f, off, prevLo ^ lo);
                    LONGS.set(f, off + 8, prevHi ^ hi);
                    prevLo = xl;
                    prevHi = xh;
                    long carry = hi >> 63;
                    hi = (hi << 1) | (lo >>> 63);
                    lo = (lo << 1) ^ (carry & 0x87L);
                }
                e.dec.doFinal(x, 0, n, out, 0);
            }
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES " + (encrypt ? "ECB encryption" : "CBC decryption") + " failed", ex);
        }
        xor(out, f, n);
    }

    /** out ^= f over n bytes: a plain byte loop, which C2 vectorises. */
    private static void xor(byte[] out, byte[] f, int n) {
        for (int i = 0; i < n; i++) {
            out[i] ^= f[i];
        }
    }

    private static long checkAddress(long physicalAddress) {
        if ((physicalAddress & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(String.format(
                    "physical address 0x%X is not 4 KiB aligned (offset 0x%X into its page)",
                    physicalAddress, physicalAddress & (PAGE_SIZE - 1)));
        }
        return physicalAddress;
    }

    private static byte[] checkPage(byte[] page, String name) {
        Objects.requireNonNull(page, name);
        if (page.length != PAGE_SIZE) {
            throw new IllegalArgumentException((name.startsWith("out") ? "output buffer" : "page") + " is "
                    + page.length + " bytes, expected " + PAGE_SIZE);
        }
        return page;
    }
}
