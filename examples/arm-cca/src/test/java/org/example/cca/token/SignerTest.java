package org.example.cca.token;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.Test;

public class SignerTest {
    private final CcaTokenSigner signer = new CcaTokenSigner();
    private final CcaTokenVerifier verifier = new CcaTokenVerifier();

    static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    static byte[] filled(int n, int b) {
        byte[] x = new byte[n];
        Arrays.fill(x, (byte) b);
        return x;
    }

    static RealmClaims realm(String profile, byte[] rakClaim) {
        List<byte[]> rems = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rems.add(filled(32, 0x10 + i));
        }
        return new RealmClaims(profile, filled(64, 0x42), filled(64, 0x50), filled(32, 0x0f), rems, "sha-256",
                rakClaim, "sha-256");
    }

    static PlatformClaims platform(String profile) {
        byte[] inst = filled(33, 0x22);
        inst[0] = 0x01;
        return new PlatformClaims(profile, null, filled(32, 0x7f), inst, new byte[] {1, 2, 3}, 0x3000,
                List.of(new SwComponent("RMM", filled(32, 0x33), "1.0.0", filled(32, 0x44), "sha-256"),
                        new SwComponent(null, filled(48, 0x55), null, filled(32, 0x66), null)),
                "https://veraison.example/v1/challenge-response", "sha-256");
    }

    @Test
    public void freshP384TokenVerifiesAndParsesBackToTheSameClaims() throws Exception {
        KeyPair rak = ec("secp384r1");
        KeyPair cpak = ec("secp384r1");
        for (boolean current : new boolean[] {true, false}) {
            byte[] rakClaim = current ? CcaKeys.coseKey((ECPublicKey) rak.getPublic())
                    : CcaKeys.rawPoint((ECPublicKey) rak.getPublic());
            RealmClaims rc = realm(current ? RealmClaims.PROFILE_2023 : null, rakClaim);
            PlatformClaims pc = platform(current ? PlatformClaims.PROFILE_2023 : PlatformClaims.PROFILE_LEGACY);
            byte[] token = signer.sign(rc, pc, rak.getPrivate(), cpak.getPrivate());

            CcaTokenVerifier.Result r = verifier.verify(token, cpak.getPublic(), rc.challenge());
            assertTrue(r.toString(), r.passed());
            for (CcaTokenVerifier.Check c : r.checks()) {
                assertEquals(c.toString(), CcaTokenVerifier.Status.PASS, c.status());
            }
            CcaToken t = CcaToken.parse(token);
            assertEquals(rc, t.realmClaims());
            byte[] binding = CcaKeys.rakHash(rakClaim, "sha-256");
            assertEquals(pc.withChallenge(binding), t.platformClaims());
            assertEquals(CoseSign1.ES384, t.realmToken().alg());
            assertArrayEquals(token, t.encode());
            // TF-RMM's byte shape: tag 399, map of 2, platform first
            assertEquals("d9018fa219acca59", HexFormat.of().formatHex(token, 0, 8));
            assertArrayEquals(GenuineTokenTest.hex("a1013822"), t.platformToken().protectedHeader());
        }
    }

    @Test
    public void coseKeyRakHasTheTcoseShape() throws Exception {
        ECPublicKey k = (ECPublicKey) ec("secp384r1").getPublic();
        byte[] ck = CcaKeys.coseKey(k);
        // {1: 2, -1: 2, -2: bstr(48), -3: bstr(48)}
        assertEquals("a4010220022158 30".replace(" ", ""), HexFormat.of().formatHex(ck, 0, 8));
        assertEquals(1 + 2 + 2 + 3 + 48 + 3 + 48, ck.length);
        assertEquals(k, CcaKeys.decodeRak(ck));
        assertEquals(k, CcaKeys.decodeRak(CcaKeys.rawPoint(k)));
    }

    @Test
    public void es256AndEs512KeysAreSupported() throws Exception {
        KeyPair rak = ec("secp521r1");
        KeyPair cpak = ec("secp256r1");
        RealmClaims rc = realm(RealmClaims.PROFILE_2023, CcaKeys.coseKey((ECPublicKey) rak.getPublic()));
        byte[] token = signer.sign(rc, platform(PlatformClaims.PROFILE_2023), rak.getPrivate(), cpak.getPrivate());
        CcaTokenVerifier.Result r = verifier.verify(token, cpak.getPublic(), null);
        assertTrue(r.toString(), r.passed());
        CcaToken t = CcaToken.parse(token);
        assertEquals(CoseSign1.ES256, t.platformToken().alg());
        assertEquals(64, t.platformToken().signature().length);
        assertEquals(CoseSign1.ES512, t.realmToken().alg());
        assertEquals(132, t.realmToken().signature().length);
    }

    @Test
    public void rakThatDoesNotHashToThePlatformChallengeFailsBinding() throws Exception {
        KeyPair rak = ec("secp384r1");
        KeyPair cpak = ec("secp384r1");
        RealmClaims rc = realm(RealmClaims.PROFILE_2023, CcaKeys.coseKey((ECPublicKey) rak.getPublic()));
        // the platform token was issued for some other RAK
        byte[] otherRak = CcaKeys.coseKey((ECPublicKey) ec("secp384r1").getPublic());
        PlatformClaims pc = platform(PlatformClaims.PROFILE_2023).withChallenge(CcaKeys.rakHash(otherRak, "sha-256"));
        byte[] token = signer.sign(rc, pc, rak.getPrivate(), cpak.getPrivate());
        CcaTokenVerifier.Result r = verifier.verify(token, cpak.getPublic(), null);
        assertEquals(CcaTokenVerifier.Status.FAIL, r.check(CcaTokenVerifier.BINDING).status());
        assertTrue(r.check(CcaTokenVerifier.BINDING).reason().startsWith("platform challenge "));
        assertEquals(CcaTokenVerifier.Status.PASS, r.check(CcaTokenVerifier.PLATFORM_SIGNATURE).status());
        assertEquals(CcaTokenVerifier.Status.PASS, r.check(CcaTokenVerifier.REALM_SIGNATURE).status());
        assertEquals(List.of(r.check(CcaTokenVerifier.BINDING)), r.failures());
    }

    @Test
    public void signingTheGenuineClaimsReproducesTheGenuinePayloads() throws Exception {
        CcaToken genuine = CcaToken.parse(GenuineTokenTest.token());
        KeyPair rak = ec("secp384r1");
        KeyPair cpak = ec("secp384r1");
        // the genuine platform claims (its challenge kept) and the genuine realm claims with our RAK
        RealmClaims rc = genuine.realmClaims().withRakPublicKey(CcaKeys.rawPoint((ECPublicKey) rak.getPublic()));
        CcaToken t = CcaToken.parse(signer.sign(rc, genuine.platformClaims(), rak.getPrivate(), cpak.getPrivate()));
        assertArrayEquals(genuine.platformToken().payload(), t.platformToken().payload());
        assertArrayEquals(genuine.platformToken().protectedHeader(), t.platformToken().protectedHeader());
        // realm payload equals the genuine one except for the 97 RAK bytes
        byte[] want = genuine.realmToken().payload();
        byte[] got = t.realmToken().payload();
        assertEquals(want.length, got.length);
        int rakAt = TamperAndBindingTest.indexOf(want, genuine.realmClaims().rakPublicKey());
        System.arraycopy(genuine.realmClaims().rakPublicKey(), 0, got, rakAt, 97);
        assertArrayEquals(want, got);
    }

    @Test
    public void rakPrivateKeyMustMatchTheRealmClaim() throws Exception {
        CcaToken genuine = CcaToken.parse(GenuineTokenTest.token());
        KeyPair mine = ec("secp384r1");
        try {
            signer.sign(genuine.realmClaims(), genuine.platformClaims(), mine.getPrivate(), mine.getPrivate());
            fail("signed with a RAK that is not the claimed one");
        } catch (CcaTokenException e) {
            assertEquals("rak: private key does not match realm claim 44237 (RAK public key)", e.getMessage());
        }
    }

    @Test
    public void badClaimsAreRejectedNamingTheClaim() throws Exception {
        KeyPair rak = ec("secp384r1");
        RealmClaims rc = realm(null, CcaKeys.rawPoint((ECPublicKey) rak.getPublic())).withChallenge(new byte[32]);
        try {
            signer.sign(rc, platform(PlatformClaims.PROFILE_LEGACY), rak.getPrivate(), rak.getPrivate());
            fail();
        } catch (CcaTokenException e) {
            assertEquals("realm claim 10 (challenge): expected 64 bytes, got 32", e.getMessage());
        }
        try {
            signer.sign(rc, platform(PlatformClaims.PROFILE_LEGACY), null, rak.getPrivate());
            fail();
        } catch (CcaTokenException e) {
            assertEquals("rak: null", e.getMessage());
        }
        RealmClaims badRak = realm(null, new byte[] {0x04, 1, 2});
        try {
            signer.sign(badRak, platform(PlatformClaims.PROFILE_LEGACY), rak.getPrivate(), rak.getPrivate());
            fail();
        } catch (CcaTokenException e) {
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage(), e.getMessage().startsWith("realm claim 44237 (RAK public key): raw point"));
        }
    }

    @Test
    public void unknownProfileFailsTheProfileCheck() throws Exception {
        KeyPair rak = ec("secp384r1");
        KeyPair cpak = ec("secp384r1");
        byte[] token = signer.sign(realm("tag:example.com,2026:realm#9", CcaKeys.coseKey((ECPublicKey) rak.getPublic())),
                platform(PlatformClaims.PROFILE_2023), rak.getPrivate(), cpak.getPrivate());
        CcaTokenVerifier.Result r = verifier.verify(token, cpak.getPublic(), null);
        assertEquals(List.of(r.check(CcaTokenVerifier.PROFILE)), r.failures());
        token = signer.sign(realm(null, CcaKeys.rawPoint((ECPublicKey) rak.getPublic())),
                platform("http://example.com/psa"), rak.getPrivate(), cpak.getPrivate());
        r = verifier.verify(token, cpak.getPublic(), null);
        assertEquals(List.of(r.check(CcaTokenVerifier.PROFILE)), r.failures());
        assertTrue(r.check(CcaTokenVerifier.PROFILE).reason().contains("unknown platform profile"));
    }
}
