package org.example.cca.token;

import java.util.List;

/**
 * The realm token's claims.
 *
 * @param challenge the realm challenge (64 bytes)
 * @param personalizationValue the RPV (64 bytes)
 * @param rim the Realm Initial Measurement
 * @param rems the four Realm Extensible Measurements
 * @param hashAlgorithmId the measurement algorithm ("sha-256", "sha-512")
 * @param rakPublicKey the RAK's public key, an uncompressed P-384 point (97 bytes)
 * @param rakHashAlgorithm the algorithm the platform challenge hashes the RAK with
 * @param profile the realm profile
 */
public record RealmClaims(byte[] challenge, byte[] personalizationValue, byte[] rim, List<byte[]> rems,
        String hashAlgorithmId, byte[] rakPublicKey, String rakHashAlgorithm, String profile) {

    /** The realm profile of RMM 1.0 tokens. */
    public static final String PROFILE = "tag:arm.com,2023:realm#1.0.0";
}
