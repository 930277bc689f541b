package org.example.cca.rmm;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** RmiHashAlgorithm (DEN0137 1.0): the realm's measurement algorithm, chosen by the host in RmiRealmParams. */
public enum HashAlgorithm {
    /** RMI_HASH_SHA_256 = 0. */
    SHA_256(0, "SHA-256", "sha-256", 32),
    /** RMI_HASH_SHA_512 = 1. */
    SHA_512(1, "SHA-512", "sha-512", 64);

    private final int encoding;
    private final String jdkName;
    private final String tokenName;
    private final int size;

    HashAlgorithm(int encoding, String jdkName, String tokenName, int size) {
        this.encoding = encoding;
        this.jdkName = jdkName;
        this.tokenName = tokenName;
        this.size = size;
    }

    /** @return the value of RmiRealmParams.hash_algo */
    public int encoding() {
        return encoding;
    }

    /** @return the name the attestation token's hash-algo-id claims use ({@code "sha-256"}) */
    public String tokenName() {
        return tokenName;
    }

    /** @return the digest size in bytes */
    public int size() {
        return size;
    }

    /**
     * @param parts data to hash, concatenated
     * @return the digest
     */
    public byte[] hash(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(jdkName);
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jdkName + " is missing from the JDK", e);
        }
    }

    /**
     * @param encoding RmiRealmParams.hash_algo
     * @return the algorithm
     * @throws IllegalArgumentException naming the value for anything but 0 and 1 (RMI_ERROR_INPUT on a device)
     */
    public static HashAlgorithm of(int encoding) {
        for (HashAlgorithm a : values()) {
            if (a.encoding == encoding) {
                return a;
            }
        }
        throw new IllegalArgumentException("hash_algo " + encoding + " is neither RMI_HASH_SHA_256 (0) nor "
                + "RMI_HASH_SHA_512 (1)");
    }
}
