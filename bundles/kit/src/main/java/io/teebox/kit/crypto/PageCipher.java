package io.teebox.kit.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The memory controller's page cipher: IEEE 1619 XTS-AES with one 4 KiB page as the data unit and the page's
 * physical address as the tweak (the 128-bit little-endian data-unit number). The same plaintext at two addresses
 * gives different ciphertext, and there is no integrity: a flipped ciphertext bit garbles one 16-byte block.
 *
 * <p>Built on the JDK's {@code AES/ECB/NoPadding} so the AES-NI intrinsics apply; the tweak whitening and the
 * GF(2^128) doubling run on longs. Thread-safe: cipher engines are pooled per instance.
 */
public final class PageCipher {

    /** The data unit: one 4 KiB page. */
    public static final int PAGE_SIZE = 4096;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final SecretKeySpec dataKey;
    private final SecretKeySpec tweakKey;
    private final int keyBits;
    private final ConcurrentLinkedQueue<Engines> pool = new ConcurrentLinkedQueue<>();

    /** One thread's set of initialised ciphers. */
    private final class Engines {
        final Cipher tweak;
        final Cipher enc;
        final Cipher dec;
        private byte[] scratch = new byte[PAGE_SIZE];

        byte[] scratch(int length) {
            if (scratch.length < length) {
                scratch = new byte[length];
            }
            return scratch;
        }

        Engines() {
            try {
                tweak = Cipher.getInstance("AES/ECB/NoPadding");
                tweak.init(Cipher.ENCRYPT_MODE, tweakKey);
                enc = Cipher.getInstance("AES/ECB/NoPadding");
                enc.init(Cipher.ENCRYPT_MODE, dataKey);
                dec = Cipher.getInstance("AES/ECB/NoPadding");
                dec.init(Cipher.DECRYPT_MODE, dataKey);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK cannot run AES/ECB/NoPadding", e);
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
        return crypt(true, checkAddress(physicalAddress), checkPage(page4096));
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
        return crypt(false, checkAddress(physicalAddress), checkPage(page4096));
    }

    @Override
    public String toString() {
        return "AES-" + keyBits + "-XTS page cipher";
    }

    private byte[] crypt(boolean encrypt, long address, byte[] data) {
        byte[] tweak = new byte[16];
        LONGS.set(tweak, 0, address);
        return xts(encrypt, tweak, data);
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
        Engines e = pool.poll();
        if (e == null) {
            e = new Engines();
        }
        try {
            byte[] t = e.tweak.doFinal(tweak16);
            long lo0 = (long) LONGS.get(t, 0);
            long hi0 = (long) LONGS.get(t, 8);
            byte[] scratch = e.scratch(data.length);
            long lo = lo0;
            long hi = hi0;
            for (int off = 0; off < data.length; off += 16) {
                LONGS.set(scratch, off, (long) LONGS.get(data, off) ^ lo);
                LONGS.set(scratch, off + 8, (long) LONGS.get(data, off + 8) ^ hi);
                // multiply the tweak by alpha in GF(2^128) mod x^128 + x^7 + x^2 + x + 1, IEEE 1619 byte order
                long carry = hi >> 63;
                hi = (hi << 1) | (lo >>> 63);
                lo = (lo << 1) ^ (carry & 0x87L);
            }
            // a separate output array: the JDK copies the input first when input and output overlap
            byte[] out = new byte[data.length];
            (encrypt ? e.enc : e.dec).doFinal(scratch, 0, data.length, out, 0);
            lo = lo0;
            hi = hi0;
            for (int off = 0; off < data.length; off += 16) {
                LONGS.set(out, off, (long) LONGS.get(out, off) ^ lo);
                LONGS.set(out, off + 8, (long) LONGS.get(out, off + 8) ^ hi);
                long carry = hi >> 63;
                hi = (hi << 1) | (lo >>> 63);
                lo = (lo << 1) ^ (carry & 0x87L);
            }
            pool.offer(e);
            return out;
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES/ECB/NoPadding failed", ex);
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

    private static byte[] checkPage(byte[] page) {
        Objects.requireNonNull(page, "page4096");
        if (page.length != PAGE_SIZE) {
            throw new IllegalArgumentException("page is " + page.length + " bytes, expected " + PAGE_SIZE);
        }
        return page;
    }
}
