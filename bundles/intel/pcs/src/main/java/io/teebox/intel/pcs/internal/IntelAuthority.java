package io.teebox.intel.pcs.internal;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Boolean;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * Intel's emulated key hierarchy, derived from a seed: the Intel SGX Root CA, the Intel SGX PCK Platform CA that
 * issues PCK certificates with the SGX extensions, the Intel SGX TCB Signing key that signs TCB info and QE
 * identities, and their CRLs (with CRLNumber and AuthorityKeyIdentifier, as DCAP verifiers require). Subject names
 * are Intel's, because verifiers in the go-tdx-guest family match them. Keys come from {@link EcKeys#fromSeed} and
 * certificates are signed with deterministic ECDSA over fixed validity periods, so the same seed always gives the
 * same certificate bytes.
 */
final class IntelAuthority {

    static final String O_L_ST_C = ", O=Intel Corporation, L=Santa Clara, ST=CA, C=US";
    static final String ROOT_CN = "Intel SGX Root CA";
    static final String PLATFORM_CA_CN = "Intel SGX PCK Platform CA";
    static final String PROCESSOR_CA_CN = "Intel SGX PCK Processor CA";
    static final String PCK_CN = "Intel SGX PCK Certificate";
    static final String TCB_SIGNING_CN = "Intel SGX TCB Signing";
    /** Where Intel publishes the root CA CRL (the root certificate's CRL distribution point). */
    static final String ROOT_CRL_URL = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";
    /** Where Intel publishes the Platform CA's PCK CRL. */
    static final String PCK_CRL_URL =
            "https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=platform&encoding=der";

    /** The SGX extension and its parts (Intel PCK certificate profile). */
    static final String OID_SGX = "1.2.840.113741.1.13.1";
    static final Instant NOT_BEFORE = Instant.parse("2024-01-01T00:00:00Z");
    static final Instant NOT_AFTER = Instant.parse("2049-12-31T23:59:59Z");

    private final byte[] seed;
    private final KeyPair rootKey;
    private final KeyPair platformKey;
    private final KeyPair tcbKey;
    private final KeyPair processorKey;
    private final X509Certificate root;
    private final X509Certificate platformCa;
    private final X509Certificate tcbSigning;
    private final X509Certificate processorCa;
    private final Set<String> revokedPpids;

    /**
     * @param seed the seed Intel's keys derive from
     * @param revokedPpids PPIDs (hex) whose PCK certificates the PCK CRL revokes
     */
    IntelAuthority(String seed, Collection<String> revokedPpids) {
        this.seed = Objects.requireNonNull(seed, "seed").getBytes(StandardCharsets.UTF_8);
        this.revokedPpids = new LinkedHashSet<>();
        for (String p : revokedPpids) {
            this.revokedPpids.add(Hex.encode(Hex.decode(p.trim())));
        }
        rootKey = EcKeys.fromSeed("P-256", derive("root-ca"));
        platformKey = EcKeys.fromSeed("P-256", derive("pck-platform-ca"));
        tcbKey = EcKeys.fromSeed("P-256", derive("tcb-signing"));
        processorKey = EcKeys.fromSeed("P-256", derive("pck-processor-ca"));
        X500Name rootName = name(ROOT_CN);
        root = certificate(rootName, rootKey.getPrivate(), rootKey.getPublic(), rootName, rootKey.getPublic(),
                serial("root-ca"), 1, KeyUsage.keyCertSign | KeyUsage.cRLSign, ROOT_CRL_URL, null);
        platformCa = certificate(rootName, rootKey.getPrivate(), rootKey.getPublic(), name(PLATFORM_CA_CN),
                platformKey.getPublic(), serial("pck-platform-ca"), 0, KeyUsage.keyCertSign | KeyUsage.cRLSign,
                ROOT_CRL_URL, null);
        processorCa = certificate(rootName, rootKey.getPrivate(), rootKey.getPublic(), name(PROCESSOR_CA_CN),
                processorKey.getPublic(), serial("pck-processor-ca"), 0, KeyUsage.keyCertSign | KeyUsage.cRLSign,
                ROOT_CRL_URL, null);
        tcbSigning = certificate(rootName, rootKey.getPrivate(), rootKey.getPublic(), name(TCB_SIGNING_CN),
                tcbKey.getPublic(), serial("tcb-signing"), -1, KeyUsage.digitalSignature | KeyUsage.nonRepudiation,
                ROOT_CRL_URL, null);
    }

