package io.teebox.nvidia.rim;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

import org.junit.Test;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

public class RimTest {

    static final String DRIVER = "nvidia-h100/Driver_RIM_test_no_gpu.swidtag";
    static final String VBIOS = "nvidia-h100/1010_0200_882_96005E0001_test_no_gpu.swidtag";
    /** Inside the validity of every certificate the genuine RIMs embed (the L4 signer's ends 2025-06-26). */
    static final Instant WHILE_VALID = Instant.parse("2024-06-01T00:00:00Z");

    static byte[] resource(String name) {
        try (InputStream in = RimTest.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new AssertionError("missing test resource " + name, e);
        }
    }

    static X509Certificate nvidiaRimRoot() {
        return X509Authority.certificatesFromPem(new String(resource("nvidia-h100/verifier_RIM_root.pem"),
                StandardCharsets.US_ASCII)).get(0);
    }

    static String text(String name) {
        return new String(resource(name), StandardCharsets.UTF_8);
    }

    @Test
    public void genuineDriverRimParses() {
        Rim rim = Rim.parse(resource(DRIVER));
        assertEquals("545.00", rim.colloquialVersion());
        assertEquals("f0d3a263ab9ef4b93c8fc9727493b61a979814cbf31c07614842a9486b84db8c6cb2c94fb3d5d55992fc482ab495df0d",
                rim.tagId());
        assertEquals(64, rim.measurements().size());
        assertEquals(21, rim.activeMeasurements().size());
        GoldenMeasurement m7 = rim.measurements().get(7);
        assertEquals(7, m7.index());
        assertTrue(m7.active());
        assertEquals("Measurement_7", m7.name());
        assertEquals("0e0ee161b59bf124ce6b6dca6efa7616d28077862c0e57dca7d5efd63d00eeed4851922941e846a38c464cbedbc168d9",
                Hex.encode(m7.alternatives().get(0)));
        GoldenMeasurement m35 = rim.measurements().get(35);
        assertEquals("HashedMeasurement_35_GSP", m35.name());
        assertEquals(2, m35.alternatives().size());
        assertEquals("c0962ed90316ecea959dd0b6632d0c4f4d3bfbf72c4cd9031efe48154ed9ca59b41cd20ce06a7f9ca5cd8b0687cf1258",
                Hex.encode(m35.alternatives().get(1)));
        assertFalse(rim.measurements().get(0).active());
        List<String> cns = rim.certificates().stream().map(c -> c.getSubjectX500Principal().getName()).toList();
        assertEquals(4, cns.size());
        assertTrue(cns.get(0), cns.get(0).contains("CN=HCC RIM L4 Signer"));
        assertTrue(cns.get(1), cns.get(1).contains("CN=NVIDIA Reference Value L3 GH100 001"));
        assertTrue(cns.get(2), cns.get(2).contains("CN=NVIDIA Reference Value GH100 CA"));
        assertEquals(nvidiaRimRoot(), rim.certificates().get(3));
    }

    @Test
    public void genuineVbiosRimParses() {
        Rim rim = Rim.parse(resource(VBIOS));
        assertEquals("96.00.5E.00.01", rim.colloquialVersion());
        assertTrue(rim.isFor("96.00.5e.00.01"));
        assertEquals(12, rim.activeMeasurements().size());
        assertEquals(4, rim.measurements().get(12).alternatives().size());
        assertEquals("HashedMeasurement_1_FSP", rim.measurements().get(1).name());
    }

    @Test
    public void genuineRimsVerifyWithNvidiasRoot() throws Exception {
        Rim.parse(resource(DRIVER)).verify(nvidiaRimRoot(), WHILE_VALID);
        Rim.parse(resource(VBIOS)).verify(nvidiaRimRoot(), WHILE_VALID);
    }

    @Test
    public void genuineRimFailsOnceItsSignerExpired() {
        RimSignatureException e = assertThrows(RimSignatureException.class,
                () -> Rim.parse(resource(DRIVER)).verify(nvidiaRimRoot(), Instant.parse("2025-07-01T00:00:00Z")));
        assertTrue(e.getMessage(), e.getMessage().contains("HCC RIM L4 Signer"));
    }

