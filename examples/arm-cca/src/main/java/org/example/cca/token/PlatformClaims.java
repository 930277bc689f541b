package org.example.cca.token;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The CCA platform token claims (draft-ffm-rats-cca-token; keys from the PSA token, RFC 9783):
 * 265 profile, 10 challenge, 2396 implementation id, 256 instance id, 2401 config, 2395 lifecycle,
 * 2399 software components, 2400 verification service (optional), 2402 hash algorithm id.
 * {@code challenge} may be null when handed to {@link CcaTokenSigner}, which then sets it to the RAK hash;
 * {@code config} and {@code verificationService} are null when absent.
 */
public record PlatformClaims(String profile, byte[] challenge, byte[] implementationId, byte[] instanceId,
                             byte[] config, int lifecycle, List<SwComponent> swComponents,
                             String verificationService, String hashAlgId) {
    /** The profile of the token sample TF-RMM ships (CCA-SSD 1.0, legacy). */
    public static final String PROFILE_LEGACY = "http://arm.com/CCA-SSD/1.0.0";
    /** The platform profile of draft-ffm-rats-cca-token and RMM 1.0 (same claim set as the legacy one). */
    public static final String PROFILE_2023 = "tag:arm.com,2023:cca_platform#1.0.0";

    public PlatformClaims {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(implementationId, "implementationId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(hashAlgId, "hashAlgId");
        challenge = challenge == null ? null : challenge.clone();
        implementationId = implementationId.clone();
        instanceId = instanceId.clone();
        config = config == null ? null : config.clone();
        swComponents = List.copyOf(Objects.requireNonNull(swComponents, "swComponents"));
        if (lifecycle < 0 || lifecycle > 0xffff) {
            throw new IllegalArgumentException("lifecycle: expected 0..0xffff, got " + lifecycle);
        }
    }

    /** A copy with the challenge replaced. */
    public PlatformClaims withChallenge(byte[] newChallenge) {
        return new PlatformClaims(profile, newChallenge, implementationId, instanceId, config, lifecycle,
                swComponents, verificationService, hashAlgId);
    }

    @Override
    public byte[] challenge() {
        return challenge == null ? null : challenge.clone();
    }

    @Override
    public byte[] implementationId() {
        return implementationId.clone();
    }

    @Override
    public byte[] instanceId() {
        return instanceId.clone();
    }

    @Override
    public byte[] config() {
        return config == null ? null : config.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PlatformClaims)) {
            return false;
        }
        PlatformClaims c = (PlatformClaims) o;
        return profile.equals(c.profile) && Arrays.equals(challenge, c.challenge)
                && Arrays.equals(implementationId, c.implementationId) && Arrays.equals(instanceId, c.instanceId)
                && Arrays.equals(config, c.config) && lifecycle == c.lifecycle && swComponents.equals(c.swComponents)
                && Objects.equals(verificationService, c.verificationService) && hashAlgId.equals(c.hashAlgId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profile, Arrays.hashCode(challenge), Arrays.hashCode(implementationId),
                Arrays.hashCode(instanceId), Arrays.hashCode(config), lifecycle, swComponents, verificationService,
                hashAlgId);
    }

    @Override
    public String toString() {
        return "PlatformClaims[profile=" + profile + ", challenge=" + CcaToken.hex(challenge)
                + ", implementationId=" + CcaToken.hex(implementationId) + ", instanceId=" + CcaToken.hex(instanceId)
                + ", config=" + CcaToken.hex(config) + ", lifecycle=0x" + Integer.toHexString(lifecycle)
                + ", swComponents=" + swComponents + ", verificationService=" + verificationService
                + ", hashAlgId=" + hashAlgId + "]";
    }
}
