package io.teebox.kit.x509;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.crypto.BouncyCastle;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.crypto.Signatures;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class X509AuthorityTest {

    private static final String AMD_DN = "C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, OU=Engineering, CN=";
    private static final String INTEL_DN = "CN=%s, O=Intel Corporation, L=Santa Clara, ST=CA, C=US";
    private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2049-01-01T00:00:00Z");
    private static final Instant AT = Instant.parse("2026-06-01T00:00:00Z");

    private static X509Authority ark;
    private static X509Authority ask;
    private static KeyPair vcekKeys;
    private static X509Certificate vcek;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static byte[] der(ASN1Primitive p) {
        try {
            return p.getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeClass
    public static void amdHierarchy() {
        ark = X509Authority.builder()
                .subject(AMD_DN + "ARK-Genoa")
                .keyPair(RsaKeys.generate(4096))
                .serial(BigInteger.ONE)
                .validity(FROM, TO)
                .signatureAlgorithm(X509Authority.RSA_PSS_SHA384)
                .ca(1)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .crlDistributionPoint("https://kdsintf.amd.com/vcek/v1/Genoa/crl")
                .subjectKeyId()
                .selfSigned();
        ask = ark.issue()
                .subject(AMD_DN + "SEV-Genoa")
                .keyPair(RsaKeys.generate(4096))
                .serial(BigInteger.TWO)
                .validity(FROM, TO)
                .signatureAlgorithm(X509Authority.RSA_PSS_SHA384)
                .ca(0)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .crlDistributionPoint("https://kdsintf.amd.com/vcek/v1/Genoa/crl")
                .subjectKeyId()
                .authorityKeyId()
                .build();
        vcekKeys = EcKeys.generate("P-384");
        vcek = ask.issue()
                .subject(AMD_DN + "SEV-VCEK")
                .publicKey(vcekKeys.getPublic())
                .serial(BigInteger.valueOf(0xC0FFEE))
                .validity(FROM, TO)
                .extension("1.3.6.1.4.1.3704.1.1", false, der(new ASN1Integer(0)))
                .extension("1.3.6.1.4.1.3704.1.2", false, der(new DERIA5String("Genoa")))
                .extension("1.3.6.1.4.1.3704.1.3.1", false, der(new ASN1Integer(7)))
                .extension("1.3.6.1.4.1.3704.1.4", false, der(new DEROctetString(new byte[64])))
                .buildCertificate();
    }

    private static void validate(String provider, X509Certificate root, List<X509Certificate> path,
            List<Object> crls) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        CertPath cp = cf.generateCertPath(path);
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setDate(Date.from(AT));
        if (crls == null) {
            params.setRevocationEnabled(false);
        } else {
            params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
        }
        CertPathValidator v = provider == null ? CertPathValidator.getInstance("PKIX")
                : CertPathValidator.getInstance("PKIX", BouncyCastle.provider());
        v.validate(cp, params);
    }

    @Test
    public void amdChainValidatesWithJdkAndBouncyCastlePkix() throws Exception {
        validate(null, ark.certificate(), List.of(vcek, ask.certificate()), null);
        validate("BC", ark.certificate(), List.of(vcek, ask.certificate()), null);
        assertEquals("1.2.840.113549.1.1.10", vcek.getSigAlgOID());
        assertEquals("1.2.840.113549.1.1.10", ark.certificate().getSigAlgOID());
        assertEquals(1, ark.certificate().getBasicConstraints());
        assertEquals(0, ask.certificate().getBasicConstraints());
        assertEquals(-1, vcek.getBasicConstraints());
        assertTrue(ark.certificate().getKeyUsage()[5] && ark.certificate().getKeyUsage()[6]);
        assertEquals(ark.certificate().getSubjectX500Principal(), ask.certificate().getIssuerX500Principal());
        assertEquals(BigInteger.valueOf(0xC0FFEE), vcek.getSerialNumber());
    }

    @Test
    public void amdSignaturesUsePssWithSalt48() {
        // re-verify the leaf's signature over its TBS with the kit's RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48)
        X509Certificate c = vcek;
        try {
            assertTrue(Signatures.rsaPssVerify(ask.publicKey(), c.getTBSCertificate(), c.getSignature()));
            byte[] tbs = c.getTBSCertificate();
            tbs[tbs.length - 1] ^= 1;
            assertFalse(Signatures.rsaPssVerify(ask.publicKey(), tbs, c.getSignature()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void leafCarriesExactlyTheRequestedExtensions() throws Exception {
        assertEquals(Set.of("1.3.6.1.4.1.3704.1.1", "1.3.6.1.4.1.3704.1.2", "1.3.6.1.4.1.3704.1.3.1",
                "1.3.6.1.4.1.3704.1.4"), vcek.getNonCriticalExtensionOIDs());
        assertTrue(vcek.getCriticalExtensionOIDs() == null || vcek.getCriticalExtensionOIDs().isEmpty());
        byte[] product = ASN1OctetString.getInstance(vcek.getExtensionValue("1.3.6.1.4.1.3704.1.2")).getOctets();
        assertEquals("Genoa", DERIA5String.getInstance(product).getString());
        assertArrayEquals(vcekKeys.getPublic().getEncoded(), vcek.getPublicKey().getEncoded());
        assertEquals(Set.of(Extension.basicConstraints.getId(), Extension.keyUsage.getId()),
                ark.certificate().getCriticalExtensionOIDs());
        assertNotNull(ask.certificate().getExtensionValue(Extension.authorityKeyIdentifier.getId()));
    }

    @Test
    public void leafSignedByAnotherKeyIsRejected() {
        X509Authority rogue = X509Authority.builder().subject(AMD_DN + "SEV-Genoa").keyPair(EcKeys.generate("P-384"))
                .validity(FROM, TO).ca(0).keyUsage(KeyUsageBit.KEY_CERT_SIGN).selfSigned();
        X509Certificate forged = rogue.issue().subject(AMD_DN + "SEV-VCEK").publicKey(vcekKeys.getPublic())
                .validity(FROM, TO).buildCertificate();
        assertThrows(CertPathValidatorException.class,
                () -> validate(null, ark.certificate(), List.of(forged, ask.certificate()), null));
    }

    @Test
    public void opensslVerifiesTheAmdChain() throws Exception {
        Assume.assumeTrue("openssl not installed", new File("/usr/bin/openssl").canExecute());
        File dir = tmp.getRoot();
        Files.writeString(new File(dir, "ark.pem").toPath(), X509Authority.toPem(ark.certificate()));
        Files.writeString(new File(dir, "ask.pem").toPath(), X509Authority.toPem(ask.certificate()));
        Files.writeString(new File(dir, "leaf.pem").toPath(), X509Authority.toPem(vcek));
        String out = run(dir, "/usr/bin/openssl", "verify", "-CAfile", "ark.pem", "-untrusted", "ask.pem",
                "leaf.pem");
        assertEquals("leaf.pem: OK", out.trim());
        String text = run(dir, "/usr/bin/openssl", "x509", "-in", "leaf.pem", "-noout", "-text");
        assertTrue(text, text.contains("rsassaPss") && text.contains("Salt Length: 0x30"));
        // a tampered leaf fails
        byte[] bad = X509Authority.toDer(vcek);
        bad[bad.length - 5] ^= 1;
        Files.writeString(new File(dir, "bad.pem").toPath(), "-----BEGIN CERTIFICATE-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(bad)
                + "\n-----END CERTIFICATE-----\n");
        Process p = new ProcessBuilder("/usr/bin/openssl", "verify", "-CAfile", "ark.pem", "-untrusted", "ask.pem",
                "bad.pem").directory(dir).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertFalse(p.waitFor() == 0);
    }

    @Test
    public void intelChainWithCrlsAndRevocation() throws Exception {
        X509Authority root = X509Authority.builder()
                .subject(String.format(INTEL_DN, "Intel SGX Root CA"))
                .keyPair(EcKeys.generate("P-256"))
                .validity(FROM, TO)
                .ca(1)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .crlDistributionPoint("https://certificates.trustedservices.intel.com/IntelSGXRootCA.der")
                .subjectKeyId()
                .selfSigned();
        assertEquals(X509Authority.ECDSA_SHA256, root.certificate().getSigAlgName());
        X509Authority pckCa = root.issue()
                .subject(String.format(INTEL_DN, "Intel SGX PCK Platform CA"))
                .keyPair(EcKeys.generate("P-256"))
                .validity(FROM, TO).ca(0)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .subjectKeyId().authorityKeyId()
                .build();
        X509Authority pck = pckCa.issue()
                .subject(String.format(INTEL_DN, "Intel SGX PCK Certificate"))
                .keyPair(EcKeys.generate("P-256"))
                .validity(FROM, TO)
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE, KeyUsageBit.NON_REPUDIATION)
                .endEntity().subjectKeyId().authorityKeyId()
                .extension("1.2.840.113741.1.13.1", false, der(new org.bouncycastle.asn1.DERSequence()))
                .build();
        X509CRL rootCrl = root.crl().validity(FROM, TO).crlNumber(BigInteger.valueOf(5)).build();
        X509CRL pckCrl = pckCa.crl().validity(FROM, TO).crlNumber(BigInteger.ONE).build();
        List<X509Certificate> path = List.of(pck.certificate(), pckCa.certificate());
        validate(null, root.certificate(), path, List.of(rootCrl, pckCrl));

        // CRLs carry CRLNumber and AuthorityKeyIdentifier and are signed by their issuer
        rootCrl.verify(root.publicKey(), BouncyCastle.provider());
        assertNotNull(rootCrl.getExtensionValue(Extension.cRLNumber.getId()));
        assertNotNull(rootCrl.getExtensionValue(Extension.authorityKeyIdentifier.getId()));
        assertEquals(BigInteger.valueOf(5), ASN1Integer.getInstance(ASN1OctetString.getInstance(
                rootCrl.getExtensionValue(Extension.cRLNumber.getId())).getOctets()).getValue());

        // revoking the PCK CA makes the path fail
        X509CRL revoking = root.crl().validity(FROM, TO).crlNumber(BigInteger.valueOf(6))
                .revoke(pckCa.certificate().getSerialNumber(), FROM.plus(1, ChronoUnit.DAYS), 1)
                .revoke(BigInteger.valueOf(12345), FROM)
                .build();
        assertTrue(revoking.isRevoked(pckCa.certificate()));
        assertFalse(revoking.isRevoked(pck.certificate()));
        CertPathValidatorException e = assertThrows(CertPathValidatorException.class,
                () -> validate(null, root.certificate(), path, List.of(revoking, pckCrl)));
        assertEquals(CertPathValidatorException.BasicReason.REVOKED, e.getReason());

        if (new File("/usr/bin/openssl").canExecute()) {
            File dir = tmp.getRoot();
            Files.writeString(new File(dir, "crl.pem").toPath(), X509Authority.toPem(revoking));
            String text = run(dir, "/usr/bin/openssl", "crl", "-in", "crl.pem", "-noout", "-text");
            assertTrue(text, text.contains("X509v3 CRL Number") && text.contains("Authority Key Identifier")
                    && text.contains("Key Compromise"));
        }
    }

    @Test
    public void pemAndDerRoundTrip() {
        String pem = X509Authority.toPem(ask.certificate(), ark.certificate());
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----"));
        List<X509Certificate> back = X509Authority.certificatesFromPem(pem);
        assertEquals(List.of(ask.certificate(), ark.certificate()), back);
        assertEquals(vcek, X509Authority.certificateFromDer(X509Authority.toDer(vcek)));
        X509CRL crl = ark.crl().revoke(BigInteger.TEN, FROM).build();
        assertEquals(crl, X509Authority.crlFromPem(X509Authority.toPem(crl)));
        assertEquals(crl, X509Authority.crlFromDer(X509Authority.toDer(crl)));
        assertTrue(X509Authority.toPem(vcekKeys.getPrivate()).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertThrows(IllegalArgumentException.class, () -> X509Authority.crlFromPem(pem));
    }

    @Test
    public void builderMisuseIsRejected() {
        assertThrows(IllegalStateException.class,
                () -> ark.issue().subject("CN=x").keyPair(vcekKeys).selfSigned());
        assertThrows(IllegalStateException.class,
                () -> ark.issue().subject("CN=x").publicKey(vcekKeys.getPublic()).build());
        assertThrows(IllegalStateException.class, () -> X509Authority.builder().keyPair(vcekKeys).selfSigned());
        assertThrows(IllegalArgumentException.class, () -> X509Authority.builder().validity(TO, FROM));
        assertThrows(IllegalArgumentException.class, () -> X509Authority.builder().serial(BigInteger.ONE.negate()));
        assertThrows(IllegalArgumentException.class,
                () -> X509Authority.builder().subject("CN=x").keyPair(vcekKeys).signatureAlgorithm("SHA384withRSAandMGF1")
                        .selfSigned());
    }

    @Test
    public void extensionsComeInTheOrderAskedAndSerialZeroIsAllowed() throws Exception {
        // the ASK order AMD uses: SKI, AKI, BasicConstraints, KeyUsage, CRL distribution point
        X509Certificate c = ark.issue().subject(AMD_DN + "SEV-Genoa").publicKey(vcekKeys.getPublic())
                .serial(BigInteger.ZERO).validity(FROM, TO).subjectKeyId().authorityKeyId().ca(0)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN).crlDistributionPoint("https://kdsintf.amd.com/vcek/v1/Genoa/crl")
                .extension("1.3.6.1.4.1.3704.1.1", false, der(new ASN1Integer(0))).buildCertificate();
        assertEquals(BigInteger.ZERO, c.getSerialNumber());
        assertEquals(List.of("2.5.29.14", "2.5.29.35", "2.5.29.19", "2.5.29.15", "2.5.29.31", "1.3.6.1.4.1.3704.1.1"),
                oids(c));
        // and the ARK order: KeyUsage, SKI, BasicConstraints, CRL distribution point; asking twice keeps the place
        X509Certificate r = X509Authority.builder().subject(AMD_DN + "ARK-Genoa").keyPair(vcekKeys)
                .validity(FROM, TO).keyUsage(KeyUsageBit.KEY_CERT_SIGN).subjectKeyId().ca()
                .crlDistributionPoint("https://kdsintf.amd.com/vcek/v1/Genoa/crl")
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).selfSigned().certificate();
        assertEquals(List.of("2.5.29.15", "2.5.29.14", "2.5.29.19", "2.5.29.31"), oids(r));
        assertTrue(r.getKeyUsage()[6]);
    }

    private static List<String> oids(X509Certificate c) throws Exception {
        return java.util.Arrays.stream(new org.bouncycastle.cert.X509CertificateHolder(c.getEncoded()).getExtensions()
                .getExtensionOIDs()).map(Object::toString).toList();
    }

    @Test
    public void explicitPssParametersAreWrittenAsAmdsKdsWritesThem() throws Exception {
        // AlgorithmIdentifier parameters of every genuine AMD ARK/ASK/VCEK: hash, MGF1, salt 48 and trailer 1 all
        // written out, although trailer 1 is the DEFAULT that DER would omit
        String amd = "3039a00f300d06096086480165030402020500a11c301a06092a864886f70d010108300d0609608648016503040202"
                + "0500a203020130a303020101";
        X509Certificate c = ark.issue().subject(AMD_DN + "SEV-VCEK").publicKey(vcekKeys.getPublic())
                .validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT).buildCertificate();
        assertEquals("1.2.840.113549.1.1.10", c.getSigAlgOID());
        assertEquals(amd, io.teebox.kit.hex.Hex.encode(c.getSigAlgParams()));
        c.verify(ark.publicKey());
        c.verify(ark.publicKey(), BouncyCastle.provider());
        assertTrue(Signatures.rsaPssVerify(ark.publicKey(), c.getTBSCertificate(), c.getSignature()));
        // the default form leaves the trailer out
        assertFalse(io.teebox.kit.hex.Hex.encode(vcek.getSigAlgParams()).endsWith("a303020101"));
        X509CRL crl = ark.crl().validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT).build();
        assertEquals(amd, io.teebox.kit.hex.Hex.encode(crl.getSigAlgParams()));
        crl.verify(ark.publicKey());
    }

    @Test
    public void aCaRevokesACertificateItsSubordinateIssuedThroughAnIndirectEntry() throws Exception {
        X509CRL crl = ark.crl().validity(FROM, TO).revoke(vcek, FROM.plusSeconds(60)).build();
        assertTrue("the entry names the VCEK's issuer, the ASK", crl.isRevoked(vcek));
        assertEquals(ask.certificate().getSubjectX500Principal(),
                crl.getRevokedCertificate(vcek).getCertificateIssuer());
        assertFalse(crl.isRevoked(ask.certificate()));
        X509CRL sameSerial = ark.crl().validity(FROM, TO).revoke(vcek.getSerialNumber(), FROM).build();
        assertFalse("a direct entry with the VCEK's serial names the ARK as issuer, not the ASK",
                sameSerial.isRevoked(vcek));
        X509CRL direct = ark.crl().validity(FROM, TO).revoke(ask.certificate(), FROM).build();
        assertTrue(direct.isRevoked(ask.certificate()));
        assertNull(direct.getRevokedCertificate(ask.certificate()).getCertificateIssuer());
        assertFalse(direct.isRevoked(vcek));
    }

    private static String run(File dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, p.waitFor());
        return out;
    }

    @Test
    public void malformedDerInsidePemOrDerIsAnIllegalArgumentException() throws Exception {
        X509Authority ca = X509Authority.builder().subject("CN=crl test ca").keyPair(EcKeys.generate("P-256"))
                .validity(FROM, TO).ca().selfSigned();
        byte[] crl = X509Authority.toDer(ca.crl().validity(FROM, TO).build());
        byte[] cert = X509Authority.toDer(ca.certificate());
        // the issuer's CN attribute (OID 2.5.4.3, UTF8String) becomes an OCTET STRING of 2^32-1 bytes: Bouncy
        // Castle parses the name lazily and fails on re-encoding, with an unchecked ASN1ParsingException
        byte[] cn = {0x06, 0x03, 0x55, 0x04, 0x03, 0x0C};
        byte[] bent = {0x04, (byte) 0x84, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        for (byte[] der : new byte[][] {crl, cert}) {
            int at = indexOf(der, cn);
            assertTrue(at > 0);
            System.arraycopy(bent, 0, der, at, bent.length);
        }
        String crlPem = "-----BEGIN X509 CRL-----\n" + java.util.Base64.getMimeEncoder().encodeToString(crl)
                + "\n-----END X509 CRL-----\n";
        String certPem = "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder().encodeToString(cert)
                + "\n-----END CERTIFICATE-----\n";
        assertThrows(IllegalArgumentException.class, () -> X509Authority.crlFromPem(crlPem));
        assertThrows(IllegalArgumentException.class, () -> X509Authority.crlFromDer(crl));
        assertThrows(IllegalArgumentException.class, () -> X509Authority.certificatesFromPem(certPem));
        assertThrows(IllegalArgumentException.class, () -> X509Authority.certificateFromDer(cert));
        assertThrows(IllegalArgumentException.class, () -> X509Authority.crlFromPem(
                "-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n"));
    }

    private static int indexOf(byte[] in, byte[] what) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (java.util.Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        return -1;
    }
}
