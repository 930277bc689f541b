package io.teebox.tpm.abi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** TPM_ALG_ID values (Part 2, 6.3; TCG Algorithm Registry) that CVM tooling meets. */
public enum TpmAlgId {
    /** RSA. */
    RSA(0x0001, 0, null),
    /** SHA-1. */
    SHA1(0x0004, 20, "SHA-1"),
    /** HMAC. */
    HMAC(0x0005, 0, null),
    /** AES. */
    AES(0x0006, 0, null),
    /** Keyed-hash object type. */
    KEYEDHASH(0x0008, 0, null),
    /** XOR obfuscation. */
    XOR(0x000A, 0, null),
    /** SHA-256. */
    SHA256(0x000B, 32, "SHA-256"),
    /** SHA-384. */
    SHA384(0x000C, 48, "SHA-384"),
    /** SHA-512. */
    SHA512(0x000D, 64, "SHA-512"),
    /** No algorithm. */
    NULL(0x0010, 0, null),
    /** RSASSA-PKCS1-v1_5 signature. */
    RSASSA(0x0014, 0, null),
    /** RSAES-PKCS1-v1_5 encryption. */
    RSAES(0x0015, 0, null),
    /** RSASSA-PSS signature. */
    RSAPSS(0x0016, 0, null),
    /** RSAES-OAEP encryption. */
    OAEP(0x0017, 0, null),
    /** ECDSA signature. */
    ECDSA(0x0018, 0, null),
    /** ECDH key exchange. */
    ECDH(0x0019, 0, null),
    /** ECDAA signature. */
    ECDAA(0x001A, 0, null),
    /** EC Schnorr signature. */
    ECSCHNORR(0x001C, 0, null),
    /** Concatenation KDF of SP 800-56A. */
    KDF1_SP800_56A(0x0020, 0, null),
    /** Counter-mode KDF of SP 800-108. */
    KDF1_SP800_108(0x0022, 0, null),
    /** ECC object type. */
    ECC(0x0023, 0, null),
    /** Symmetric-cipher object type. */
    SYMCIPHER(0x0025, 0, null),
    /** Counter mode. */
    CTR(0x0040, 0, null),
    /** Output-feedback mode. */
    OFB(0x0041, 0, null),
    /** Cipher-block-chaining mode. */
    CBC(0x0042, 0, null),
    /** Cipher-feedback mode. */
    CFB(0x0043, 0, null),
    /** Electronic-codebook mode. */
    ECB(0x0044, 0, null);

    private final int value;
    private final int digestSize;
    private final String jcaName;

    TpmAlgId(int value, int digestSize, String jcaName) {
        this.value = value;
        this.digestSize = digestSize;
        this.jcaName = jcaName;
    }

    /**
     * The spec value.
     *
     * @return the 16-bit TPM_ALG_ID
     */
    public int value() {
        return value;
    }

    /**
     * Whether this is a hash algorithm.
     *
     * @return true for SHA-1, SHA-256, SHA-384 and SHA-512
     */
    public boolean isHash() {
        return digestSize > 0;
    }

    /**
     * The digest size of a hash algorithm.
     *
     * @return the size in bytes
     * @throws TpmException with TPM_RC_HASH if this is not a hash algorithm
     */
    public int digestSize() {
        requireHash();
        return digestSize;
    }

    /**
     * The JCA name of a hash algorithm.
     *
     * @return e.g. "SHA-256"
     * @throws TpmException with TPM_RC_HASH if this is not a hash algorithm
     */
    public String jcaName() {
        requireHash();
        return jcaName;
    }

    /**
     * Hashes the concatenation of parts.
     *
     * @param parts the data
     * @return the digest
     * @throws TpmException with TPM_RC_HASH if this is not a hash algorithm
     */
    public byte[] hash(byte[]... parts) {
        MessageDigest md = newDigest();
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    /**
     * A fresh MessageDigest of a hash algorithm.
     *
     * @return the digest object
     * @throws TpmException with TPM_RC_HASH if this is not a hash algorithm
     */
    public MessageDigest newDigest() {
        requireHash();
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + jcaName, e);
        }
    }

    private void requireHash() {
        if (digestSize == 0) {
            throw new TpmException(TpmRc.HASH, "TPM_ALG_ID is TPM_ALG_" + name() + ", expected a hash algorithm");
        }
    }

    /**
     * Finds an algorithm by value.
     *
     * @param value the 16-bit TPM_ALG_ID
     * @return the algorithm
     * @throws TpmException with TPM_RC_VALUE if the value is not one of this enum
     */
    public static TpmAlgId fromValue(int value) {
        for (TpmAlgId a : values()) {
            if (a.value == value) {
                return a;
            }
        }
        throw new TpmException(TpmRc.VALUE, String.format("TPM_ALG_ID is 0x%04x, expected a known algorithm", value));
    }

    /**
     * Finds a hash algorithm by value.
     *
     * @param value the 16-bit TPM_ALG_ID
     * @param nullAllowed whether TPM_ALG_NULL is accepted
     * @return the algorithm
     * @throws TpmException with TPM_RC_HASH if the value is not a hash algorithm (or NULL where allowed)
     */
    public static TpmAlgId hashFromValue(int value, boolean nullAllowed) {
        for (TpmAlgId a : values()) {
            if (a.value == value && (a.isHash() || nullAllowed && a == NULL)) {
                return a;
            }
        }
        throw new TpmException(TpmRc.HASH, String.format("TPMI_ALG_HASH is 0x%04x, expected %sa hash algorithm", value,
                nullAllowed ? "TPM_ALG_NULL or " : ""));
    }
}
