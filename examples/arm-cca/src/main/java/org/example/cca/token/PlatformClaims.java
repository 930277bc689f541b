package org.example.cca.token;

import java.util.List;

/**
 * The platform token's claims.
 *
 * @param profile the platform profile
 * @param challenge the platform challenge: the hash of the RAK's public key (null: the signer sets it)
 * @param implementationId the implementation id (32 bytes)
 * @param instanceId the instance id (0x01 and the hash of the CPAK's public key)
 * @param config the platform configuration
 * @param lifecycle the security lifecycle
 * @param swComponents the measured software components
 * @param verificationService where to verify, or null
 * @param hashAlgorithm the platform's hash algorithm id
 */
public record PlatformClaims(String profile, byte[] challenge, byte[] implementationId, byte[] instanceId,
        byte[] config, int lifecycle, List<SwComponent> swComponents, String verificationService,
        String hashAlgorithm) {

    /** The platform profile of CCA platform tokens 1.0. */
    public static final String PROFILE = "tag:arm.com,2023:cca_platform#1.0.0";

    /**
     * One measured software component.
     *
     * @param type its type ("BL1", "RMM", ...)
     * @param measurement its measurement
     * @param version its version
     * @param signerId the hash of its signer's key
     * @param hashAlgorithm the measurement's algorithm
     */
    public record SwComponent(String type, byte[] measurement, String version, byte[] signerId,
            String hashAlgorithm) {
    }

    /**
     * @param challenge the platform challenge
     * @return these claims with that challenge
     */
    public PlatformClaims withChallenge(byte[] challenge) {
        return new PlatformClaims(profile, challenge, implementationId, instanceId, config, lifecycle, swComponents,
                verificationService, hashAlgorithm);
    }
}
