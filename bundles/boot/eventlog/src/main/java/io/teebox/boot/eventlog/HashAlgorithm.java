package io.teebox.boot.eventlog;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The PCR bank algorithms a log can carry, with their TPM_ALG_ID (TPM 2.0 Library Part 2, table 9) and digest size.
 */
public enum HashAlgorithm {
    /** TPM_ALG_SHA1. */
    SHA1(0x0004, 20, "SHA-1", "sha1"),
    /** TPM_ALG_SHA256. */
    SHA256(0x000B, 32, "SHA-256", "sha256"),
    /** TPM_ALG_SHA384. */
    SHA384(0x000C, 48, "SHA-384", "sha384"),
    /** TPM_ALG_SHA512. */
    SHA512(0x000D, 64, "SHA-512", "sha512");

    private final int algorithmId;
    private final int digestSize;
    private final String jcaName;
    private final String tpm2ToolsName;

    HashAlgorithm(int algorithmId, int digestSize, String jcaName, String tpm2ToolsName) {
        this.algorithmId = algorithmId;
        this.digestSize = digestSize;
        this.jcaName = jcaName;
        this.tpm2ToolsName = tpm2ToolsName;
    }

    /**
     * The TPM_ALG_ID.
     *
     * @return e.g. 0x000B for SHA-256
     */
    public int algorithmId() {
        return algorithmId;
    }

    /**
     * The digest size.
     *
     * @return bytes
     */
    public int digestSize() {
        return digestSize;
    }

    /**
     * The name tpm2-tools prints for the algorithm.
     *
     * @return e.g. "sha256"
     */
    public String tpm2ToolsName() {
        return tpm2ToolsName;
    }

    /**
     * The algorithm with this TPM_ALG_ID.
     *
     * @param algorithmId the id
     * @return the algorithm, or empty if it is not a bank algorithm known here
     */
    public static Optional<HashAlgorithm> of(int algorithmId) {
        for (HashAlgorithm a : values()) {
            if (a.algorithmId == algorithmId) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * Digests the concatenation of {@code parts}.
     *
     * @param parts the bytes
     * @return the digest, {@link #digestSize()} bytes
     */
    public byte[] digest(byte[]... parts) {
        MessageDigest md = newDigest();
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    /**
     * The PCR extend operation: H(pcr || digest).
     *
     * @param pcr the current value
     * @param digest the measurement
     * @return the new value
     */
    public byte[] extend(byte[] pcr, byte[] digest) {
        return digest(pcr, digest);
    }

    private MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + jcaName, e);
        }
    }
}
