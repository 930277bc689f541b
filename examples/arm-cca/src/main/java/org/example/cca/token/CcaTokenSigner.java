package org.example.cca.token;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Signs CCA attestation tokens. Placeholder (see package-info). */
public final class CcaTokenSigner {

    private CcaTokenSigner() {
    }

    /**
     * @param realm the realm claims (with the RAK's public key)
     * @param platform the platform claims; a null challenge is set to the hash of the RAK's public key
     * @param rak the realm attestation key
     * @param cpak the CCA platform attestation key
     * @return the tag-399 collection
     */
    public static byte[] sign(RealmClaims realm, PlatformClaims platform, PrivateKey rak, PrivateKey cpak) {
        PlatformClaims p = platform.challenge() != null ? platform
                : platform.withChallenge(hash(realm.rakHashAlgorithm(), realm.rakPublicKey()));
        Map<Long, Object> collection = new LinkedHashMap<>();
        collection.put(CcaToken.KEY_PLATFORM, sign1(Cbor.encode(CcaToken.encode(p)), cpak));
        collection.put(CcaToken.KEY_REALM, sign1(Cbor.encode(CcaToken.encode(realm)), rak));
        return Cbor.encode(new Cbor.Tagged(CcaToken.TAG_COLLECTION, collection));
    }

    static byte[] hash(String alg, byte[] data) {
        try {
            return MessageDigest.getInstance(alg.toUpperCase(java.util.Locale.ROOT)).digest(data);
        } catch (GeneralSecurityException e) {
            throw new CcaTokenException("hash algorithm '" + alg + "' is not known");
        }
    }

    private static byte[] sign1(byte[] payload, PrivateKey key) {
        Map<Long, Object> h = new LinkedHashMap<>();
        h.put(1L, CcaToken.ES384);
        byte[] prot = Cbor.encode(h);
        try {
            Signature s = Signature.getInstance("SHA384withECDSAinP1363Format");
            s.initSign(key);
            s.update(CcaToken.toBeSigned(prot, payload));
            return Cbor.encode(new Cbor.Tagged(CcaToken.TAG_SIGN1, List.of(prot, Map.of(), payload, s.sign())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES384 signing failed: " + e.getMessage(), e);
        }
    }
}