    @Test
    public void oneChangedHashDigitFailsTheDigest() {
        String xml = text(DRIVER);
        String good = "0e0ee161b59bf124ce6b6dca6efa7616";
        assertTrue(xml.contains(good));
        byte[] bad = xml.replace(good, "1e0ee161b59bf124ce6b6dca6efa7616").getBytes(StandardCharsets.UTF_8);
        Rim rim = Rim.parse(bad);
        assertEquals("1e0ee161b59bf124ce6b6dca6efa7616", Hex.encode(rim.measurements().get(7).alternatives().get(0))
                .substring(0, 32));
        RimSignatureException e = assertThrows(RimSignatureException.class,
                () -> rim.verify(nvidiaRimRoot(), WHILE_VALID));
        assertOneLine(e);
        assertTrue(e.getMessage(), e.getMessage().contains("digest"));
    }

    @Test
    public void oneChangedSignatureByteFails() {
        String xml = text(DRIVER);
        String good = "<ds:SignatureValue>/BgnH+hp";
        assertTrue(xml.contains(good));
        byte[] bad = xml.replace(good, "<ds:SignatureValue>/BgnH+hq").getBytes(StandardCharsets.UTF_8);
        RimSignatureException e = assertThrows(RimSignatureException.class,
                () -> Rim.parse(bad).verify(nvidiaRimRoot(), WHILE_VALID));
        assertOneLine(e);
        assertTrue(e.getMessage(), e.getMessage().contains("SignatureValue"));
    }

    @Test
    public void anotherRootFails() {
        X509Authority other = X509Authority.builder().subject("CN=NVIDIA CoRIM signing Root CA, O=NVIDIA, C=US")
                .keyPair(io.teebox.kit.crypto.EcKeys.generate("P-384")).ca().selfSigned();
        RimSignatureException e = assertThrows(RimSignatureException.class,
                () -> Rim.parse(resource(DRIVER)).verify(other.certificate(), WHILE_VALID));
        assertOneLine(e);
        assertTrue(e.getMessage(), e.getMessage().contains("signing chain"));
    }

    @Test
    public void badInputIsNamed() {
        String xml = text(DRIVER);
        assertMalformed("not well-formed", "<SoftwareIdentity");
        assertMalformed("DOCTYPE", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>");
        assertMalformed("expected {http://standards.iso.org", xml.replace(
                "xmlns=\"http://standards.iso.org/iso/19770/-2/2015/schema.xsd\"", "xmlns=\"urn:other\""));
        assertMalformed("Hash0", xml.replaceFirst("ns2:Hash0=", "ns2:Hash9="));
        assertMalformed("without that namespace", xml.replaceFirst("ns2:Hash0=", "Hash0="));
        assertMalformed("not hex", xml.replaceFirst("ns2:Hash0=\"0", "ns2:Hash0=\"z"));
        assertMalformed("48 bytes", xml.replaceFirst("size=\"48\"", "size=\"32\""));
        assertMalformed("Hash1", xml.replaceFirst("alternatives=\"1\"", "alternatives=\"2\""));
        assertMalformed("active", xml.replaceFirst("active=\"False\"", "active=\"maybe\""));
        assertMalformed("index", xml.replaceFirst("index=\"1\"", "index=\"0\""));
        assertMalformed("index", xml.replaceFirst("index=\"1\"", "index=\"x\""));
        assertMalformed("colloquialVersion", xml.replace("colloquialVersion=\"545.00\"", ""));
        assertMalformed("base64", xml.replaceFirst("<ds:X509Certificate>MIIC", "<ds:X509Certificate>*IIC"));
    }

    private static void assertMalformed(String expected, String xml) {
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> Rim.parse(xml.getBytes(StandardCharsets.UTF_8)));
        assertOneLine(e);
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
    }

    static void assertOneLine(Exception e) {
        assertFalse(e.getMessage(), e.getMessage().contains("\n"));
    }

    @Test
    public void contentKeepsTheDigests() {
        Rim rim = Rim.parse(resource(VBIOS));
        RimContent c = rim.content("NV_GPU_VBIOS_1010_0200_882_96005E0001", RimContent.Kind.VBIOS);
        assertEquals("96.00.5E.00.01", c.colloquialVersion());
        assertArrayEquals(rim.measurements().get(1).alternatives().get(0), c.measurements().get(1).alternatives()
                .get(0));
    }
}
