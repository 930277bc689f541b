package org.example.cca.token;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/**
 * Signs CCA attestation tokens in TF-RMM's byte shape: each COSE_Sign1 is tag 18, protected header {1: alg}
 * (ES256/ES384/ES512 chosen from the key's curve), an empty unprotected map, the claims payload and the r||s
 * signature; the collection is tag 399 {44234: platform, 44241: realm}. All CBOR is deterministic (definite
 * lengths, shortest heads) with map keys in the order TF-RMM / TF-M emit (see {@link CcaToken#encodeRealmClaims}
 * and {@link CcaToken#encodePlatformClaims}). Stateless and thread-safe.
 */
public final class CcaTokenSigner {

    /**
     * Signs a CCA token. If {@code platform.challenge()} is null it is set to hash(RAK claim bytes) with the realm's
     * RAK hash algorithm (claim 44240), which is the binding TF-RMM creates. The RAK private key must match the
     * realm claim 44237.
     *
     * @throws CcaTokenException (one line naming the argument or claim) on bad input
     */
    public byte[] sign(RealmClaims realm, PlatformClaims platform, PrivateKey rak, PrivateKey cpak) {
        if (realm == null) {
            throw new CcaTokenException("realm: null");
        }
        if (platform == null) {
            throw new CcaTokenException("platform: null");
        }
        if (rak == null) {
            throw new CcaTokenException("rak: null");
        }
        if (cpak == null) {
            throw new CcaTokenException("cpak: null");
        }
        ECPublicKey rakPublic = CcaKeys.decodeRak(realm.rakPublicKey());
        PlatformClaims p = platform.challenge() != null ? platform
                : platform.withChallenge(CcaKeys.rakHash(realm.rakPublicKey(), realm.rakHashAlgId()));
        byte[] realmSign1 = signCoseSign1(CcaToken.encodeRealmClaims(realm), rak, "rak");
        CoseSign1 parsedRealm = CoseSign1.parse(realmSign1, "realm token");
        if (!verifySignature(parsedRealm, rakPublic)) {
            throw new CcaTokenException("rak: private key does not match realm claim 44237 (RAK public key)");
        }
        byte[] platformSign1 = signCoseSign1(CcaToken.encodePlatformClaims(p), cpak, "cpak");
        byte[] token = CcaToken.encodeCollection(platformSign1, realmSign1);
        CcaToken.parse(token); // the claims must be what the parser accepts (lengths, mandatory claims)
        return token;
    }

    /**
     * Signs {@code payload} as a tagged COSE_Sign1 with the EC key (alg from its curve: P-256 ES256, P-384 ES384,
     * P-521 ES512).
     */
    public static byte[] signCoseSign1(byte[] payload, PrivateKey key) {
        return signCoseSign1(payload, key, "key");
    }

    private static byte[] signCoseSign1(byte[] payload, PrivateKey key, String name) {
        if (!(key instanceof ECPrivateKey)) {
            throw new CcaTokenException(name + ": expected an EC private key, got "
                    + (key == null ? "null" : key.getAlgorithm()));
        }
        int bits = ((ECPrivateKey) key).getParams().getCurve().getField().getFieldSize();
        int alg = CoseSign1.algForCurveBits(bits);
        byte[] prot = CoseSign1.protectedHeaderFor(alg);
        byte[] sig;
        try {
            Signature s = Signature.getInstance(CoseSign1.jdkAlgorithm(alg));
            s.initSign(key);
            s.update(CoseSign1.toBeSigned(prot, payload));
            sig = s.sign();
        } catch (GeneralSecurityException e) {
            throw new CcaTokenException(name + ": signing failed: " + CborIn.oneLine(e), e);
        }
        return new CoseSign1(prot, java.util.Map.of(), payload, sig, alg).encode();
    }

    /** Assembles the tag-399 collection from two encoded COSE_Sign1 (platform first, as TF-RMM does). */
    public static byte[] assemble(byte[] platformSign1, byte[] realmSign1) {
        if (platformSign1 == null || realmSign1 == null) {
            throw new CcaTokenException((platformSign1 == null ? "platformSign1" : "realmSign1") + ": null");
        }
        return CcaToken.encodeCollection(platformSign1, realmSign1);
    }

    static boolean verifySignature(CoseSign1 cose, ECPublicKey key) {
        String jdk = CoseSign1.jdkAlgorithm(cose.alg());
        if (jdk == null || key.getParams().getCurve().getField().getFieldSize() != CoseSign1.curveBits(cose.alg())) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(jdk);
            s.initVerify(key);
            s.update(cose.toBeSigned());
            return s.verify(cose.signature());
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
