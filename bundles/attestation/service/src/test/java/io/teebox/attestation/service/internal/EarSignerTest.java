package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.X509CertUtils;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;

/** The token signature made with Bouncy Castle is a JWS ES384 that the JDK's verifier (through Nimbus) accepts. */
public class EarSignerTest {

    private final EarSigner signer = new EarSigner(EarSigner.generate());

    @Test
    public void signsEs384WithRawRsThatAnIndependentVerifierAccepts() throws Exception {
        for (int i = 0; i < 20; i++) {
            String token = signer.sign(Map.of("iat", 1_700_000_000L + i, "eat_nonce", "n" + i));
            SignedJWT jwt = SignedJWT.parse(token);
            assertEquals(JWSAlgorithm.ES384, jwt.getHeader().getAlgorithm());
            assertEquals(signer.keyId(), jwt.getHeader().getKeyID());
            assertEquals(96, jwt.getSignature().decode().length);
            assertTrue(jwt.verify(new ECDSAVerifier(signer.publicKey().toECPublicKey())));
            assertTrue(EarSigner.verifies(token, signer.publicKey()));
        }
    }

    @Test
    public void aChangedByteOrAnotherKeyFails() {
        String token = signer.sign(Map.of("iat", 1_700_000_000L));
        int dot = token.lastIndexOf('.');
        for (int at : new int[] {3, dot - 2, dot + 5, token.length() - 3}) {
            char c = token.charAt(at);
            String bad = token.substring(0, at) + (c == 'A' ? 'B' : 'A') + token.substring(at + 1);
            assertFalse("changed at " + at, EarSigner.verifies(bad, signer.publicKey()));
        }
        assertFalse(EarSigner.verifies(token, new EarSigner(EarSigner.generate()).publicKey()));
    }

    private static final Instant NOW = Instant.now();
    private final X509Authority root = X509Authority.builder().subject("CN=teebox test AS root")
            .keyPair(EcKeys.generate("P-384")).serial(BigInteger.ONE)
            .validity(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)))
            .signatureAlgorithm(X509Authority.ECDSA_SHA384).ca(1)
            .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).selfSigned();
    private final KeyPair leafKeys = EcKeys.generate("P-384");
    private final X509Certificate leaf = leaf(root, leafKeys, NOW.plus(Duration.ofDays(10)));

    private static X509Certificate leaf(X509Authority ca, KeyPair keys, Instant until) {
        return ca.issue().subject("CN=teebox test AS signer").publicKey(keys.getPublic()).serial(BigInteger.TWO)
                .validity(NOW.minus(Duration.ofHours(1)), until).signatureAlgorithm(X509Authority.ECDSA_SHA384)
                .endEntity().keyUsage(KeyUsageBit.DIGITAL_SIGNATURE).buildCertificate();
    }

    @Test
    public void aConfiguredChainGoesIntoTheHeaderAsX5cAndIntoTheJwks() throws Exception {
        EarSigner s = EarSigner.configured(X509Authority.toPem(leafKeys.getPrivate()),
                X509Authority.toPem(leaf, root.certificate()));
        SignedJWT jwt = SignedJWT.parse(s.sign(Map.of("iat", 1L)));
        List<com.nimbusds.jose.util.Base64> x5c = jwt.getHeader().getX509CertChain();
        assertEquals(2, x5c.size());
        assertEquals(leaf, X509CertUtils.parse(x5c.get(0).decode()));
        assertEquals(root.certificate(), X509CertUtils.parse(x5c.get(1).decode()));
        // a relying party that trusts only the root: the leaf from x5c verifies the token
        X509Certificate fromHeader = X509CertUtils.parse(x5c.get(0).decode());
        fromHeader.verify(root.publicKey());
        assertTrue(jwt.verify(new ECDSAVerifier((java.security.interfaces.ECPublicKey) fromHeader.getPublicKey())));
        ECKey inJwks = (ECKey) JWKSet.parse(s.jwks()).getKeys().get(0);
        assertEquals(x5c, inJwks.getX509CertChain());
        assertFalse(inJwks.isPrivate());
    }

    /** A key as {@code openssl ecparam -genkey} writes it (SEC1 "EC PRIVATE KEY"), its certificate issued here. */
    @Test
    public void takesAnOpensslSec1Key() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ear-signer");
        java.nio.file.Path key = dir.resolve("as.key");
        java.nio.file.Path pub = dir.resolve("as.pub");
        run("openssl", "ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", key.toString());
        run("openssl", "ec", "-in", key.toString(), "-pubout", "-out", pub.toString());
        String keyPem = java.nio.file.Files.readString(key);
        assertTrue(keyPem, keyPem.startsWith("-----BEGIN EC PRIVATE KEY-----"));
        java.security.PublicKey pk;
        try (var parser = new org.bouncycastle.openssl.PEMParser(java.nio.file.Files.newBufferedReader(pub))) {
            pk = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPublicKey(
                    (org.bouncycastle.asn1.x509.SubjectPublicKeyInfo) parser.readObject());
        }
        X509Certificate c = root.issue().subject("CN=openssl key").publicKey(pk).serial(BigInteger.TEN)
                .validity(NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)))
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).endEntity().buildCertificate();
        EarSigner s = EarSigner.configured(keyPem, X509Authority.toPem(c, root.certificate()));
        assertTrue(SignedJWT.parse(s.sign(Map.of("iat", 2L))).verify(
                new ECDSAVerifier((java.security.interfaces.ECPublicKey) pk)));
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(String.join(" ", command) + ": " + out, 0, p.waitFor());
    }

    @Test
    public void aKeyAndChainThatDoNotBelongTogetherAreRefusedByName() {
        String key = X509Authority.toPem(leafKeys.getPrivate());
        refused("signing.certificates: the first certificate (CN=teebox test AS signer) is for another key than "
                + "signing.key", X509Authority.toPem(EcKeys.generate("P-384").getPrivate()),
                X509Authority.toPem(leaf, root.certificate()));
        X509Authority other = X509Authority.builder().subject("CN=other").keyPair(EcKeys.generate("P-384"))
                .serial(BigInteger.ONE).validity(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)))
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).ca(1).selfSigned();
        refused("signing.certificates: CN=teebox test AS signer is not signed by CN=other", key,
                X509Authority.toPem(leaf, other.certificate()));
        refused("signing.certificates: holds no PEM certificate", key, "");
        refused("signing.key: holds no unencrypted private key (no PEM block)", "", X509Authority.toPem(leaf));
        KeyPair p256 = EcKeys.generate("P-256");
        assertTrue(message(X509Authority.toPem(p256.getPrivate()), X509Authority.toPem(leaf))
                .startsWith("signing.key: must be a P-384 EC key (ES384)"));
        X509Certificate expired = leaf(root, leafKeys, NOW.minus(Duration.ofMinutes(1)));
        assertTrue(message(key, X509Authority.toPem(expired, root.certificate()))
                .startsWith("signing.certificates: CN=teebox test AS signer is outside its validity"));
    }

    private static void refused(String expected, String key, String chain) {
        assertEquals(expected, message(key, chain));
    }

    private static String message(String key, String chain) {
        try {
            EarSigner.configured(key, chain);
            throw new AssertionError("accepted");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
