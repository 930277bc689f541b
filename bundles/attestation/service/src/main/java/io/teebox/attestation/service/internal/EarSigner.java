package io.teebox.attestation.service.internal;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.kit.crypto.BouncyCastle;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.lang.Lazy;
import io.teebox.kit.x509.X509Authority;

/**
 * The service's token signing key, an ECDSA P-384 key (ES384: JWS signatures are raw r‖s), made on first start and
 * kept in the platform's state directory, so tokens verify across restarts. Its id is its RFC 7638 thumbprint.
 */
final class EarSigner {

    private final ECKey key;
    private final JWSSigner signer;
    private final List<Base64> chain;

    /** @param key a private P-384 key with its id */
    EarSigner(ECKey key) {
        this(key, List.of());
    }

    private EarSigner(ECKey key, List<X509Certificate> certificates) {
        if (!key.isPrivate() || !Curve.P_384.equals(key.getCurve())) {
            throw new IllegalArgumentException("the EAR signing key must be a private P-384 key");
        }
        this.key = key;
        List<Base64> der = new ArrayList<>();
        for (X509Certificate c : certificates) {
            try {
                der.add(Base64.encode(c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("a certificate of the chain does not encode: " + e.getMessage(), e);
            }
        }
        this.chain = List.copyOf(der);
        try {
            this.signer = new Es384(key.toECPrivateKey());
        } catch (JOSEException e) {
            throw new IllegalStateException("the EAR signing key is unusable: " + e.getMessage(), e);
        }
    }

    /**
     * ES384 with Bouncy Castle's ECDSA (fixed-point comb multiplication) on a key translated to BC once, through the
     * kit's per-thread {@code Signature}s: Nimbus' {@code ECDSASigner} goes through the JDK's SunEC, whose P-384
     * signing was 42-45 % of a token's service time; the signature is the same JWS (raw r‖s, 48 bytes each).
     */
    private static final class Es384 implements JWSSigner {
        /** Translated at the first token: loading BC's EC classes is a fifth of a second off the start path. */
        private final Lazy<PrivateKey> bcKey;
        private final JCAContext jca = new JCAContext();

        Es384(ECPrivateKey key) {
            this.bcKey = Lazy.of(() -> {
                try {
                    return (PrivateKey) KeyFactory.getInstance("EC", BouncyCastle.provider()).translateKey(key);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("the EAR signing key is unusable: " + e.getMessage(), e);
                }
            });
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            if (!JWSAlgorithm.ES384.equals(header.getAlgorithm())) {
                throw new JOSEException("the EAR signer signs ES384 only, not " + header.getAlgorithm());
            }
            BigInteger[] rs = Signatures.ecdsaSign(bcKey.get(), "SHA-384", signingInput);
            return Base64URL.encode(Signatures.toRaw(rs[0], rs[1], 48));
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            return Set.of(JWSAlgorithm.ES384);
        }

        @Override
        public JCAContext getJCAContext() {
            return jca;
        }
    }

    /** @return a new key (for tests and first start) */
    static ECKey generate() {
        try {
            ECKey k = new ECKeyGenerator(Curve.P_384).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES384)
                    .generate();
            return new ECKey.Builder(k).keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make a P-384 key: " + e.getMessage(), e);
        }
    }

    /**
     * @param kept the platform state's {@code kept(platform, name, create)}: the key as a private JWK, created once
     * @return the signer of the kept key
     * @throws IllegalStateException if the kept key does not parse
     */
    static EarSigner kept(BiFunction<String, Supplier<byte[]>, byte[]> kept) {
        byte[] jwk = kept.apply("ear-signing-key.jwk",
                () -> generate().toJSONString().getBytes(StandardCharsets.UTF_8));
        try {
            return new EarSigner(ECKey.parse(new String(jwk, StandardCharsets.UTF_8)));
        } catch (ParseException | IllegalArgumentException e) {
            throw new IllegalStateException("the kept EAR signing key does not parse: " + e.getMessage(), e);
        }
    }

    /**
     * The signing key and certificate chain an operator configured (as Trustee's attestation service takes
     * {@code key_path} and {@code cert_path}): tokens then carry the chain as {@code x5c} in their header and the
     * JWKS key too, so relying parties can trust the token through a root instead of a pinned key.
     *
     * @param keyPem the private key, PEM ({@code EC PRIVATE KEY} or PKCS#8 {@code PRIVATE KEY}), P-384
     * @param chainPem the certificates, PEM, leaf first: the leaf certifies the key, each is signed by the next
     * @return the signer
     * @throws IllegalArgumentException naming what is wrong: no key, another curve, no certificate, a leaf for another
     *         key, a certificate not signed by the next, one outside its validity
     */
    static EarSigner configured(String keyPem, String chainPem) {
        ECPrivateKey priv = privateKey(keyPem);
        List<X509Certificate> certs;
        try {
            certs = X509Authority.certificatesFromPem(chainPem);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("signing.certificates: not PEM certificates: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("signing.certificates: holds no PEM certificate");
        }
        if (!(certs.get(0).getPublicKey() instanceof ECPublicKey pub)
                || !Curve.P_384.equals(Curve.forECParameterSpec(pub.getParams()))) {
            throw new IllegalArgumentException("signing.certificates: the first certificate ("
                    + certs.get(0).getSubjectX500Principal().getName() + ") holds no P-384 key");
        }
        BigInteger[] rs = Signatures.ecdsaSign(priv, "SHA-384", PROOF);
        if (!Signatures.ecdsaVerify(pub, "SHA-384", PROOF, rs[0], rs[1])) {
            throw new IllegalArgumentException("signing.certificates: the first certificate ("
                    + certs.get(0).getSubjectX500Principal().getName() + ") is for another key than signing.key");
        }
        for (int i = 0; i < certs.size(); i++) {
            X509Certificate c = certs.get(i);
            X509Certificate issuer = i + 1 < certs.size() ? certs.get(i + 1) : c;
            String name = c.getSubjectX500Principal().getName();
            try {
                c.checkValidity();
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("signing.certificates: " + name + " is outside its validity ("
                        + c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant() + ")", e);
            }
            if (i + 1 < certs.size() || c.getIssuerX500Principal().equals(c.getSubjectX500Principal())) {
                try {
                    c.verify(issuer.getPublicKey(), BouncyCastle.provider());
                } catch (GeneralSecurityException e) {
                    throw new IllegalArgumentException("signing.certificates: " + name + " is not signed by "
                            + issuer.getSubjectX500Principal().getName(), e);
                }
            }
        }
        try {
            ECKey jwk = new ECKey.Builder(Curve.P_384, pub).privateKey(priv).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES384).keyIDFromThumbprint().build();
            return new EarSigner(jwk, certs);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("signing.key: " + e.getMessage(), e);
        }
    }

    /** Signed with the configured key and verified with the leaf's: they are one pair. */
    private static final byte[] PROOF = "teebox EAR signing key proof".getBytes(StandardCharsets.US_ASCII);

    private static ECPrivateKey privateKey(String pem) {
        Object o;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            o = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("signing.key: not a PEM private key: " + e.getMessage(), e);
        }
        PrivateKeyInfo info = o instanceof PEMKeyPair kp ? kp.getPrivateKeyInfo()
                : o instanceof PrivateKeyInfo pki ? pki : null;
        if (info == null) {
            throw new IllegalArgumentException("signing.key: holds no unencrypted private key ("
                    + (o == null ? "no PEM block" : o.getClass().getSimpleName()) + ")");
        }
        PrivateKey k;
        try {
            k = new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException e) {
            throw new IllegalArgumentException("signing.key: unreadable private key: " + e.getMessage(), e);
        }
        if (!(k instanceof ECPrivateKey ec) || !Curve.P_384.equals(Curve.forECParameterSpec(ec.getParams()))) {
            throw new IllegalArgumentException("signing.key: must be a P-384 EC key (ES384), not "
                    + k.getAlgorithm() + (k instanceof ECPrivateKey e2 ? " on " + e2.getParams() : ""));
        }
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC").translateKey(k);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("signing.key: " + e.getMessage(), e);
        }
    }

    /** @return the certificate chain configured with the key, leaf first (empty for the kept key) */
    List<Base64> chain() {
        return chain;
    }

    /** @return the key id */
    String keyId() {
        return key.getKeyID();
    }

    /** @return the public key */
    ECKey publicKey() {
        ECKey pub = key.toPublicJWK();
        return chain.isEmpty() ? pub : new ECKey.Builder(pub).x509CertChain(chain).build();
    }

    /** @return the JWKS with the public key, as {@code /.well-known/jwks.json} serves it */
    String jwks() {
        return new JWKSet(publicKey()).toString(true);
    }

    /**
     * @param claims the token's claims
     * @return the JWS compact serialization, header {@code alg} ES384, {@code typ} JWT, {@code kid}, {@code jwk}
     *         and, with a configured chain, {@code x5c}
     */
    String sign(Map<String, Object> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        claims.forEach(b::claim);
        JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).jwk(key.toPublicJWK());
        if (!chain.isEmpty()) {
            h.x509CertChain(chain);
        }
        SignedJWT jwt = new SignedJWT(h.build(), b.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the token failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /**
     * Verifies a token against a public key, as a relying party does.
     *
     * @param token the compact JWS
     * @param publicKey the key
     * @return true if it parses, is ES384 and its signature verifies
     */
    static boolean verifies(String token, ECKey publicKey) {
        try {
            SignedJWT jwt = SignedJWT.parse(token.trim());
            return JWSAlgorithm.ES384.equals(jwt.getHeader().getAlgorithm())
                    && jwt.verify(new ECDSAVerifier(publicKey.toECPublicKey()));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return false;
        }
    }
}