    X509Certificate root() {
        return root;
    }

    X509Certificate platformCa() {
        return platformCa;
    }

    X509Certificate tcbSigning() {
        return tcbSigning;
    }

    /** @return PEM of the Platform CA then the root: the PCK CRL issuer chain */
    String pckCrlIssuerChain() {
        return X509Authority.toPem(platformCa, root);
    }

    /**
     * @return PEM of the Processor CA then the root. Intel has a second PCK CA for client platforms; teebox issues
     *         no PCK certificates from it, but serves its (empty) CRL as Intel does.
     */
    String processorCrlIssuerChain() {
        return X509Authority.toPem(processorCa, root);
    }

    /**
     * @param now the current time
     * @return the Processor CA's PCK CRL (empty)
     */
    X509CRL processorCrl(Instant now) {
        return crl(processorKey.getPrivate(), processorCa, now, List.of());
    }

    /** @return PEM of the TCB Signing certificate then the root: the TCB info and QE identity issuer chain */
    String tcbIssuerChain() {
        return X509Authority.toPem(tcbSigning, root);
    }

    /**
     * Signs collateral JSON with the TCB Signing key.
     *
     * @param data the exact bytes of the signed JSON
     * @return the signature as r || s (64 bytes, big-endian), as Intel's collateral carries it in hex
     */
    byte[] signCollateral(byte[] data) {
        BigInteger[] rs = Signatures.fromDer(DeterministicSigner.signDer(tcbKey.getPrivate(), data));
        return Signatures.toRaw(rs[0], rs[1], 32);
    }

    /**
     * Issues a platform's PCK certificate, signed by the Platform CA.
     *
     * @param ppid 16 bytes
     * @param cpuSvn 16 bytes: also the SGX TCB component SVNs 1..16
     * @param pceSvn the PCE SVN
     * @param pceId 2 bytes
     * @param fmspc 6 bytes
     * @param key the PCK public key
     * @return the certificate
     */
    X509Certificate issuePck(byte[] ppid, byte[] cpuSvn, int pceSvn, byte[] pceId, byte[] fmspc, PublicKey key) {
        check(ppid, 16, "PPID");
        check(cpuSvn, 16, "CPUSVN");
        check(pceId, 2, "PCE-ID");
        check(fmspc, 6, "FMSPC");
        if (pceSvn < 0 || pceSvn > 0xFFFF) {
            throw new IllegalArgumentException("PCE SVN must be 0..65535, got " + pceSvn);
        }
        Extension sgx = new Extension(new ASN1ObjectIdentifier(OID_SGX), false,
                encode(sgxExtension(ppid, cpuSvn, pceSvn, pceId, fmspc)));
        return certificate(name(PLATFORM_CA_CN), platformKey.getPrivate(), platformKey.getPublic(), name(PCK_CN), key,
                pckSerial(ppid), -1, KeyUsage.digitalSignature | KeyUsage.nonRepudiation, PCK_CRL_URL, sgx);
    }

    /**
     * @param ppid a platform's PPID
     * @return the serial number of its PCK certificate (positive, 128 bits at most, distinct from the CAs')
     */
    BigInteger pckSerial(byte[] ppid) {
        byte[] d = Digests.sha256(seed, "pck-serial".getBytes(StandardCharsets.US_ASCII), ppid);
        return positive(d);
    }

    /**
     * @param now the current time
     * @return the root CA CRL, valid from the start of yesterday (UTC) for 30 days; it revokes nothing
     */
    X509CRL rootCrl(Instant now) {
        return crl(rootKey.getPrivate(), root, now, List.of());
    }

    /**
     * @param now the current time
     * @return the Platform CA's PCK CRL, revoking the PCK certificates of the configured PPIDs
     */
    X509CRL pckCrl(Instant now) {
        List<BigInteger> revoked = new ArrayList<>();
        for (String p : revokedPpids) {
            revoked.add(pckSerial(Hex.decode(p)));
        }
        return crl(platformKey.getPrivate(), platformCa, now, revoked);
    }

    // ------------------------------------------------------------------------------------------------------------

    private byte[] derive(String label) {
        return Digests.sha256(seed, ("teebox-intel-" + label).getBytes(StandardCharsets.US_ASCII));
    }

    private BigInteger serial(String label) {
        return positive(Digests.sha256(seed, ("serial-" + label).getBytes(StandardCharsets.US_ASCII)));
    }

