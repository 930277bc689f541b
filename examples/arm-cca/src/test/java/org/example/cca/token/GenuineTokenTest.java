package org.example.cca.token;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.Test;

/** The genuine TF-RMM sample (veraison/ccatoken realm/testvectors/tf-rmm, see the resources README). */
public class GenuineTokenTest {
    static byte[] resource(String name) {
        try (InputStream in = GenuineTokenTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] token() {
        return resource("cca_token.cbor");
    }

    static PublicKey cpak() {
        return CcaKeys.publicKeyFromPem(resource("cca_platform.pub"));
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    public void sampleIsTheDocumentedFile() throws Exception {
        byte[] t = token();
        assertEquals(1222, t.length);
        assertEquals("b40be114ea600d2149df6c44a1dddb512083d78d0111196bae378aafd8a4a222",
                HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(t)));
    }

    @Test
    public void genuineTokenVerifiesWithPublishedCpak() {
        byte[] ab = new byte[64];
        Arrays.fill(ab, (byte) 0xab);
        CcaTokenVerifier.Result r = new CcaTokenVerifier().verify(token(), cpak(), ab);
        assertTrue(r.toString(), r.passed());
        for (CcaTokenVerifier.Check c : r.checks()) {
            assertEquals(c.toString(), CcaTokenVerifier.Status.PASS, c.status());
        }
        assertEquals(List.of("structure", "platform-signature", "realm-signature", "binding", "realm-challenge",
                "profile"), r.checks().stream().map(CcaTokenVerifier.Check::name).toList());
    }

    @Test
    public void genuineClaimValuesAreTheDocumentedFacts() {
        CcaToken t = CcaToken.parse(token());
        assertEquals(CoseSign1.ES384, t.platformToken().alg());
        assertEquals(CoseSign1.ES384, t.realmToken().alg());
        assertArrayEquals(hex("a10138 22".replace(" ", "")), t.platformToken().protectedHeader());
        assertEquals(96, t.platformToken().signature().length);
        assertEquals(96, t.realmToken().signature().length);
        assertTrue(t.platformToken().unprotectedHeader().isEmpty());

        RealmClaims r = t.realmClaims();
        byte[] ab = new byte[64];
        Arrays.fill(ab, (byte) 0xab);
        assertArrayEquals(ab, r.challenge());
        assertNull(r.profile());
        assertTrue(new String(r.personalizationValue(), java.nio.charset.StandardCharsets.US_ASCII)
                .startsWith("The quick brown fox jumps over 13 lazy dogs.The qu"));
        assertEquals("sha-256", r.hashAlgId());
        assertEquals("sha-256", r.rakHashAlgId());
        assertArrayEquals(new byte[32], r.initialMeasurement());
        assertEquals(4, r.extensibleMeasurements().size());
        for (byte[] rem : r.extensibleMeasurements()) {
            assertArrayEquals(new byte[32], rem);
        }
        assertEquals(97, r.rakPublicKey().length);
        assertEquals(0x04, r.rakPublicKey()[0]);

        PlatformClaims p = t.platformClaims();
        assertEquals(PlatformClaims.PROFILE_LEGACY, p.profile());
        byte[] ch = p.challenge();
        assertEquals("b5973cb6", HexFormat.of().formatHex(ch, 0, 4));
        assertEquals("87a011ea", HexFormat.of().formatHex(ch, 28, 32));
        assertArrayEquals(CcaKeys.rakHash(r.rakPublicKey(), "sha-256"), ch);
        assertEquals("7f454c46", HexFormat.of().formatHex(p.implementationId(), 0, 4));
        assertEquals(33, p.instanceId().length);
        assertEquals(0x01, p.instanceId()[0]);
        assertEquals(0x3003, p.lifecycle());
        assertEquals("whatever.com", p.verificationService());
        assertEquals("sha-256", p.hashAlgId());
        assertEquals(33, p.config().length);
        List<SwComponent> sw = p.swComponents();
        assertEquals(List.of("BL", "M1", "M2", "M3"), sw.stream().map(SwComponent::type).toList());
        assertEquals(List.of("3.4.2", "1.2", "1.2.3", "1"), sw.stream().map(SwComponent::version).toList());
        assertEquals("sha-256", sw.get(0).hashAlgDesc());
        assertNull(sw.get(1).hashAlgDesc());
        for (SwComponent s : sw) {
            assertEquals(32, s.measurement().length);
            assertEquals(32, s.signerId().length);
        }
    }

    @Test
    public void roundTripIsByteExact() {
        byte[] bytes = token();
        CcaToken t = CcaToken.parse(bytes);
        assertArrayEquals(bytes, t.encode());
        assertArrayEquals(bytes, t.encoded());
        // each COSE_Sign1 re-encodes to the bstr it came from
        assertArrayEquals(Arrays.copyOfRange(bytes, 10, 10 + 0x293), t.platformToken().encode());
        assertArrayEquals(Arrays.copyOfRange(bytes, 10 + 0x293 + 6, bytes.length), t.realmToken().encode());
    }

    @Test
    public void reEncodingTheClaimsReproducesThePayloadBytes() {
        CcaToken t = CcaToken.parse(token());
        assertArrayEquals(t.platformToken().payload(), CcaToken.encodePlatformClaims(t.platformClaims()));
        assertArrayEquals(t.realmToken().payload(), CcaToken.encodeRealmClaims(t.realmClaims()));
        // and the claims parsed back from the re-encoding are equal
        assertEquals(t.realmClaims(), CcaToken.parseRealmClaims(CcaToken.encodeRealmClaims(t.realmClaims())));
        assertEquals(t.platformClaims(),
                CcaToken.parsePlatformClaims(CcaToken.encodePlatformClaims(t.platformClaims())));
    }
}
