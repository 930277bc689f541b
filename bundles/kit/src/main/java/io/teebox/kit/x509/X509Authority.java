package io.teebox.kit.x509;

import io.teebox.kit.crypto.BouncyCastle;
import io.teebox.kit.crypto.EcKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate together with its private key: a certificate authority that issues certificates and CRLs, or a
 * leaf identity. Built on Bouncy Castle, for emulated vendor key hierarchies:
 *
 * <pre>{@code
 * X509Authority ark = X509Authority.builder()
 *         .subject("OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN=ARK-Genoa")
 *         .keyPair(RsaKeys.generate(4096)).serial(BigInteger.ONE).validity(from, to)
 *         .signatureAlgorithm(X509Authority.RSA_PSS_SHA384).ca(1)
 *         .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
 *         .crlDistributionPoint("https://kdsintf.amd.com/vcek/v1/Genoa/crl")
 *         .selfSigned();
 * X509Authority ask = ark.issue().subject("..., CN=SEV-Genoa").keyPair(askKeys)...build();
 * X509Certificate vcek = ask.issue().subject("..., CN=SEV-VCEK").publicKey(vcekPublic)
 *         .extension("1.3.6.1.4.1.3704.1.2", false, ia5("Genoa")).buildCertificate();
 * X509CRL crl = ark.crl().crlNumber(BigInteger.ONE).revoke(BigInteger.TEN, revokedAt).build();
 * }</pre>
 *
 * Certificates carry only the extensions asked for, in the order asked for. Immutable and thread-safe.
 */
public final class X509Authority {

    /** RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48; the parameters in DER (the default trailer field left out). */
    public static final String RSA_PSS_SHA384 = "SHA384withRSAandMGF1";
    /**
     * RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48, with every parameter written out, including the trailer field
     * 1 that DER would leave out as the default: the AlgorithmIdentifier AMD's KDS puts in every ARK, ASK, ASVK,
     * VCEK and VLEK. Verifiers treat it like {@link #RSA_PSS_SHA384}.
     */
    public static final String RSA_PSS_SHA384_EXPLICIT = "SHA384withRSAandMGF1/explicit-trailer";
    /** ECDSA P-256 with SHA-256 (Intel SGX/TDX PKI). */
    public static final String ECDSA_SHA256 = "SHA256withECDSA";
    /** ECDSA with SHA-384. */
    public static final String ECDSA_SHA384 = "SHA384withECDSA";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    private X509Authority(X509Certificate certificate, PrivateKey privateKey) {
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    /**
     * Starts a certificate with no issuer yet: finish it with {@link CertificateBuilder#selfSigned()}.
     *
     * @return a new builder
     */
    public static CertificateBuilder builder() {
        return new CertificateBuilder(null);
    }

    /**
     * Wraps an existing certificate and its private key (loaded from files, for example).
     *
     * @param certificate the certificate
     * @param privateKey the private key matching the certificate's public key
     * @return the authority
     */
    public static X509Authority of(X509Certificate certificate, PrivateKey privateKey) {
        return new X509Authority(Objects.requireNonNull(certificate, "certificate"),
                Objects.requireNonNull(privateKey, "privateKey"));
    }

    /**
     * Starts a certificate issued (signed) by this authority.
     *
     * @return a new builder whose issuer is this authority
     */
    public CertificateBuilder issue() {
        return new CertificateBuilder(this);
    }

    /**
     * Starts a CRL issued by this authority.
     *
     * @return a new CRL builder
     */
    public CrlBuilder crl() {
        return new CrlBuilder(this);
    }

    /**
     * This authority's certificate.
     *
     * @return the certificate
     */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * This authority's private key.
     *
     * @return the private key
     */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /**
     * This authority's public key.
     *
     * @return the certificate's public key
     */
    public PublicKey publicKey() {
        return certificate.getPublicKey();
    }

    @Override
    public String toString() {
        return "X509Authority[" + certificate.getSubjectX500Principal().getName() + "]";
    }

    /**
     * The signature algorithm teebox uses by default for a signing key: ECDSA with SHA-256 for P-256, ECDSA with
     * SHA-384 for P-384, RSASSA-PSS SHA-384 for RSA.
     *
     * @param signingKey the issuer's public key
     * @return the algorithm name
     * @throws IllegalArgumentException for other key types
     */
    public static String defaultAlgorithm(PublicKey signingKey) {
        if (signingKey instanceof ECPublicKey) {
            return EcKeys.curveOf(signingKey).equals("P-256") ? ECDSA_SHA256 : ECDSA_SHA384;
        }
        if (signingKey instanceof RSAKey) {
            return RSA_PSS_SHA384;
        }
        throw new IllegalArgumentException("no default signature algorithm for a " + signingKey.getAlgorithm()
                + " key");
    }

    // ---------------------------------------------------------------- PEM and DER

    /**
     * PEM-encodes certificates, one block each, in the order given.
     *
     * @param certificates the certificates
     * @return the PEM text
     */
    public static String toPem(X509Certificate... certificates) {
        return pem((Object[]) certificates);
    }

    /**
     * PEM-encodes a CRL ("X509 CRL" block).
     *
     * @param crl the CRL
     * @return the PEM text
     */
    public static String toPem(X509CRL crl) {
        return pem(crl);
    }

    /**
     * PEM-encodes a private key as PKCS#8 ("PRIVATE KEY" block).
     *
     * @param key the private key
     * @return the PEM text
     */
    public static String toPem(PrivateKey key) {
        try {
            return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalArgumentException("cannot encode a " + key.getAlgorithm() + " private key", e);
        }
    }

    /**
     * Reads every certificate in PEM text, skipping other blocks.
     *
     * @param pem the PEM text
     * @return the certificates in order
     * @throws IllegalArgumentException if the text cannot be parsed
     */
    public static List<X509Certificate> certificatesFromPem(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(toCertificate(h));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Bouncy Castle reports bad base64 and malformed DER inside a block with unchecked exceptions too
            // (DecoderException, ASN1ParsingException)
            throw unparsable(e);
        }
        return out;
    }

