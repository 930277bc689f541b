package org.example.cca.token;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Verifies a CCA attestation token and reports named checks, each PASS / FAIL / SKIPPED with a one-line reason:
 * {@value #STRUCTURE}, {@value #PLATFORM_SIGNATURE} (CPAK), {@value #REALM_SIGNATURE} (RAK from claim 44237),
 * {@value #BINDING} (platform challenge == hash(RAK claim) with the realm's claim 44240), {@value #REALM_CHALLENGE}
 * (== the expected challenge; SKIPPED if none is given) and {@value #PROFILE} (known platform profile; realm profile
 * absent or known). Never throws on bad tokens or keys. Stateless and thread-safe.
 */
public final class CcaTokenVerifier {
    public static final String STRUCTURE = "structure";
    public static final String PLATFORM_SIGNATURE = "platform-signature";
    public static final String REALM_SIGNATURE = "realm-signature";
    public static final String BINDING = "binding";
    public static final String REALM_CHALLENGE = "realm-challenge";
    public static final String PROFILE = "profile";

    private static final Set<String> PLATFORM_PROFILES =
            Set.of(PlatformClaims.PROFILE_LEGACY, PlatformClaims.PROFILE_2023);

    public enum Status { PASS, FAIL, SKIPPED }

    /** One named check. */
    public record Check(String name, Status status, String reason) {
        public boolean passed() {
            return status == Status.PASS;
        }

        @Override
        public String toString() {
            return name + ": " + status + " (" + reason + ")";
        }
    }

    /** The outcome: the checks in a fixed order and the parsed token (null if it did not parse). */
    public static final class Result {
        private final List<Check> checks;
        private final CcaToken token;

        Result(List<Check> checks, CcaToken token) {
            this.checks = Collections.unmodifiableList(new ArrayList<>(checks));
            this.token = token;
        }

        public List<Check> checks() {
            return checks;
        }

        /** The check with this name (one of the constants of {@link CcaTokenVerifier}), or null. */
        public Check check(String name) {
            for (Check c : checks) {
                if (c.name().equals(name)) {
                    return c;
                }
            }
            return null;
        }

        /** True if no check failed (SKIPPED counts as not failed). */
        public boolean passed() {
            for (Check c : checks) {
                if (c.status() == Status.FAIL) {
                    return false;
                }
            }
            return true;
        }

        /** The failed checks. */
        public List<Check> failures() {
            List<Check> f = new ArrayList<>();
            for (Check c : checks) {
                if (c.status() == Status.FAIL) {
                    f.add(c);
                }
            }
            return f;
        }

        /** The parsed token, or null if the structure check failed. */
        public CcaToken token() {
            return token;
        }

        @Override
        public String toString() {
            return (passed() ? "PASS " : "FAIL ") + checks;
        }
    }

    /**
     * Verifies {@code token} with the platform's CPAK.
     *
     * @param expectedChallenge the realm challenge the caller sent (64 bytes), or null to skip that check
     */
    public Result verify(byte[] token, PublicKey cpak, byte[] expectedChallenge) {
        List<Check> checks = new ArrayList<>();
        CcaToken t;
        try {
            t = CcaToken.parse(token);
            checks.add(new Check(STRUCTURE, Status.PASS, "well-formed CCA token (tag 399, two COSE_Sign1)"));
        } catch (CcaTokenException e) {
            checks.add(new Check(STRUCTURE, Status.FAIL, e.getMessage()));
            for (String n : List.of(PLATFORM_SIGNATURE, REALM_SIGNATURE, BINDING, REALM_CHALLENGE, PROFILE)) {
                checks.add(new Check(n, Status.FAIL, "not evaluated: the token did not parse"));
            }
            return new Result(checks, null);
        } catch (RuntimeException e) { // defensive: the parser should only throw CcaTokenException
            checks.add(new Check(STRUCTURE, Status.FAIL, "unexpected parser failure: " + CborIn.oneLine(e)));
            for (String n : List.of(PLATFORM_SIGNATURE, REALM_SIGNATURE, BINDING, REALM_CHALLENGE, PROFILE)) {
                checks.add(new Check(n, Status.FAIL, "not evaluated: the token did not parse"));
            }
            return new Result(checks, null);
        }
        checks.add(platformSignature(t.platformToken(), cpak));
        checks.add(realmSignature(t));
        checks.add(binding(t));
        checks.add(realmChallenge(t, expectedChallenge));
        checks.add(profile(t));
        return new Result(checks, t);
    }

    private static Check platformSignature(CoseSign1 cose, PublicKey cpak) {
        if (cpak == null) {
            return new Check(PLATFORM_SIGNATURE, Status.FAIL, "no CPAK given");
        }
        return signature(PLATFORM_SIGNATURE, cose, cpak, "CPAK");
    }

    private static Check realmSignature(CcaToken t) {
        ECPublicKey rak;
        try {
            rak = CcaKeys.decodeRak(t.realmClaims().rakPublicKey());
        } catch (CcaTokenException e) {
            return new Check(REALM_SIGNATURE, Status.FAIL, e.getMessage());
        }
        return signature(REALM_SIGNATURE, t.realmToken(), rak, "RAK");
    }

    private static Check signature(String name, CoseSign1 cose, PublicKey key, String keyName) {
        String jdk = CoseSign1.jdkAlgorithm(cose.alg());
        if (jdk == null) {
            return new Check(name, Status.FAIL, "unsupported COSE alg " + cose.alg() + " (want -7, -35 or -36)");
        }
        if (!(key instanceof ECPublicKey)) {
            return new Check(name, Status.FAIL, keyName + " is not an EC key (" + key.getAlgorithm() + ")");
        }
        int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
        if (bits != CoseSign1.curveBits(cose.alg())) {
            return new Check(name, Status.FAIL, "COSE alg " + cose.alg() + " needs a P-" + CoseSign1.curveBits(cose.alg())
                    + " key, " + keyName + " is P-" + bits);
        }
        int sigLen = 2 * ((bits + 7) / 8);
        if (cose.signature().length != sigLen) {
            return new Check(name, Status.FAIL, "signature is " + cose.signature().length + " bytes, want r||s of "
                    + sigLen);
        }
        try {
            Signature s = Signature.getInstance(jdk);
            s.initVerify(key);
            s.update(cose.toBeSigned());
            if (s.verify(cose.signature())) {
                return new Check(name, Status.PASS, "alg " + cose.alg() + " signature verifies with the " + keyName);
            }
            return new Check(name, Status.FAIL, "signature does not verify with the " + keyName);
        } catch (GeneralSecurityException | RuntimeException e) {
            return new Check(name, Status.FAIL, "signature does not verify with the " + keyName + ": "
                    + CborIn.oneLine(e));
        }
    }

    private static Check binding(CcaToken t) {
        RealmClaims r = t.realmClaims();
        if (CcaKeys.jdkHash(r.rakHashAlgId()) == null) {
            return new Check(BINDING, Status.FAIL, "realm claim 44240 (RAK hash algorithm id) \"" + r.rakHashAlgId()
                    + "\" is not sha-256, sha-384 or sha-512");
        }
        byte[] want = CcaKeys.rakHash(r.rakPublicKey(), r.rakHashAlgId());
        if (MessageDigest.isEqual(want, t.platformClaims().challenge())) {
            return new Check(BINDING, Status.PASS, "platform challenge == " + r.rakHashAlgId() + "(RAK)");
        }
        return new Check(BINDING, Status.FAIL, "platform challenge " + CcaToken.hex(t.platformClaims().challenge())
                + " != " + r.rakHashAlgId() + "(RAK) " + CcaToken.hex(want));
    }

    private static Check realmChallenge(CcaToken t, byte[] expected) {
        if (expected == null) {
            return new Check(REALM_CHALLENGE, Status.SKIPPED, "no expected challenge given");
        }
        if (MessageDigest.isEqual(expected, t.realmClaims().challenge())) {
            return new Check(REALM_CHALLENGE, Status.PASS, "realm challenge equals the expected one");
        }
        return new Check(REALM_CHALLENGE, Status.FAIL, "realm challenge differs from the expected one ("
                + expected.length + "-byte expected, first byte 0x" + (expected.length == 0 ? "--"
                : String.format("%02x", expected[0] & 0xff)) + ")");
    }

    private static Check profile(CcaToken t) {
        String p = t.platformClaims().profile();
        if (!PLATFORM_PROFILES.contains(p)) {
            return new Check(PROFILE, Status.FAIL, "unknown platform profile \"" + p + "\"");
        }
        String r = t.realmClaims().profile();
        if (r != null && !RealmClaims.PROFILE_2023.equals(r)) {
            return new Check(PROFILE, Status.FAIL, "unknown realm profile \"" + r + "\"");
        }
        return new Check(PROFILE, Status.PASS, "platform \"" + p + "\", realm "
                + (r == null ? "without profile claim (legacy)" : "\"" + r + "\""));
    }
}
