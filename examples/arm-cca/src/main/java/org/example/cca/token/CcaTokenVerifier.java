package org.example.cca.token;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Verifies CCA attestation tokens; never throws on a bad token. Placeholder (see package-info). */
public final class CcaTokenVerifier {

    /**
     * One check.
     *
     * @param name what was checked
     * @param passed whether it held
     * @param reason one line
     */
    public record Check(String name, boolean passed, String reason) {
    }

    /**
     * The outcome.
     *
     * @param checks the checks made, in order
     * @param token the parsed token, if it parsed
     */
    public record Result(List<Check> checks, Optional<CcaToken> token) {
        /** @return true if every check passed */
        public boolean passed() {
            return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
        }
    }

    private CcaTokenVerifier() {
    }

    /**
     * @param token the token bytes
     * @param cpak the platform's CPAK public key
     * @param expectedChallenge the realm challenge the relying party asked, or null not to check it
     * @return the checks
     */
    public static Result verify(byte[] token, PublicKey cpak, byte[] expectedChallenge) {
        List<Check> checks = new ArrayList<>();
        CcaToken t;
        try {
            t = CcaToken.parse(token);
            checks.add(new Check("token", true, "a tag-399 collection of a platform and a realm token"));
        } catch (CcaTokenException e) {
            checks.add(new Check("token", false, e.getMessage()));
            return new Result(checks, Optional.empty());
        }
        checks.add(signature("platform_signature", t.platform(), cpak));
        PublicKey rak = null;
        try {
            rak = p384(t.realmClaims().rakPublicKey());
        } catch (CcaTokenException e) {
            checks.add(new Check("realm_signature", false, e.getMessage()));
        }
        if (rak != null) {
            checks.add(signature("realm_signature", t.realm(), rak));
        }
        byte[] expectedBinding;
        try {
            expectedBinding = CcaTokenSigner.hash(t.realmClaims().rakHashAlgorithm(), t.realmClaims().rakPublicKey());
            boolean bound = Arrays.equals(expectedBinding, t.platformClaims().challenge());
            checks.add(new Check("binding", bound, bound ? "the platform challenge is the hash of the RAK"
                    : "the platform challenge is not the " + t.realmClaims().rakHashAlgorithm() + " of the RAK"));
        } catch (CcaTokenException e) {
            checks.add(new Check("binding", false, e.getMessage()));
        }
        if (expectedChallenge != null) {
            boolean same = Arrays.equals(expectedChallenge, t.realmClaims().challenge());
            checks.add(new Check("realm_challenge", same, same ? "the realm challenge is the one asked"
                    : "the realm challenge is not the one the relying party asked"));
        }
        boolean known = RealmClaims.PROFILE.equals(t.realmClaims().profile())
                && PlatformClaims.PROFILE.equals(t.platformClaims().profile());
        checks.add(new Check("profile", known, known ? "known profiles" : "unknown profile '"
                + t.realmClaims().profile() + "' / '" + t.platformClaims().profile() + "'"));
        return new Result(checks, Optional.of(t));
    }

    private static Check signature(String name, CcaToken.Sign1 s, PublicKey key) {
        if (key == null) {
            return new Check(name, false, "no key to verify with");
        }
        try {
            Signature v = Signature.getInstance("SHA384withECDSAinP1363Format");
            v.initVerify(key);
            v.update(CcaToken.toBeSigned(s.protectedHeader(), s.payload()));
            boolean ok = s.signature().length == 96 && v.verify(s.signature());
            return new Check(name, ok, ok ? "ES384 signature verifies" : "the ES384 signature does not verify");
        } catch (GeneralSecurityException | RuntimeException e) {
            return new Check(name, false, "the ES384 signature cannot be checked: " + e.getMessage());
        }
    }

    /**
     * @param point an uncompressed P-384 point (0x04 || X || Y)
     * @return the public key
     */
    public static PublicKey p384(byte[] point) {
        if (point == null || point.length != 97 || point[0] != 4) {
            throw new CcaTokenException("RAK public key: not an uncompressed P-384 point (97 bytes from 0x04)");
        }
        try {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec("secp384r1"));
            ECParameterSpec spec = ap.getParameterSpec(ECParameterSpec.class);
            ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 49)),
                    new BigInteger(1, Arrays.copyOfRange(point, 49, 97)));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
        } catch (GeneralSecurityException e) {
            throw new CcaTokenException("RAK public key: not a point on P-384 (" + e.getMessage() + ")");
        }
    }
}
