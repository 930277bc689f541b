package io.teebox.attestation.gcp.internal;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * The emulated attestation service's token key and PKI: an RSA-2048 signing key (RS256, {@code kid} the SHA-1 of its
 * SubjectPublicKeyInfo in hex, 40 characters as Google's are) and an emulated "Confidential Space" root and
 * intermediate CA whose chain PKI tokens carry in {@code x5c} (leaf, intermediate, root). All are made on first start
 * and kept in the state directory ({@code gcp/attestation-pki.json}), so tokens verify across restarts.
 */
final class GcpSigner {

    /** The kept file's name. */
    static final String KEPT = "attestation-pki.json";

    private final RSAKey key;
    private final List<X509Certificate> chain;
    private final RSASSASigner signer;
    private final RSASSAVerifier verifier;

    GcpSigner(RSAPrivateKey privateKey, List<X509Certificate> chain) {
        if (chain.size() != 3) {
            throw new IllegalArgumentException("the PKI chain must be leaf, intermediate and root, got " + chain.size()
                    + " certificates");
        }
        this.chain = List.copyOf(chain);
        RSAPublicKey pub = (RSAPublicKey) chain.get(0).getPublicKey();
        if (!pub.getModulus().equals(privateKey.getModulus())) {
            throw new IllegalArgumentException("the signing certificate does not certify the signing key");
        }
        this.key = new RSAKey.Builder(pub).privateKey(privateKey).keyID(kid(pub)).keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256).build();
        this.signer = new RSASSASigner(privateKey);
        try {
            this.verifier = new RSASSAVerifier(pub);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the token key is unusable: " + e.getMessage(), e);
        }
    }

    /**
     * @param kept the platform state's {@code kept("gcp", name, create)}
     * @return the kept signer, made on first call
     * @throws IllegalStateException if the kept file does not parse, naming what is wrong
     */
    static GcpSigner kept(BiFunction<String, Supplier<byte[]>, byte[]> kept) {
        byte[] json = kept.apply(KEPT, () -> generate().getBytes(StandardCharsets.UTF_8));
        try {
            JsonObject o = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
            List<X509Certificate> chain = new ArrayList<>();
            for (String part : List.of("signer", "intermediate", "root")) {
                chain.add(certificate(Base64.getDecoder().decode(o.getAsJsonObject(part).get("certificate")
                        .getAsString())));
            }
            byte[] pkcs8 = Base64.getDecoder().decode(o.getAsJsonObject("signer").get("key").getAsString());
            RSAPrivateKey k = (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(
                    new PKCS8EncodedKeySpec(pkcs8));
            return new GcpSigner(k, chain);
        } catch (RuntimeException | GeneralSecurityException e) {
            throw new IllegalStateException("the kept attestation PKI gcp/" + KEPT + " does not parse: " + e, e);
        }
    }

    /** @return a new PKI as the kept JSON: each of root, intermediate, signer with its PKCS#8 key and DER cert */
    static String generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair root = g.generateKeyPair();
            KeyPair intermediate = g.generateKeyPair();
            KeyPair leaf = g.generateKeyPair();
            Instant now = Instant.now().minus(Duration.ofDays(1));
            X500Name rootName = new X500Name("CN=Confidential Space Root (teebox emulation),O=teebox,C=US");
            X500Name intName = new X500Name("CN=Confidential Space Intermediate (teebox emulation),O=teebox,C=US");
            X500Name leafName = new X500Name("CN=confidentialcomputing.googleapis.com (teebox emulation),O=teebox,"
                    + "C=US");
            X509Certificate rootCert = issue(rootName, root, rootName, root.getPublic(), now, 30, 1, KeyUsage.keyCertSign
                    | KeyUsage.cRLSign, null);
            X509Certificate intCert = issue(rootName, root, intName, intermediate.getPublic(), now, 20, 0,
                    KeyUsage.keyCertSign | KeyUsage.cRLSign, rootCert);
            X509Certificate leafCert = issue(intName, intermediate, leafName, leaf.getPublic(), now, 10, -1,
                    KeyUsage.digitalSignature, intCert);
            JsonObject o = new JsonObject();
            o.add("root", part(root.getPrivate(), rootCert));
            o.add("intermediate", part(intermediate.getPrivate(), intCert));
            o.add("signer", part(leaf.getPrivate(), leafCert));
            return o.toString();
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot make the attestation PKI: " + e.getMessage(), e);
        }
    }

    private static JsonObject part(PrivateKey k, X509Certificate c) throws GeneralSecurityException {
        JsonObject o = new JsonObject();
        o.addProperty("key", Base64.getEncoder().encodeToString(k.getEncoded()));
        o.addProperty("certificate", Base64.getEncoder().encodeToString(c.getEncoded()));
        return o;
    }

    private static X509Certificate issue(X500Name issuer, KeyPair issuerKey, X500Name subject, PublicKey subjectKey,
            Instant from, int years, int pathLen, int usage, X509Certificate issuerCert)
            throws GeneralSecurityException, OperatorCreationException, java.io.IOException {
        byte[] serial = new byte[16];
        new java.security.SecureRandom().nextBytes(serial);
        serial[0] &= 0x7F;
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(1, serial),
                Date.from(from), Date.from(from.plus(Duration.ofDays(365L * years))), subject, subjectKey);
        JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, pathLen < 0 ? new BasicConstraints(false)
                : new BasicConstraints(pathLen));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        b.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(subjectKey));
        b.addExtension(Extension.authorityKeyIdentifier, false, issuerCert == null
                ? u.createAuthorityKeyIdentifier(issuerKey.getPublic()) : u.createAuthorityKeyIdentifier(issuerCert));
        byte[] der = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey.getPrivate())).getEncoded();
        return certificate(der);
    }

    static X509Certificate certificate(byte[] der) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(der));
    }

    private static String kid(PublicKey k) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(k.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the key id */
    String keyId() {
        return key.getKeyID();
    }

    /** @return the chain, leaf first */
    List<X509Certificate> chain() {
        return chain;
    }

    /** @return the root, as {@code /.well-known/attestation-pki-root} serves it (PEM) */
    String rootPem() {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(chain.get(2).getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the JWKS with the public key */
    String jwks() {
        return new JWKSet(key.toPublicJWK()).toString(true);
    }

    /**
     * @param claims the claims, in order
     * @param pki whether the token is a PKI token (header {@code x5c}: leaf, intermediate, root)
     * @return the compact JWS, RS256 with {@code kid} and {@code typ} JWT
     */
    String sign(Map<String, Object> claims, boolean pki) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
        claims.forEach(b::claim);
        JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
        if (pki) {
            List<com.nimbusds.jose.util.Base64> x5c = new ArrayList<>();
            try {
                for (X509Certificate c : chain) {
                    x5c.add(com.nimbusds.jose.util.Base64.encode(c.getEncoded()));
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            h.x509CertChain(x5c);
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
     * Checks a token's signature as a relying party holding the JWKS does.
     *
     * @param token the compact JWS
     * @return the parsed token
     * @throws GcpError UNAUTHENTICATED naming what is wrong
     */
    SignedJWT verifySignature(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token == null ? "" : token.trim());
        } catch (ParseException e) {
            throw GcpError.unauthenticated("the attestation token is not a compact JWS: " + e.getMessage());
        }
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            throw GcpError.unauthenticated("the attestation token's alg is " + jwt.getHeader().getAlgorithm()
                    + ", expected RS256");
        }
        if (!key.getKeyID().equals(jwt.getHeader().getKeyID())) {
            throw GcpError.unauthenticated("the attestation token's kid " + jwt.getHeader().getKeyID()
                    + " is not the attestation service's key " + key.getKeyID());
        }
        try {
            if (!jwt.verify(verifier)) {
                throw GcpError.unauthenticated("the attestation token's signature does not verify with key "
                        + key.getKeyID());
            }
        } catch (JOSEException e) {
            throw GcpError.unauthenticated("the attestation token cannot be verified: " + e.getMessage());
        }
        return jwt;
    }
}
