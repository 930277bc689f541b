package io.teebox.nvidia.rim;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.Test;

import io.teebox.kit.crypto.Digests;
import io.teebox.nvidia.rim.internal.NvidiaPki;

public class RimSignerTest {

    static final Map<String, byte[]> STATE = new ConcurrentHashMap<>();
    static final NvidiaPki PKI = new NvidiaPki(new io.teebox.nvidia.rim.internal.MemoryKeeper());
    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    static RimContent driverContent() {
        List<GoldenMeasurement> m = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            boolean active = i % 3 == 0;
            byte[] v = active ? Digests.sha384(("block " + i).getBytes(StandardCharsets.UTF_8)) : new byte[48];
            List<byte[]> alts = i == 35 ? List.of(v, Digests.sha384("alt".getBytes(StandardCharsets.UTF_8)))
                    : List.of(v);
            m.add(new GoldenMeasurement(i, active ? "HashedMeasurement_" + i : "Measurement_" + i, active, alts));
        }
        return new RimContent("NV_GPU_DRIVER_GH100_550.90.07", RimContent.Kind.DRIVER, "550.90.07", m);
    }

    static byte[] signed(RimContent c) {
        return new RimSigner(PKI.rimSigner().privateKey(), PKI.rimChain()).sign(c);
    }

    @Test
    public void writtenRimParsesBackToItsContent() throws Exception {
        RimContent c = driverContent();
        Rim rim = Rim.parse(signed(c));
        RimContent back = rim.content(c.id(), c.kind());
        assertEquals(c.colloquialVersion(), back.colloquialVersion());
        assertEquals(RimSigner.tagId(c), rim.tagId());
        assertEquals(c.measurements().size(), back.measurements().size());
        for (int i = 0; i < c.measurements().size(); i++) {
            GoldenMeasurement a = c.measurements().get(i);
            GoldenMeasurement b = back.measurements().get(i);
            assertEquals(a.index(), b.index());
            assertEquals(a.name(), b.name());
            assertEquals(a.active(), b.active());
            assertEquals(a.alternatives().size(), b.alternatives().size());
            for (int j = 0; j < a.alternatives().size(); j++) {
                assertArrayEquals(a.alternatives().get(j), b.alternatives().get(j));
            }
        }
        assertEquals(PKI.rimChain(), rim.certificates());
    }

    @Test
    public void writtenRimVerifiesWithTheEmulatedRoot() throws Exception {
        Rim.parse(signed(driverContent())).verify(PKI.rimRoot().certificate(), NOW);
    }

    @Test
    public void writtenRimHasNvidiasShape() {
        String xml = new String(signed(driverContent()), StandardCharsets.UTF_8);
        String genuine = RimTest.text(RimTest.DRIVER);
        // the same start up to the tagId, the same Meta and Entity, the same signature header
        assertEquals(genuine.substring(0, genuine.indexOf("tagId=")), xml.substring(0, xml.indexOf("tagId=")));
        String meta = genuine.substring(genuine.indexOf("<ns0:Entity"), genuine.indexOf("<ns0:Payload"));
        assertEquals(meta.replace("545.00", "550.90.07"),
                xml.substring(xml.indexOf("<ns0:Entity"), xml.indexOf("<ns0:Payload")));
        String sigHead = genuine.substring(genuine.indexOf("</ns0:Payload>"), genuine.indexOf("<ds:DigestValue>"));
        assertEquals(sigHead, xml.substring(xml.indexOf("</ns0:Payload>"), xml.indexOf("<ds:DigestValue>")));
        assertTrue(xml.endsWith("</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature></SoftwareIdentity>"));
        assertEquals(4, xml.split("<ds:X509Certificate>", -1).length - 1);
        assertTrue(xml.contains("<ns0:Resource type=\"Measurement\" index=\"35\" active=\"False\" alternatives=\"2\""
                + " ns2:Hash0=\"000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                + "000000000000\" ns2:Hash1=\""));
    }

    @Test
    public void tamperedWrittenRimFails() {
        String xml = new String(signed(driverContent()), StandardCharsets.UTF_8);
        byte[] bad = xml.replace("colloquialVersion=\"550.90.07\"", "colloquialVersion=\"550.90.08\"")
                .getBytes(StandardCharsets.UTF_8);
        RimSignatureException e = assertThrows(RimSignatureException.class,
                () -> Rim.parse(bad).verify(PKI.rimRoot().certificate(), NOW));
        assertTrue(e.getMessage(), e.getMessage().contains("digest"));
        RimSignatureException wrongRoot = assertThrows(RimSignatureException.class,
                () -> Rim.parse(xml.getBytes(StandardCharsets.UTF_8)).verify(RimTest.nvidiaRimRoot(), NOW));
        assertTrue(wrongRoot.getMessage(), wrongRoot.getMessage().contains("signing chain"));
    }

    @Test
    public void genuineRimSignedAgainVerifiesWithTheEmulatedRoot() throws Exception {
        Rim genuine = Rim.parse(RimTest.resource(RimTest.VBIOS));
        RimContent c = genuine.content("NV_GPU_VBIOS_1010_0200_882_96005E0001", RimContent.Kind.VBIOS);
        Rim ours = Rim.parse(signed(c));
        ours.verify(PKI.rimRoot().certificate(), NOW);
        assertEquals(genuine.activeMeasurements().size(), ours.activeMeasurements().size());
        assertEquals(RimSigner.unsigned(c).length(), RimSigner.unsigned(c).length());
    }

    @Test
    public void badContentIsNamed() {
        RimContent uneven = new RimContent("NV_GPU_DRIVER_GH100_1.0", RimContent.Kind.DRIVER, "1.0",
                List.of(new GoldenMeasurement(3, "Measurement_3", true, List.of(new byte[48], new byte[32]))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> signed(uneven));
        assertEquals("measurement 3 (Measurement_3): value 1 is 32 bytes, value 0 is 48", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RimSigner(PKI.rimSigner().privateKey(), List.of()));
        RimContent odd = new RimContent("NV_GPU_DRIVER_GH100_1.0", RimContent.Kind.DRIVER, "1.0 <&\"x\">",
                List.of(new GoldenMeasurement(0, "a\"<b>&", true, List.of(new byte[48]))));
        Rim rim = Rim.parse(signed(odd));
        assertEquals("1.0 <&\"x\">", rim.colloquialVersion());
        assertEquals("a\"<b>&", rim.measurements().get(0).name());
    }
}
