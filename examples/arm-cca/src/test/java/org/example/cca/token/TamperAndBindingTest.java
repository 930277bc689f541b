package org.example.cca.token;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import org.junit.Test;

/** One flipped byte fails exactly the check it should; a wrong CPAK fails the platform signature. */
public class TamperAndBindingTest {
    private final CcaTokenVerifier verifier = new CcaTokenVerifier();

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }

    private static byte[] flip(byte[] token, int offset) {
        byte[] t = token.clone();
        t[offset] ^= 0x01;
        return t;
    }

    private void assertOnlyFails(CcaTokenVerifier.Result r, String... failing) {
        List<String> want = List.of(failing);
        for (CcaTokenVerifier.Check c : r.checks()) {
            if (want.contains(c.name())) {
                assertEquals(c.toString(), CcaTokenVerifier.Status.FAIL, c.status());
            } else {
                assertFalse(c.toString(), c.status() == CcaTokenVerifier.Status.FAIL);
            }
        }
        assertFalse(r.passed());
    }

    @Test
    public void flippedPlatformSignatureByteFailsPlatformSignature() {
        byte[] t = GenuineTokenTest.token();
        int sig = 10 + 0x293 - 96; // platform signature = last 96 bytes of the platform COSE_Sign1
        CcaTokenVerifier.Result r = verifier.verify(flip(t, sig + 17), GenuineTokenTest.cpak(), null);
        assertOnlyFails(r, CcaTokenVerifier.PLATFORM_SIGNATURE);
        assertTrue(r.check(CcaTokenVerifier.PLATFORM_SIGNATURE).reason().contains("does not verify with the CPAK"));
    }

    @Test
    public void flippedPlatformPayloadByteFailsPlatformSignature() {
        byte[] t = GenuineTokenTest.token();
        int at = indexOf(t, "whatever.com".getBytes(StandardCharsets.US_ASCII));
        assertOnlyFails(verifier.verify(flip(t, at), GenuineTokenTest.cpak(), null),
                CcaTokenVerifier.PLATFORM_SIGNATURE);
    }

    @Test
    public void flippedPlatformChallengeFailsPlatformSignatureAndBinding() {
        byte[] t = GenuineTokenTest.token();
        int at = indexOf(t, GenuineTokenTest.hex("b5973cb6"));
        assertOnlyFails(verifier.verify(flip(t, at + 3), GenuineTokenTest.cpak(), null),
                CcaTokenVerifier.PLATFORM_SIGNATURE, CcaTokenVerifier.BINDING);
    }

    @Test
    public void flippedRealmSignatureByteFailsRealmSignature() {
        byte[] t = GenuineTokenTest.token();
        CcaTokenVerifier.Result r = verifier.verify(flip(t, t.length - 5), GenuineTokenTest.cpak(), null);
        assertOnlyFails(r, CcaTokenVerifier.REALM_SIGNATURE);
        assertTrue(r.check(CcaTokenVerifier.REALM_SIGNATURE).reason().contains("RAK"));
    }

    @Test
    public void flippedRealmPayloadByteFailsRealmSignature() {
        byte[] t = GenuineTokenTest.token();
        int at = indexOf(t, "The quick brown fox".getBytes(StandardCharsets.US_ASCII));
        assertOnlyFails(verifier.verify(flip(t, at + 4), GenuineTokenTest.cpak(), null),
                CcaTokenVerifier.REALM_SIGNATURE);
    }

    @Test
    public void flippedRealmChallengeFailsRealmSignatureAndExpectedChallenge() {
        byte[] t = GenuineTokenTest.token();
        byte[] ab = new byte[64];
        Arrays.fill(ab, (byte) 0xab);
        int at = indexOf(t, ab);
        assertOnlyFails(verifier.verify(flip(t, at + 10), GenuineTokenTest.cpak(), ab),
                CcaTokenVerifier.REALM_SIGNATURE, CcaTokenVerifier.REALM_CHALLENGE);
    }

    @Test
    public void wrongCpakFailsPlatformSignature() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        PublicKey other = g.generateKeyPair().getPublic();
        CcaTokenVerifier.Result r = verifier.verify(GenuineTokenTest.token(), other, null);
        assertOnlyFails(r, CcaTokenVerifier.PLATFORM_SIGNATURE);
        // a P-256 key cannot verify ES384 at all, and the reason says why
        g.initialize(new ECGenParameterSpec("secp256r1"));
        r = verifier.verify(GenuineTokenTest.token(), g.generateKeyPair().getPublic(), null);
        assertOnlyFails(r, CcaTokenVerifier.PLATFORM_SIGNATURE);
        assertTrue(r.check(CcaTokenVerifier.PLATFORM_SIGNATURE).reason(),
                r.check(CcaTokenVerifier.PLATFORM_SIGNATURE).reason().contains("needs a P-384 key"));
    }

    @Test
    public void expectedChallengeIsComparedOrSkipped() {
        byte[] other = new byte[64];
        CcaTokenVerifier.Result r = verifier.verify(GenuineTokenTest.token(), GenuineTokenTest.cpak(), other);
        assertOnlyFails(r, CcaTokenVerifier.REALM_CHALLENGE);
        r = verifier.verify(GenuineTokenTest.token(), GenuineTokenTest.cpak(), null);
        assertTrue(r.passed());
        assertEquals(CcaTokenVerifier.Status.SKIPPED, r.check(CcaTokenVerifier.REALM_CHALLENGE).status());
    }

    @Test
    public void verifierNeverThrowsOnBadInput() throws Exception {
        PublicKey cpak = GenuineTokenTest.cpak();
        for (byte[] bad : new byte[][] {null, new byte[0], {0x00}, {(byte) 0xd9, 0x01, (byte) 0x8f},
                "not cbor at all".getBytes(StandardCharsets.US_ASCII)}) {
            CcaTokenVerifier.Result r = verifier.verify(bad, cpak, null);
            assertFalse(r.passed());
            assertEquals(CcaTokenVerifier.Status.FAIL, r.check(CcaTokenVerifier.STRUCTURE).status());
            assertEquals(6, r.checks().size());
        }
        CcaTokenVerifier.Result r = verifier.verify(GenuineTokenTest.token(), null, null);
        assertOnlyFails(r, CcaTokenVerifier.PLATFORM_SIGNATURE);
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        r = verifier.verify(GenuineTokenTest.token(), rsa.generateKeyPair().getPublic(), new byte[3]);
        assertOnlyFails(r, CcaTokenVerifier.PLATFORM_SIGNATURE, CcaTokenVerifier.REALM_CHALLENGE);
    }
}
