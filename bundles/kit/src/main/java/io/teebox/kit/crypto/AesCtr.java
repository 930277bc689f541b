package io.teebox.kit.crypto;

import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** AES in counter mode through the JDK (a 128-bit big-endian counter starting at the IV), as SEV wraps keys. */
public final class AesCtr {

    private AesCtr() {
    }

    /**
     * Encrypts or decrypts (the same operation) with AES-CTR.
     *
     * @param key a 16-, 24- or 32-byte AES key
     * @param iv16 the 16-byte initial counter block
     * @param data the input
     * @return the output, as long as {@code data}
     * @throws IllegalArgumentException if the key or IV has the wrong length
     */
    public static byte[] apply(byte[] key, byte[] iv16, byte[] data) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(iv16, "iv16");
        Objects.requireNonNull(data, "data");
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException("AES key is " + key.length + " bytes, expected 16, 24 or 32");
        }
        if (iv16.length != 16) {
            throw new IllegalArgumentException("AES-CTR IV is " + iv16.length + " bytes, expected 16");
        }
        try {
            Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv16));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot run AES/CTR/NoPadding", e);
        }
    }
}
