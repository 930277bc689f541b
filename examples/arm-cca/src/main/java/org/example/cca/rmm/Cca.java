package org.example.cca.rmm;

/** The names the CCA backend registers and reports under. */
public final class Cca {

    /** The backend's {@code tee.type}. */
    public static final String TEE_TYPE = "cca";
    /** The evidence format: the CCA attestation token (a tag-399 collection of the platform and realm tokens). */
    public static final String EVIDENCE_FORMAT = "cca-token";
    /** The launch measurement format: the Realm Initial Measurement. */
    public static final String MEASUREMENT_FORMAT = "cca-rim";
    /** What a key slot is called: the Memory Encryption Context identifier (FEAT_MEC) of a realm. */
    public static final String KEY_SLOT = "MECID";
    /** The firmware that defines the status codes. */
    public static final String FIRMWARE = "tf-rmm";
    /** The platform certificate (the CPAK's public key, SubjectPublicKeyInfo DER) in platformCertificates(). */
    public static final String CPAK = "cpak";
    /** Owner parameter: the Realm Personalization Value, 64 bytes. */
    public static final String PARAM_RPV = "rpv";
    /** Owner parameter: the measurement hash algorithm, one byte (0 SHA-256, 1 SHA-512). */
    public static final String PARAM_HASH_ALGO = "hash_algo";

    private Cca() {
    }
}