    /**
     * Reads the first CRL in PEM text.
     *
     * @param pem the PEM text
     * @return the CRL
     * @throws IllegalArgumentException if the text holds no CRL or cannot be parsed
     */
    public static X509CRL crlFromPem(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CRLHolder h) {
                    return toCrl(h);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw unparsable(e);
        }
        throw new IllegalArgumentException("PEM text holds no X509 CRL block");
    }

    /**
     * The DER encoding of a certificate.
     *
     * @param certificate the certificate
     * @return its DER bytes
     */
    public static byte[] toDer(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode certificate", e);
        }
    }

    /**
     * The DER encoding of a CRL.
     *
     * @param crl the CRL
     * @return its DER bytes
     */
    public static byte[] toDer(X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (CRLException e) {
            throw new IllegalStateException("cannot encode CRL", e);
        }
    }

    /**
     * Decodes a DER certificate with the JDK's certificate factory.
     *
     * @param der the DER bytes
     * @return the certificate
     * @throws IllegalArgumentException if the bytes are not a certificate
     */
    public static X509Certificate certificateFromDer(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | ClassCastException | IllegalStateException e) {
            throw new IllegalArgumentException("not a DER certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Decodes a DER CRL.
     *
     * @param der the DER bytes
     * @return the CRL
     * @throws IllegalArgumentException if the bytes are not a CRL
     */
    public static X509CRL crlFromDer(byte[] der) {
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509")
                    .generateCRL(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | ClassCastException | IllegalStateException e) {
            throw new IllegalArgumentException("not a DER CRL: " + e.getMessage(), e);
        }
    }

    private static String pem(Object... objects) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    // Certificates and CRLs are returned as the JDK's own objects: their verify(PublicKey) then works for
    // RSASSA-PSS without Bouncy Castle registered as a provider, and the JDK's PKIX validator accepts them.
    private static IllegalArgumentException unparsable(Exception e) {
        if (e instanceof IllegalArgumentException iae) {
            return iae;
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
        return new IllegalArgumentException("cannot parse PEM: " + m, e);
    }

    private static X509Certificate toCertificate(X509CertificateHolder h) {
        try {
            return certificateFromDer(h.getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode certificate", e);
        }
    }

    private static X509CRL toCrl(X509CRLHolder h) {
        try {
            return crlFromDer(h.getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode CRL", e);
        }
    }

    private static ContentSigner signer(String algorithm, PrivateKey key) {
        boolean explicit = RSA_PSS_SHA384_EXPLICIT.equals(algorithm);
        ContentSigner s;
        try {
            s = new JcaContentSignerBuilder(explicit ? RSA_PSS_SHA384 : algorithm).setProvider(BouncyCastle.provider())
                    .build(key);
        } catch (OperatorCreationException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot sign with " + algorithm + " using a " + key.getAlgorithm()
                    + " key: " + e.getMessage(), e);
        }
        if (!explicit) {
            return s;
        }
        AlgorithmIdentifier id = explicitPss();
        return new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return id;
            }

            @Override
            public java.io.OutputStream getOutputStream() {
                return s.getOutputStream();
            }

            @Override
            public byte[] getSignature() {
                return s.getSignature();
            }
        };
    }

    /** RSASSA-PSS-params with all four fields explicit (RFC 4055 would omit trailerField 1). */
    private static AlgorithmIdentifier explicitPss() {
        AlgorithmIdentifier sha384 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384, DERNull.INSTANCE);
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(new DERTaggedObject(true, 0, sha384));
        v.add(new DERTaggedObject(true, 1, new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha384)));
        v.add(new DERTaggedObject(true, 2, new ASN1Integer(48)));
        v.add(new DERTaggedObject(true, 3, new ASN1Integer(1)));
        return new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, new DERSequence(v));
    }

    private static Date date(Instant t) {
        return new Date(t.toEpochMilli());
    }

    private static X500Name name(String dn) {
        try {
            return new X500Name(BCStyle.INSTANCE, dn);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad distinguished name '" + dn + "': " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- certificate builder

    /** Collects one certificate's contents. Not thread-safe; use once. */
    public static final class CertificateBuilder {
        private record Ext(ASN1ObjectIdentifier oid, boolean critical, byte[] value) {
        }

        private final X509Authority issuer;
        private String subject;
        private KeyPair keyPair;
        private PublicKey publicKey;
        private BigInteger serial;
        private Instant notBefore;
        private Instant notAfter;
        private String algorithm;
        private BasicConstraints basicConstraints;
        private Set<KeyUsageBit> keyUsage;
        private boolean keyUsageCritical = true;
        private String crlUri;
        private boolean subjectKeyId;
        private boolean authorityKeyId;
        private final java.util.Map<ASN1ObjectIdentifier, Ext> extensions = new java.util.HashMap<>();
        /** Every extension's OID in the order first asked for; asking again keeps the place. */
        private final java.util.LinkedHashSet<ASN1ObjectIdentifier> order = new java.util.LinkedHashSet<>();

        private CertificateBuilder(X509Authority issuer) {
            this.issuer = issuer;
        }

        /**
         * Sets the subject distinguished name. RDNs are encoded in the order written (the order openssl prints),
         * with Bouncy Castle's attribute names (C, ST, L, O, OU, CN, ...).
         *
         * @param dn e.g. "C=US, O=Intel Corporation, L=Santa Clara, ST=CA, CN=Intel SGX Root CA"
         * @return this builder
         */
        public CertificateBuilder subject(String dn) {
            this.subject = Objects.requireNonNull(dn, "dn");
            return this;
        }

        /**
         * Sets the subject key pair; {@link #build()} then returns an authority that can issue.
         *
         * @param keyPair the key pair
         * @return this builder
         */
        public CertificateBuilder keyPair(KeyPair keyPair) {
            this.keyPair = Objects.requireNonNull(keyPair, "keyPair");
            this.publicKey = keyPair.getPublic();
            return this;
        }

        /**
         * Sets only the subject public key (the private key stays elsewhere, as a VCEK's stays in the chip);
         * finish with {@link #buildCertificate()}.
         *
         * @param publicKey the subject public key
         * @return this builder
         */
        public CertificateBuilder publicKey(PublicKey publicKey) {
            this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
            this.keyPair = null;
            return this;
        }

        /**
         * Sets the serial number; by default a random positive 64-bit number. Zero is allowed because vendors use
         * it (AMD's KDS issues every VCEK with serial 0), although RFC 5280 asks for positive numbers.
         *
         * @param serial a non-negative serial number
         * @return this builder
         */
        public CertificateBuilder serial(BigInteger serial) {
            if (serial.signum() < 0) {
                throw new IllegalArgumentException("serial number must not be negative, found " + serial);
            }
            this.serial = serial;
            return this;
        }

        /**
         * Sets the validity period; by default now - 1 day to now + 25 years.
         *
         * @param from notBefore
         * @param to notAfter, after {@code from}
         * @return this builder
         */
        public CertificateBuilder validity(Instant from, Instant to) {
            if (!to.isAfter(from)) {
                throw new IllegalArgumentException("notAfter " + to + " is not after notBefore " + from);
            }
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        /**
         * Sets the signature algorithm; by default {@link X509Authority#defaultAlgorithm} of the issuer's key.
         *
         * @param algorithm {@link X509Authority#RSA_PSS_SHA384}, {@link X509Authority#ECDSA_SHA256} or
         *        {@link X509Authority#ECDSA_SHA384} (other Bouncy Castle names work too)
         * @return this builder
         */
        public CertificateBuilder signatureAlgorithm(String algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /**
         * Adds critical BasicConstraints CA:TRUE without a path length limit.
         *
         * @return this builder
         */
        public CertificateBuilder ca() {
            this.basicConstraints = new BasicConstraints(true);
            order.add(Extension.basicConstraints);
            return this;
        }

        /**
         * Adds critical BasicConstraints CA:TRUE with a path length limit.
         *
         * @param pathLength how many intermediate CAs may follow, at least 0
         * @return this builder
         */
        public CertificateBuilder ca(int pathLength) {
            if (pathLength < 0) {
                throw new IllegalArgumentException("path length " + pathLength + " is negative");
            }
            this.basicConstraints = new BasicConstraints(pathLength);
            order.add(Extension.basicConstraints);
            return this;
        }

        /**
         * Adds critical BasicConstraints CA:FALSE.
         *
         * @return this builder
         */
        public CertificateBuilder endEntity() {
            this.basicConstraints = new BasicConstraints(false);
            order.add(Extension.basicConstraints);
            return this;
        }

        /**
         * Adds a critical KeyUsage extension.
         *
         * @param bits the usages
         * @return this builder
         */
        public CertificateBuilder keyUsage(KeyUsageBit... bits) {
            this.keyUsage = bits.length == 0 ? EnumSet.noneOf(KeyUsageBit.class) : EnumSet.of(bits[0], bits);
            order.add(Extension.keyUsage);
            return this;
        }

        /**
         * Makes the KeyUsage extension non-critical (it is critical by default).
         *
         * @return this builder
         */
        public CertificateBuilder keyUsageNonCritical() {
            this.keyUsageCritical = false;
            return this;
        }

        /**
         * Adds a CRL distribution point with one URI.
         *
         * @param uri where the issuer's CRL is published
         * @return this builder
         */
        public CertificateBuilder crlDistributionPoint(String uri) {
            this.crlUri = Objects.requireNonNull(uri, "uri");
            order.add(Extension.cRLDistributionPoints);
            return this;
        }

        /**
         * Adds a SubjectKeyIdentifier (SHA-1 of the subject public key, RFC 5280 method 1).
         *
         * @return this builder
         */
        public CertificateBuilder subjectKeyId() {
            this.subjectKeyId = true;
            order.add(Extension.subjectKeyIdentifier);
            return this;
        }

        /**
         * Adds an AuthorityKeyIdentifier taken from the issuer (its SubjectKeyIdentifier if it has one, else the
         * SHA-1 of its public key).
         *
         * @return this builder
         */
        public CertificateBuilder authorityKeyId() {
            this.authorityKeyId = true;
            order.add(Extension.authorityKeyIdentifier);
            return this;
        }

        /**
         * Adds any extension.
         *
         * @param oid the extension OID, dotted
         * @param critical whether it is critical
         * @param value the extnValue contents (normally DER; written as given)
         * @return this builder
         */
        public CertificateBuilder extension(String oid, boolean critical, byte[] value) {
            ASN1ObjectIdentifier id = new ASN1ObjectIdentifier(oid);
            extensions.put(id, new Ext(id, critical, value.clone()));
            order.add(id);
            return this;
        }

        /**
         * Signs the certificate with its own key (a root).
         *
         * @return the root authority
         * @throws IllegalStateException if no subject or key pair was set, or this builder came from
         *         {@link X509Authority#issue()}
         */
        public X509Authority selfSigned() {
            if (issuer != null) {
                throw new IllegalStateException("this builder issues from " + issuer + "; use build()");
            }
            requireKeyPair();
            return new X509Authority(sign(), keyPair.getPrivate());
        }

        /**
         * Signs the certificate with the issuer's key and returns it with the subject's private key.
         *
         * @return the new authority or leaf identity
         * @throws IllegalStateException if no subject or key pair was set, or there is no issuer
         */
        public X509Authority build() {
            requireIssuer();
            requireKeyPair();
            return new X509Authority(sign(), keyPair.getPrivate());
        }

        /**
         * Signs the certificate with the issuer's key (subject key given by {@link #publicKey} or
         * {@link #keyPair}).
         *
         * @return the certificate
         * @throws IllegalStateException if no subject or public key was set, or there is no issuer
         */
        public X509Certificate buildCertificate() {
            requireIssuer();
            return sign();
        }

        private void requireIssuer() {
            if (issuer == null) {
                throw new IllegalStateException("no issuer: use X509Authority.issue(), or selfSigned() for a root");
            }
        }

        private void requireKeyPair() {
            if (keyPair == null) {
                throw new IllegalStateException("no key pair set; use keyPair(...) (or buildCertificate() for a"
                        + " public key only)");
            }
        }

        private X509Certificate sign() {
            if (subject == null) {
                throw new IllegalStateException("no subject set");
            }
            if (publicKey == null) {
                throw new IllegalStateException("no subject key set");
            }
            X500Name subjectName = name(subject);
            X500Name issuerName = issuer == null ? subjectName
                    : X500Name.getInstance(issuer.certificate.getSubjectX500Principal().getEncoded());
            PrivateKey signingKey = issuer == null ? keyPair.getPrivate() : issuer.privateKey;
            PublicKey signingPublic = issuer == null ? publicKey : issuer.publicKey();
            Instant from = notBefore != null ? notBefore : Instant.now().minusSeconds(86_400);
            Instant to = notAfter != null ? notAfter : from.plusSeconds(25L * 365 * 86_400);
            BigInteger sn = serial != null ? serial : new BigInteger(63, RANDOM).add(BigInteger.ONE);
            String alg = algorithm != null ? algorithm : defaultAlgorithm(signingPublic);
            try {
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, sn, date(from), date(to),
                        subjectName, publicKey);
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                for (ASN1ObjectIdentifier oid : order) {
                    Ext e = extensions.get(oid);
                    if (e != null) {
                        b.addExtension(e.oid(), e.critical(), e.value());
                    } else if (oid.equals(Extension.basicConstraints)) {
                        b.addExtension(Extension.basicConstraints, true, basicConstraints);
                    } else if (oid.equals(Extension.keyUsage)) {
                        int bits = 0;
                        for (KeyUsageBit k : keyUsage) {
                            bits |= k.bcBit;
                        }
                        b.addExtension(Extension.keyUsage, keyUsageCritical, new KeyUsage(bits));
                    } else if (oid.equals(Extension.subjectKeyIdentifier)) {
                        b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
                    } else if (oid.equals(Extension.authorityKeyIdentifier)) {
                        b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(utils,
                                issuer == null ? publicKey : issuer.publicKey(), issuer == null ? null
                                        : issuer.certificate));
                    } else if (oid.equals(Extension.cRLDistributionPoints)) {
                        b.addExtension(Extension.cRLDistributionPoints, false, crlDistPoint(crlUri));
                    }
                }
                return toCertificate(b.build(signer(alg, signingKey)));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot build certificate for " + subject + ": " + e.getMessage(), e);
            }
        }
    }

    /** A key-identifier-only AuthorityKeyIdentifier: the issuer's SubjectKeyIdentifier, or the SHA-1 of its key. */
    private static AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils utils, PublicKey issuerKey,
            X509Certificate issuerCert) {
        byte[] ski = issuerCert == null ? null : issuerCert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski != null) {
            return new AuthorityKeyIdentifier(SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ski)
                    .getOctets()).getKeyIdentifier());
        }
        return new AuthorityKeyIdentifier(utils.createSubjectKeyIdentifier(issuerKey).getKeyIdentifier());
    }

    private static CRLDistPoint crlDistPoint(String uri) {
        GeneralNames names = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
        return new CRLDistPoint(new DistributionPoint[] {
            new DistributionPoint(new DistributionPointName(names), null, null)});
    }

    // ---------------------------------------------------------------- CRL builder

    /**
     * Collects a CRL's contents. The CRL always carries the CRLNumber and AuthorityKeyIdentifier extensions
     * (DCAP verifiers reject CRLs without them). Not thread-safe; use once.
     */
    public static final class CrlBuilder {
        /** certIssuer null: issued by the CRL's issuer. */
        private record Revoked(BigInteger serial, Instant when, Integer reason, X500Principal certIssuer) {
        }

        private final X509Authority issuer;
        private Instant thisUpdate;
        private Instant nextUpdate;
        private BigInteger number = BigInteger.ONE;
        private String algorithm;
        private final List<Revoked> revoked = new ArrayList<>();

        private CrlBuilder(X509Authority issuer) {
            this.issuer = issuer;
        }

        /**
         * Sets thisUpdate and nextUpdate; by default now and now + 30 days.
         *
         * @param thisUpdate when the CRL was issued
         * @param nextUpdate when the next is due, after {@code thisUpdate}
         * @return this builder
         */
        public CrlBuilder validity(Instant thisUpdate, Instant nextUpdate) {
            if (!nextUpdate.isAfter(thisUpdate)) {
                throw new IllegalArgumentException("nextUpdate " + nextUpdate + " is not after thisUpdate "
                        + thisUpdate);
            }
            this.thisUpdate = thisUpdate;
            this.nextUpdate = nextUpdate;
            return this;
        }

        /**
         * Sets the CRL number (default 1).
         *
         * @param crlNumber a non-negative number
         * @return this builder
         */
        public CrlBuilder crlNumber(BigInteger crlNumber) {
            if (crlNumber.signum() < 0) {
                throw new IllegalArgumentException("CRL number is negative: " + crlNumber);
            }
            this.number = crlNumber;
            return this;
        }

        /**
         * Sets the signature algorithm; by default {@link X509Authority#defaultAlgorithm} of the issuer's key.
         *
         * @param algorithm the algorithm name
         * @return this builder
         */
        public CrlBuilder signatureAlgorithm(String algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            return this;
        }

        /**
         * Revokes a certificate without a reason code.
         *
         * @param serial the certificate's serial number
         * @param when the revocation date
         * @return this builder
         */
        public CrlBuilder revoke(BigInteger serial, Instant when) {
            revoked.add(new Revoked(Objects.requireNonNull(serial, "serial"), Objects.requireNonNull(when, "when"),
                    null, null));
            return this;
        }

        /**
         * Revokes a certificate with a reason code.
         *
         * @param serial the certificate's serial number
         * @param when the revocation date
         * @param reason an RFC 5280 CRLReason value (1 keyCompromise, 4 superseded, ...)
         * @return this builder
         */
        public CrlBuilder revoke(BigInteger serial, Instant when, int reason) {
            revoked.add(new Revoked(Objects.requireNonNull(serial, "serial"), Objects.requireNonNull(when, "when"),
                    reason, null));
            return this;
        }

        /**
         * Revokes a certificate. If another CA issued it (a subordinate of this authority, as an ASK is of the ARK),
         * the entry names that issuer in a certificateIssuer entry extension and the CRL becomes an indirect CRL
         * (RFC 5280 5.2.5, 5.3.3), so verifiers match the entry by issuer and serial.
         *
         * @param certificate the certificate to revoke
         * @param when the revocation date
         * @return this builder
         */
        public CrlBuilder revoke(X509Certificate certificate, Instant when) {
            return revoke(certificate, when, null);
        }

        /**
         * Revokes a certificate with a reason code; see {@link #revoke(X509Certificate, Instant)}.
         *
         * @param certificate the certificate to revoke
         * @param when the revocation date
         * @param reason an RFC 5280 CRLReason value, or null for none
         * @return this builder
         */
        public CrlBuilder revoke(X509Certificate certificate, Instant when, Integer reason) {
            X500Principal by = certificate.getIssuerX500Principal();
            revoked.add(new Revoked(certificate.getSerialNumber(), Objects.requireNonNull(when, "when"), reason,
                    by.equals(issuer.certificate.getSubjectX500Principal()) ? null : by));
            return this;
        }

        /**
         * Revokes several certificates at once.
         *
         * @param serials serial numbers
         * @param when the revocation date
         * @return this builder
         */
        public CrlBuilder revokeAll(Collection<BigInteger> serials, Instant when) {
            serials.forEach(s -> revoke(s, when));
            return this;
        }

        /**
         * Signs the CRL.
         *
         * @return the CRL
         */
        public X509CRL build() {
            Instant now = Instant.now();
            Instant from = thisUpdate != null ? thisUpdate : now;
            Instant next = nextUpdate != null ? nextUpdate : from.plusSeconds(30L * 86_400);
            String alg = algorithm != null ? algorithm : defaultAlgorithm(issuer.publicKey());
            try {
                X500Name issuerName = X500Name.getInstance(issuer.certificate.getSubjectX500Principal().getEncoded());
                X509v2CRLBuilder b = new X509v2CRLBuilder(issuerName, date(from));
                b.setNextUpdate(date(next));
                X500Principal self = issuer.certificate.getSubjectX500Principal();
                X500Principal current = self;
                boolean indirect = false;
                for (Revoked r : revoked) {
                    X500Principal certIssuer = r.certIssuer() == null ? self : r.certIssuer();
                    ExtensionsGenerator entry = new ExtensionsGenerator();
                    if (r.reason() != null) {
                        entry.addExtension(Extension.reasonCode, false, CRLReason.lookup(r.reason()));
                    }
                    // an entry's issuer carries over to the following entries, so name it whenever it changes
                    if (!certIssuer.equals(current)) {
                        entry.addExtension(Extension.certificateIssuer, true, new GeneralNames(new GeneralName(
                                X500Name.getInstance(certIssuer.getEncoded()))));
                        current = certIssuer;
                        indirect = true;
                    }
                    b.addCRLEntry(r.serial(), date(r.when()), entry.isEmpty() ? null : entry.generate());
                }
                if (indirect) {
                    b.addExtension(Extension.issuingDistributionPoint, true, new IssuingDistributionPoint(null, false,
                            false, null, true, false));
                }
                b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
                b.addExtension(Extension.authorityKeyIdentifier, false,
                        new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.certificate));
                return toCrl(b.build(signer(alg, issuer.privateKey)));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot build CRL: " + e.getMessage(), e);
            }
        }
    }
}
