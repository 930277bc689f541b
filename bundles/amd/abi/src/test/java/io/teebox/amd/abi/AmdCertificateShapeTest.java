package io.teebox.amd.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.amd.testing.AmdVectors;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;

/**
 * teebox's ARK, ASK, ASVK and VCEK compared field by field with the genuine ones AMD's KDS issues: DN attributes
 * (order and string types), serial, validity, signature algorithm parameters, key, and every extension (OID, order,
 * criticality, encoding). Key-dependent values (key identifiers, the hwID's bytes) are compared by how they are
 * made, not by value.
 */
public class AmdCertificateShapeTest {

    private static final Map<String, AmdKeyHierarchy> TEEBOX = new LinkedHashMap<>();
    /** The genuine VCEK's TCB (vectors README: bootloader 2, TEE 0, SNP 5, microcode 68). */
    private static final long GENUINE_TCB = 0x4405000000000002L;

    @BeforeClass
    public static void build() {
        for (String p : List.of("Milan", "Genoa", "Turin")) {
            TEEBOX.put(p, new AmdKeyHierarchy(p, ("shape-" + p).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** A description of a certificate in which everything AMD fixes is spelled out, one entry per aspect. */
    static Map<String, String> shape(X509Certificate c, X509Certificate issuer) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        X509CertificateHolder h = new X509CertificateHolder(c.getEncoded());
        m.put("version", Integer.toString(c.getVersion()));
        m.put("serial", "0x" + c.getSerialNumber().toString(16));
        m.put("signature algorithm", c.getSigAlgOID() + " " + Hex.encode(c.getSigAlgParams()));
        m.put("tbs signature algorithm equals outer", Boolean.toString(h.getSignatureAlgorithm().equals(
                h.toASN1Structure().getTBSCertificate().getSignature())));
        m.put("issuer", dn(h.getIssuer()));
        m.put("subject", dn(h.getSubject()));
        m.put("validity", validity(c));
        if (c.getPublicKey() instanceof RSAPublicKey rsa) {
            m.put("key", "RSA " + rsa.getModulus().bitLength() + " e=" + rsa.getPublicExponent());
        } else {
            m.put("key", "EC " + EcKeys.curveOf(c.getPublicKey()) + " "
                    + ((ECPublicKey) c.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        }
        Extensions exts = h.getExtensions();
        List<String> order = new ArrayList<>();
        for (var oid : exts.getExtensionOIDs()) {
            Extension e = exts.getExtension(oid);
            order.add(oid + (e.isCritical() ? " critical" : ""));
            byte[] v = e.getExtnValue().getOctets();
            String value;
            if (oid.equals(Extension.subjectKeyIdentifier)) {
                byte[] expected = new JcaX509ExtensionUtils().createSubjectKeyIdentifier(c.getPublicKey())
                        .getKeyIdentifier();
                value = Arrays.equals(SubjectKeyIdentifier.getInstance(v).getKeyIdentifier(), expected)
                        ? "SHA-1 of the subject key" : "other " + Hex.encode(v);
            } else if (oid.equals(Extension.authorityKeyIdentifier)) {
                AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(v);
                byte[] issuerSki = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(issuer
                        .getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets()).getKeyIdentifier();
                value = (aki.getAuthorityCertIssuer() == null && aki.getAuthorityCertSerialNumber() == null
                        ? "keyid only, " : "keyid, issuer and serial, ")
                        + (Arrays.equals(aki.getKeyIdentifier(), issuerSki) ? "= issuer's SKI" : "other");
            } else if (oid.getId().equals(AmdKeyHierarchy.OID + "4")) {
                value = "raw " + v.length + " bytes" + (v.length > 2 && v[0] == 4 && (v[1] & 0xFF) == v.length - 2
                        ? " (an OCTET STRING inside)" : "");
            } else {
                value = Hex.encode(v);
            }
            m.put("extension " + oid, value);
        }
        m.put("extensions in order", String.join(", ", order));
        return m;
    }

    private static String dn(X500Name n) {
        List<String> parts = new ArrayList<>();
        for (RDN rdn : n.getRDNs()) {
            for (AttributeTypeAndValue a : rdn.getTypesAndValues()) {
                parts.add(a.getType() + "=" + a.getValue().getClass().getSimpleName() + ":" + a.getValue());
            }
        }
        return String.join(" / ", parts);
    }

    /** Exact dates for the roots AMD issued once; the lifetime for certificates the KDS issues on request. */
    private static String validity(X509Certificate c) {
        Instant from = c.getNotBefore().toInstant();
        Instant to = c.getNotAfter().toInstant();
        String cn = c.getSubjectX500Principal().getName();
        if (cn.startsWith("CN=SEV-VCEK") || cn.startsWith("CN=SEV-VLEK,")) {
            return from.atZone(ZoneOffset.UTC).plusYears(7).toInstant().equals(to) ? "7 years, whole seconds="
                    + (from.getNano() == 0) : "other: " + from + " .. " + to;
        }
        return from + " .. " + to;
    }

    private static void assertSameShape(String what, X509Certificate genuine, X509Certificate genuineIssuer,
            X509Certificate teebox, X509Certificate teeboxIssuer) throws Exception {
        Map<String, String> want = shape(genuine, genuineIssuer);
        Map<String, String> got = shape(teebox, teeboxIssuer);
        for (String k : want.keySet()) {
            assertEquals(what + ": " + k, want.get(k), got.get(k));
        }
        assertEquals(what + ": aspects", want.keySet(), got.keySet());
    }

    @Test
    public void arkAskAndAsvkHaveTheGenuineShapeForEveryProduct() throws Exception {
        for (var e : TEEBOX.entrySet()) {
            String p = e.getKey();
            AmdKeyHierarchy k = e.getValue();
            List<X509Certificate> vcekChain = AmdVectors.chain(p.equals("Turin") ? "ask_ark_turin_vcek.pem"
                    : "ask_ark_" + p.toLowerCase() + ".pem");
            List<X509Certificate> vlekChain = AmdVectors.chain("ask_ark_" + p.toLowerCase() + "_vlek.pem");
            X509Certificate ark = vcekChain.get(1);
            assertSameShape(p + " ARK", ark, ark, k.ark(), k.ark());
            assertSameShape(p + " ASK", vcekChain.get(0), ark, k.ask(), k.ark());
            assertSameShape(p + " ASVK", vlekChain.get(0), ark, k.asvk().certificate(), k.ark());
            k.ask().verify(k.ark().getPublicKey());
            k.asvk().certificate().verify(k.ark().getPublicKey());
        }
    }

    @Test
    public void milanVcekHasTheGenuineShape() throws Exception {
        AmdKeyHierarchy milan = TEEBOX.get("Milan");
        X509Certificate genuine = AmdVectors.milanVcek();
        X509Certificate genuineAsk = AmdVectors.chain("ask_ark_milan.pem").get(0);
        TcbVersion tcb = TcbVersions.decode("Milan", GENUINE_TCB);
        X509Certificate vcek = milan.vcek(tcb);
        assertSameShape("Milan VCEK", genuine, genuineAsk, vcek, milan.ask());
        byte[] hwid = ASN1OctetString.getInstance(vcek.getExtensionValue(AmdKeyHierarchy.OID + "4")).getOctets();
        assertArrayEquals("the hwID is the chip's CHIP_ID itself", milan.chipId(), hwid);
        vcek.verify(milan.ask().getPublicKey());
    }

    @Test
    public void genoaAndTurinVcekAndVlekCarryTheirProductsFormat() throws Exception {
        AmdKeyHierarchy genoa = TEEBOX.get("Genoa");
        X509Certificate g = genoa.vcek(TcbVersions.encode("Genoa", 0, 7, 0, 14, 72));
        assertEquals("Genoa", ia5(g, "2"));
        assertEquals("020100", Hex.encode(ext(g, "1")));
        assertEquals(64, ext(g, "4").length);
        assertEquals("1 2 3.1 3.2 3.4 3.5 3.6 3.7 3.3 3.8 4", amdOrder(g));

        AmdKeyHierarchy turin = TEEBOX.get("Turin");
        TcbVersion tt = TcbVersions.decode("Turin", 0x5200000004010101L);
        X509Certificate t = turin.vcek(tt);
        assertEquals("structVersion 1: the Turin TCB layout", "020101", Hex.encode(ext(t, "1")));
        assertEquals("Turin-B0", ia5(t, "2"));
        assertArrayEquals("8-byte hwID", Arrays.copyOf(turin.chipId(), 8), ext(t, "4"));
        assertNull("no spl4 in the Turin layout", t.getExtensionValue(AmdKeyHierarchy.OID + "3.4"));
        assertEquals("020101", Hex.encode(ext(t, "3.9")));
        assertEquals("020101", Hex.encode(ext(t, "3.1")));
        assertEquals("020101", Hex.encode(ext(t, "3.2")));
        assertEquals("020104", Hex.encode(ext(t, "3.3")));
        assertEquals("020152", Hex.encode(ext(t, "3.8")));
        assertEquals("1 2 3.1 3.2 3.5 3.6 3.7 3.3 3.8 3.9 4", amdOrder(t));

        X509Certificate vlek = genoa.vlek(TcbVersions.encode("Genoa", 0, 7, 0, 14, 200), "teebox-cloud");
        assertEquals("VLEKs carry the product line without a stepping", "Genoa", ia5(vlek, "2"));
        assertEquals("teebox-cloud", ia5(vlek, "5"));
        assertEquals("020200c8", Hex.encode(ext(vlek, "3.8")));
        assertEquals("1 2 3.1 3.2 3.4 3.5 3.6 3.7 3.3 3.8 5", amdOrder(vlek));
        assertEquals(BigInteger.ZERO, vlek.getSerialNumber());
        vlek.verify(genoa.asvk().publicKey());
        assertTrue(vlek.getIssuerX500Principal().getName().startsWith("CN=SEV-VLEK-Genoa,"));
        X509Certificate tvlek = turin.vlek(tt, "teebox-cloud");
        assertEquals("Turin", ia5(tvlek, "2"));
        assertEquals("020101", Hex.encode(ext(tvlek, "1")));
    }

    @Test
    public void noCertificateCarriesAnExtensionAmdDoesNotPutThere() throws Exception {
        AmdKeyHierarchy milan = TEEBOX.get("Milan");
        X509Certificate vcek = milan.vcek(TcbVersions.decode("Milan", GENUINE_TCB));
        assertEquals(-1, vcek.getBasicConstraints());
        assertNull(vcek.getKeyUsage());
        assertTrue(vcek.getCriticalExtensionOIDs() == null || vcek.getCriticalExtensionOIDs().isEmpty());
        for (String oid : vcek.getNonCriticalExtensionOIDs()) {
            assertTrue(oid, oid.startsWith(AmdKeyHierarchy.OID));
        }
        // the ASK may only sign certificates, like AMD's
        boolean[] ku = milan.ask().getKeyUsage();
        assertTrue(ku[5]);
        assertFalse(ku[6]);
        assertEquals(0, milan.ask().getBasicConstraints());
        assertEquals(Integer.MAX_VALUE, milan.ark().getBasicConstraints());
    }

    private static byte[] ext(X509Certificate c, String suffix) {
        return ASN1OctetString.getInstance(c.getExtensionValue(AmdKeyHierarchy.OID + suffix)).getOctets();
    }

    private static String ia5(X509Certificate c, String suffix) throws Exception {
        return org.bouncycastle.asn1.DERIA5String.getInstance(ASN1Primitive.fromByteArray(ext(c, suffix)))
                .getString();
    }

    private static String amdOrder(X509Certificate c) throws Exception {
        List<String> out = new ArrayList<>();
        for (var oid : new X509CertificateHolder(c.getEncoded()).getExtensions().getExtensionOIDs()) {
            out.add(oid.getId().substring(AmdKeyHierarchy.OID.length()));
        }
        return String.join(" ", out);
    }
}
