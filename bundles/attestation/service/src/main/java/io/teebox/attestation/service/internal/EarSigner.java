package io.teebox.attestation.service.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.text.ParseException;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.kit.crypto.BouncyCastle;
import io.teebox.kit.crypto.Signatures;

/**
 * The service's token signing key, an ECDSA P-384 key (ES384: JWS signatures are raw r‖s), made on first start and
 * kept in the platform's state directory, so tokens verify across restarts. Its id is its RFC 7638 thumbprint.
 */
final class EarSigner {

    private final ECKey key;
    private final JWSSigner signer;

    /** @param key a private P-384 key with its id */
    EarSigner(ECKey key) {
        if (!key.isPrivate() || !Curve.P_384.equals(key.getCurve())) {
            throw new IllegalArgumentException("the EAR signing key must be a private P-384 key");
        }
        this.key = key;
        try {
            this.signer = new Es384(key.toECPrivateKey());
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalStateException("the EAR signing key is unusable: " + e.getMessage(), e);
        }
    }

    /**
     * ES384 with Bouncy Castle's ECDSA (fixed-point comb multiplication) on a key translated to BC once, through the
     * kit's per-thread {@code Signature}s: Nimbus' {@code ECDSASigner} goes through the JDK's SunEC, whose P-384
     * signing was 42-45 % of a token's service time; the signature is the same JWS (raw r‖s, 48 bytes each).
     */
    private static final class Es384 implements JWSSigner {
        private final PrivateKey bcKey;
        private final JCAContext jca = new JCAContext();

        Es384(ECPrivateKey key) throws GeneralSecurityException {
            this.bcKey = (PrivateKey) KeyFactory.getInstance("EC", BouncyCastle.provider()).translateKey(key);
        }

        @Override
        public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
            if (!JWSAlgorithm.ES384.equals(header.getAlgorithm())) {
                throw new JOSEException("the EAR signer signs ES384 only, not " + header.getAlgorithm());
            }
            BigInteger[] rs = Signatures.ecdsaSign(bcKey, "SHA-384", signingInput);
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

    /** @return the key id */
    String keyId() {
        return key.getKeyID();
    }

    /** @return the public key */
    ECKey publicKey() {
        return key.toPublicJWK();
    }

    /** @return the JWKS with the public key, as {@code /.well-known/jwks.json} serves it */
    String jwks() {
        return new JWKSet(publicKey()).toString(true);
    }

    /**
     * @param claims the token's claims
     * @return the JWS compact serialization, header {@code alg} ES384, {@code typ} JWT, {@code kid} and {@code jwk}
     */
    String sign(Map<String, Object> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        claims.forEach(b::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).jwk(publicKey()).build(), b.build());
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