    private static BigInteger positive(byte[] digest) {
        byte[] b = new byte[16];
        System.arraycopy(digest, 0, b, 0, 16);
        b[0] &= 0x7F;
        b[0] |= 0x10;
        return new BigInteger(1, b);
    }

    static X500Name name(String cn) {
        return new X500Name(BCStyle.INSTANCE, "CN=" + cn + O_L_ST_C);
    }

    private static void check(byte[] b, int n, String what) {
        if (b == null || b.length != n) {
            throw new IllegalArgumentException(what + " must be " + n + " bytes, got " + (b == null ? "none"
                    : b.length));
        }
    }

    private static DERSequence pair(String oid, ASN1Encodable value) {
        return new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), value});
    }

    /** The SGX extension: PPID, TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC, SGX type, platform fields. */
    static DERSequence sgxExtension(byte[] ppid, byte[] cpuSvn, int pceSvn, byte[] pceId, byte[] fmspc) {
        ASN1EncodableVector tcb = new ASN1EncodableVector();
        for (int i = 0; i < 16; i++) {
            tcb.add(pair(OID_SGX + ".2." + (i + 1), new ASN1Integer(cpuSvn[i] & 0xFF)));
        }
        tcb.add(pair(OID_SGX + ".2.17", new ASN1Integer(pceSvn)));
        tcb.add(pair(OID_SGX + ".2.18", new DEROctetString(cpuSvn)));
        ASN1EncodableVector config = new ASN1EncodableVector();
        config.add(pair(OID_SGX + ".7.1", ASN1Boolean.FALSE)); // dynamicPlatform
        config.add(pair(OID_SGX + ".7.2", ASN1Boolean.FALSE)); // cachedKeys
        config.add(pair(OID_SGX + ".7.3", ASN1Boolean.TRUE)); // SMTEnabled
        ASN1EncodableVector v = new ASN1EncodableVector();
        v.add(pair(OID_SGX + ".1", new DEROctetString(ppid)));
        v.add(pair(OID_SGX + ".2", new DERSequence(tcb)));
        v.add(pair(OID_SGX + ".3", new DEROctetString(pceId)));
        v.add(pair(OID_SGX + ".4", new DEROctetString(fmspc)));
        v.add(pair(OID_SGX + ".5", new ASN1Enumerated(1))); // SGX type: Scalable
        v.add(pair(OID_SGX + ".6", new DEROctetString(java.util.Arrays.copyOf(Digests.sha256(ppid, fmspc), 16))));
        v.add(pair(OID_SGX + ".7", new DERSequence(config)));
        return new DERSequence(v);
    }

    private static byte[] encode(ASN1Encodable e) {
        try {
            return e.toASN1Primitive().getEncoded("DER");
        } catch (IOException ex) {
            throw new IllegalStateException("cannot DER-encode an extension", ex);
        }
    }

    private static X509Certificate certificate(X500Name issuer, PrivateKey issuerKey, PublicKey issuerPublic,
            X500Name subject, PublicKey key, BigInteger serial, int caPathLength, int keyUsage, String crlUrl,
            Extension extra) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial,
                    Date.from(NOT_BEFORE), Date.from(NOT_AFTER), subject, key);
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(issuerPublic));
            b.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                new DistributionPoint(new DistributionPointName(new GeneralNames(
                        new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl))), null, null)}));
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            b.addExtension(Extension.basicConstraints, true,
                    caPathLength < 0 ? new BasicConstraints(false) : new BasicConstraints(caPathLength));
            if (extra != null) {
                b.addExtension(extra);
            }
            return X509Authority.certificateFromDer(b.build(new DeterministicSigner(issuerKey)).getEncoded());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the certificate " + subject + ": " + e.getMessage(), e);
        }
    }

    private static X509CRL crl(PrivateKey key, X509Certificate issuer, Instant now, List<BigInteger> revoked) {
        Instant thisUpdate = now.truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(
                    issuer.getSubjectX500Principal().getEncoded()), Date.from(thisUpdate));
            b.setNextUpdate(Date.from(thisUpdate.plus(30, ChronoUnit.DAYS)));
            for (BigInteger s : revoked) {
                b.addCRLEntry(s, Date.from(NOT_BEFORE), org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
            }
            long number = thisUpdate.getEpochSecond() / 86_400;
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(number)));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.getPublicKey()));
            return X509Authority.crlFromDer(b.build(new DeterministicSigner(key)).getEncoded());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the CRL of " + issuer.getSubjectX500Principal() + ": "
                    + e.getMessage(), e);
        }
    }
}
