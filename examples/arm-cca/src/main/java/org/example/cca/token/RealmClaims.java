package org.example.cca.token;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The CCA realm token claims (RMM specification DEN0137, "Realm claims"): 10 challenge (64 bytes),
 * 44235 personalization value (64 bytes), 44238 RIM, 44239 REMs (4), 44236 measurement hash algorithm,
 * 44237 RAK public key, 44240 RAK hash algorithm, and, in the current profile, 265 profile
 * ({@value #PROFILE_2023}). {@code profile} is null for the legacy token that has no profile claim.
 * <p>{@code rakPublicKey} holds the claim's bytes as they appear in the token: the legacy token carries the raw
 * uncompressed EC point (0x04||X||Y); the current profile carries a CBOR-encoded COSE_Key. See {@link CcaKeys}.
 */
public record RealmClaims(String profile, byte[] challenge, byte[] personalizationValue, byte[] initialMeasurement,
                          List<byte[]> extensibleMeasurements, String hashAlgId, byte[] rakPublicKey,
                          String rakHashAlgId) {
    /** The realm profile TF-RMM emits (claim 265). */
    public static final String PROFILE_2023 = "tag:arm.com,2023:realm#1.0.0";

    public RealmClaims {
        challenge = Objects.requireNonNull(challenge, "challenge").clone();
        personalizationValue = Objects.requireNonNull(personalizationValue, "personalizationValue").clone();
        initialMeasurement = Objects.requireNonNull(initialMeasurement, "initialMeasurement").clone();
        List<byte[]> rems = new ArrayList<>();
        for (byte[] r : Objects.requireNonNull(extensibleMeasurements, "extensibleMeasurements")) {
            rems.add(Objects.requireNonNull(r, "extensibleMeasurements[]").clone());
        }
        extensibleMeasurements = List.copyOf(rems);
        Objects.requireNonNull(hashAlgId, "hashAlgId");
        rakPublicKey = Objects.requireNonNull(rakPublicKey, "rakPublicKey").clone();
        Objects.requireNonNull(rakHashAlgId, "rakHashAlgId");
    }

    @Override
    public byte[] challenge() {
        return challenge.clone();
    }

    @Override
    public byte[] personalizationValue() {
        return personalizationValue.clone();
    }

    @Override
    public byte[] initialMeasurement() {
        return initialMeasurement.clone();
    }

    @Override
    public List<byte[]> extensibleMeasurements() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] r : extensibleMeasurements) {
            out.add(r.clone());
        }
        return out;
    }

    @Override
    public byte[] rakPublicKey() {
        return rakPublicKey.clone();
    }

    /** A copy with the challenge replaced. */
    public RealmClaims withChallenge(byte[] newChallenge) {
        return new RealmClaims(profile, newChallenge, personalizationValue, initialMeasurement,
                extensibleMeasurements, hashAlgId, rakPublicKey, rakHashAlgId);
    }

    /** A copy with the RAK public key claim replaced. */
    public RealmClaims withRakPublicKey(byte[] newRak) {
        return new RealmClaims(profile, challenge, personalizationValue, initialMeasurement,
                extensibleMeasurements, hashAlgId, newRak, rakHashAlgId);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RealmClaims)) {
            return false;
        }
        RealmClaims c = (RealmClaims) o;
        if (extensibleMeasurements.size() != c.extensibleMeasurements.size()) {
            return false;
        }
        for (int i = 0; i < extensibleMeasurements.size(); i++) {
            if (!Arrays.equals(extensibleMeasurements.get(i), c.extensibleMeasurements.get(i))) {
                return false;
            }
        }
        return Objects.equals(profile, c.profile) && Arrays.equals(challenge, c.challenge)
                && Arrays.equals(personalizationValue, c.personalizationValue)
                && Arrays.equals(initialMeasurement, c.initialMeasurement) && hashAlgId.equals(c.hashAlgId)
                && Arrays.equals(rakPublicKey, c.rakPublicKey) && rakHashAlgId.equals(c.rakHashAlgId);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(profile, Arrays.hashCode(challenge), Arrays.hashCode(personalizationValue),
                Arrays.hashCode(initialMeasurement), hashAlgId, Arrays.hashCode(rakPublicKey), rakHashAlgId);
        for (byte[] r : extensibleMeasurements) {
            h = 31 * h + Arrays.hashCode(r);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder rems = new StringBuilder();
        for (byte[] r : extensibleMeasurements) {
            rems.append(rems.length() == 0 ? "" : ", ").append(CcaToken.hex(r));
        }
        return "RealmClaims[profile=" + profile + ", challenge=" + CcaToken.hex(challenge)
                + ", personalizationValue=" + CcaToken.hex(personalizationValue)
                + ", initialMeasurement=" + CcaToken.hex(initialMeasurement) + ", extensibleMeasurements=[" + rems
                + "], hashAlgId=" + hashAlgId + ", rakPublicKey=" + CcaToken.hex(rakPublicKey)
                + ", rakHashAlgId=" + rakHashAlgId + "]";
    }
}
