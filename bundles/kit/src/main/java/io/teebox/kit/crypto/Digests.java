package io.teebox.kit.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 and SHA-384 through the JDK. */
public final class Digests {

    private Digests() {
    }

    /**
     * SHA-256 over the concatenation of {@code parts}.
     *
     * @param parts the input, in order
     * @return the 32-byte digest
     */
    public static byte[] sha256(byte[]... parts) {
        return digest(newSha256(), parts);
    }

    /**
     * SHA-384 over the concatenation of {@code parts}.
     *
     * @param parts the input, in order
     * @return the 48-byte digest
     */
    public static byte[] sha384(byte[]... parts) {
        return digest(newSha384(), parts);
    }

    /**
     * A fresh SHA-256 digest for incremental hashing (a launch digest, for example).
     *
     * @return a new, not thread-safe digest
     */
    public static MessageDigest newSha256() {
        return get("SHA-256");
    }

    /**
     * A fresh SHA-384 digest for incremental hashing (MRTD, for example).
     *
     * @return a new, not thread-safe digest
     */
    public static MessageDigest newSha384() {
        return get("SHA-384");
    }

    private static byte[] digest(MessageDigest md, byte[]... parts) {
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    private static MessageDigest get(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }
}
