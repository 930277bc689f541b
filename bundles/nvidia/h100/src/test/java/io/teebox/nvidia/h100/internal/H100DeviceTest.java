package io.teebox.nvidia.h100.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.HostRead;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome.Effect;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeKind;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.nvidia.abi.DiceFwid;
import io.teebox.nvidia.abi.OpaqueData;
import io.teebox.nvidia.rim.GoldenMeasurement;
import io.teebox.nvidia.rim.RimContent;
import io.teebox.spdm.MeasurementBlock;

/** The emulated H100 on its own: identity, measurements, RIMs, modes, attach rules, memory. */
public class H100DeviceTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Fixture fixture() throws Exception {
        return new Fixture(tmp.newFolder().toPath());
    }

    private static String cn(X509Certificate c) {
        return X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN)[0].getFirst()
                .getValue().toString();
    }

    @Test
    public void theChainHasNvidiasFiveCertificatesAndTheLeafCarriesTheFmcFwid() throws Exception {
        H100Backend b = fixture().backend();
        List<X509Certificate> chain = b.certificateChain("gpu0");
        assertEquals(5, chain.size());
        assertEquals(List.of("GH100 A01 GSP FMC LF", "GH100 A01 GSP BROM", "NVIDIA GH100 Provisioner ICA 1",
                "NVIDIA GH100 Identity", "NVIDIA Device Identity CA"), chain.stream().map(H100DeviceTest::cn)
                        .toList());
        for (int i = 0; i < 5; i++) {
            X509Certificate c = chain.get(i);
            assertEquals("P-384", EcKeys.curveOf(c.getPublicKey()));
            assertEquals("1.2.840.10045.4.3.3", c.getSigAlgOID());
            c.verify(chain.get(Math.min(i + 1, 4)).getPublicKey());
        }
        X509Certificate leaf = chain.get(0);
        // subject RDNs in the genuine leaf's order: serialNumber, C, O, CN; serialNumber is the serial in hex
        RDN[] rdns = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded()).getRDNs();
        assertEquals(List.of(BCStyle.SERIALNUMBER, BCStyle.C, BCStyle.O, BCStyle.CN), List.of(rdns).stream()
                .map(r -> r.getFirst().getType()).toList());
        assertEquals(leaf.getSerialNumber().toString(16).toUpperCase(), rdns[0].getFirst().getValue().toString()
                .replaceFirst("^0+", ""));
        byte[] ski = org.bouncycastle.asn1.x509.SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                leaf.getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets()).getKeyIdentifier();
        ski[0] &= 0x7F;
        assertEquals(new java.math.BigInteger(1, ski), leaf.getSerialNumber());
        assertEquals(-1, leaf.getBasicConstraints());
        assertTrue(leaf.getCriticalExtensionOIDs().contains(Extension.keyUsage.getId()));
        assertTrue(leaf.getKeyUsage()[0]);
        assertEquals(1, countTrue(leaf.getKeyUsage()));
        assertEquals(Instant.parse("9999-12-31T23:59:59Z"), leaf.getNotAfter().toInstant());
        for (X509Certificate c : chain) {
            assertEquals(c.getSubjectX500Principal().toString(), Instant.parse("9999-12-31T23:59:59Z"),
                    c.getNotAfter().toInstant());
        }
        Set<String> ext = new HashSet<>(leaf.getNonCriticalExtensionOIDs());
        assertEquals(Set.of(Extension.subjectKeyIdentifier.getId(), Extension.authorityKeyIdentifier.getId(),
                Extension.subjectAlternativeName.getId(), DiceFwid.OID), ext);
        GeneralName san = GeneralNames.getInstance(ASN1OctetString.getInstance(leaf.getExtensionValue(
                Extension.subjectAlternativeName.getId())).getOctets()).getNames()[0];
        assertEquals(GeneralName.otherName, san.getTagNo());
        ASN1Sequence other = ASN1Sequence.getInstance(san.getName());
        assertEquals(GpuIdentity.NVIDIA_DEVICE_NAME_OID, other.getObjectAt(0).toString());
        String name = DERUTF8String.getInstance(ASN1TaggedObject.getInstance(other.getObjectAt(1)).getExplicitBaseObject())
                .getString();
        assertTrue(name, name.matches("NVIDIA:GH100:[0-9A-F]{16}"));
        // the FWID is the FMC's measurement and the report's opaque FWID
        byte[] fwid = DiceFwid.of(leaf);
        assertArrayEquals(b.firmware().fwid(), fwid);
        assertArrayEquals(b.firmware().measurement(GpuFirmware.GSP_FMC, CcMode.ON), fwid);
        assertArrayEquals(fwid, b.firmware().opaqueData(CcMode.ON).fwid().orElseThrow());
        // the leaf certifies the alias key, and the BROM the identity key that signs the leaf
        assertArrayEquals(b.gpu("gpu0").identity().aliasKey().getPublic().getEncoded(),
                leaf.getPublicKey().getEncoded());
        assertTrue(leaf.getPublicKey() instanceof ECPublicKey);
    }

    private static int countTrue(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }

    @Test
    public void theDescriptorIsADeviceOfNvidiaAndEachGpuIsListed() throws Exception {
        H100Backend b = fixture().backend(Map.of("gpus", 2));
        assertEquals(TeeKind.DEVICE, b.descriptor().kind());
        assertEquals("NVIDIA", b.descriptor().vendor());
        assertEquals("h100", b.descriptor().teeType());
        assertEquals("550.90.07", b.descriptor().firmware().text());
        assertEquals(List.of("gpu0", "gpu1"), b.devices().stream().map(DeviceInfo::id).toList());
        assertEquals("on", b.device("gpu1").mode());
        assertTrue(b.device("gpu1").confidential());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.device("gpu7"));
        assertTrue(e.getMessage(), e.getMessage().contains("[gpu0, gpu1]"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> fixture().backend(
                Map.of("gpus", 9)));
        assertTrue(bad.getMessage(), bad.getMessage().contains("gpus must be 1..8"));
    }

    @Test
    public void theTwoRimsHaveNvidiasIdsDisjointActiveSetsAndTheOnModeValues() throws Exception {
        Fixture f = fixture();
        H100Backend b = f.backend();
        assertTrue("nothing is signed at activation (start-up pays no XML signatures)", f.nvidia.published.isEmpty());
        assertEquals(List.of("NV_GPU_DRIVER_GH100_550.90.07", "NV_GPU_VBIOS_1010_0200_882_96009F0001"), b.rimIds());
        RimContent driver = f.nvidia.published.get("NV_GPU_DRIVER_GH100_550.90.07");
        RimContent vbios = f.nvidia.published.get("NV_GPU_VBIOS_1010_0200_882_96009F0001");
        assertEquals(RimContent.Kind.DRIVER, driver.kind());
        assertEquals("550.90.07", driver.colloquialVersion());
        assertEquals("96.00.9F.00.01", vbios.colloquialVersion());
        OpaqueData od = b.firmware().opaqueData(CcMode.ON);
        assertEquals("1010", od.project().orElseThrow());
        assertEquals("0200", od.projectSku().orElseThrow());
        assertEquals("882", od.chipSku().orElseThrow());
        List<MeasurementBlock> on = b.firmware().blocks(CcMode.ON);
        Set<Integer> active = new HashSet<>();
        for (RimContent rim : List.of(driver, vbios)) {
            assertEquals(64, rim.measurements().size());
            for (GoldenMeasurement g : rim.measurements()) {
                if (g.active()) {
                    assertTrue("index " + g.index() + " active in both RIMs", active.add(g.index()));
                    assertArrayEquals(on.get(g.index()).value(), g.alternatives().get(0));
                    assertEquals(g.index() + 1, on.get(g.index()).index());
                }
            }
        }
        for (MeasurementBlock m : on) {
            boolean zero = java.util.Arrays.equals(m.value(), new byte[48]);
            assertEquals("block " + m.index(), !zero, active.contains(m.index() - 1));
        }
        assertTrue(active.contains(GpuFirmware.CC_CONFIGURATION));
        assertEquals(List.of(6, 14, 15, 16, 17, 18, 19, 3, 4, 12, 13, 11, 20, 21), od.types());
        assertEquals("550.90.07", od.driverVersion());
        assertEquals("96.00.9f.00.01", od.vbiosVersion());
    }

    @Test
    public void devtoolsChangesOnlyTheCcConfigurationMeasurement() throws Exception {
        GpuFirmware fw = fixture().backend().firmware();
        List<MeasurementBlock> on = fw.blocks(CcMode.ON);
        List<MeasurementBlock> dev = fw.blocks(CcMode.DEVTOOLS);
        List<Integer> differ = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if (!java.util.Arrays.equals(on.get(i).value(), dev.get(i).value())) {
                differ.add(on.get(i).index());
            }
        }
        assertEquals(List.of(GpuFirmware.CC_CONFIGURATION + 1), differ);
        assertNotEquals(new String(on.get(12).value(), StandardCharsets.ISO_8859_1), new String(fw.blocks(CcMode.OFF)
                .get(12).value(), StandardCharsets.ISO_8859_1));
    }

    @Test
    public void theModeIsSetOnlyWhileNoGuestHoldsTheGpuAndSurvivesARestart() throws Exception {
        Fixture f = fixture();
        H100Backend b = f.backend();
        TestGuest g = new TestGuest("cvm", true, 16);
        b.attach("gpu0", g);
        TeeException e = assertThrows(TeeException.class, () -> b.setMode("gpu0", "devtools"));
        assertEquals("NV_ERR_STATE_IN_USE", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("held by guest cvm"));
        assertEquals("on", b.device("gpu0").mode());
        b.detach("gpu0");
        assertEquals("devtools", b.setMode("gpu0", "DevTools").mode());
        assertThrows(IllegalArgumentException.class, () -> b.setMode("gpu0", "partial"));
        List<X509Certificate> before = b.certificateChain("gpu0");
        H100Backend again = f.backend();
        assertEquals("devtools", again.device("gpu0").mode());
        assertEquals(before, again.certificateChain("gpu0"));
    }

    @Test
    public void aGpuInCcModeAttachesOnlyToAConfidentialGuest() throws Exception {
        H100Backend b = fixture().backend();
        TestGuest plain = new TestGuest("legacy", false, 16);
        TeeException e = assertThrows(TeeException.class, () -> b.attach("gpu0", plain));
        assertEquals("NV_ERR_NOT_SUPPORTED", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("attaches only to a confidential VM"));
        assertTrue(b.device("gpu0").guest().isEmpty());
        b.setMode("gpu0", "off");
        b.attach("gpu0", plain);
        assertEquals("legacy", b.device("gpu0").guest().orElseThrow());
        TeeException held = assertThrows(TeeException.class, () -> b.attach("gpu0", new TestGuest("cvm", true, 4)));
        assertEquals("NV_ERR_STATE_IN_USE", held.status().name());
    }

    @Test
    public void aHostWriteOrReadOfTheCprIsStoppedByTheFirewallAndUnprotectedMemoryIsPlain() throws Exception {
        H100Backend b = fixture().backend();
        long cpr = 512L << 20;
        HostRead w = b.hostAccess("gpu0", cpr, HostAccess.WRITE, "host".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Effect.HOST_FAULT, w.outcome().effect());
        HostRead r = b.hostAccess("gpu0", cpr, HostAccess.READ, new byte[4]);
        assertEquals(Effect.FIXED_DATA, r.outcome().effect());
        assertArrayEquals(new byte[4], r.data());
        assertTrue(r.outcome().explanation(), r.outcome().explanation().contains("memory firewall"));
        byte[] text = "unprotected".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Effect.UNDETECTED, b.hostAccess("gpu0", 0x1000, HostAccess.WRITE, text).outcome().effect());
        assertArrayEquals(text, b.hostAccess("gpu0", 0x1000, HostAccess.READ, new byte[text.length]).data());
        assertThrows(IllegalArgumentException.class, () -> b.hostAccess("gpu0", (80L << 30) - 2, HostAccess.READ,
                new byte[4]));
        // in mode off there is no CPR
        b.setMode("gpu0", "off");
        assertEquals(Effect.UNDETECTED, b.hostAccess("gpu0", cpr, HostAccess.WRITE, text).outcome().effect());
        assertArrayEquals(text, b.hostAccess("gpu0", cpr, HostAccess.READ, new byte[text.length]).data());
    }

    @Test
    public void debuggingAndPerformanceCountersAreRefusedInModeOnAndAllowedInDevtools() throws Exception {
        H100Backend b = fixture().backend();
        TeeException e = assertThrows(TeeException.class, () -> b.debugRead("gpu0", 512L << 20, 16));
        assertEquals("NV_ERR_INSUFFICIENT_PERMISSIONS", e.status().name());
        assertThrows(TeeException.class, () -> b.perfCounters("gpu0"));
        assertEquals("refused", b.device("gpu0").properties().get("debugging"));
        b.setMode("gpu0", "devtools");
        assertEquals(16, b.debugRead("gpu0", 512L << 20, 16).length);
        assertTrue(b.perfCounters("gpu0").containsKey("resets"));
        assertEquals("on", b.device("gpu0").properties().get("performance counters"));
    }

    @Test
    public void exchangeAndSubmitNeedAGuestAndMalformedMessagesAreRefusedByName() throws Exception {
        H100Backend b = fixture().backend();
        byte[] getVersion = Mailbox.frame(io.teebox.spdm.Packet.plain(new byte[] {0x10, (byte) 0x84, 0, 0}));
        TeeException e = assertThrows(TeeException.class, () -> b.exchange("gpu0", getVersion));
        assertEquals("NV_ERR_INVALID_STATE", e.status().name());
        b.attach("gpu0", new TestGuest("cvm", true, 16));
        byte[] badType = getVersion.clone();
        badType[0] = 9;
        TeeException frame = assertThrows(TeeException.class, () -> b.exchange("gpu0", badType));
        assertTrue(frame.getMessage(), frame.getMessage().contains("NV_SPDM_DESC_HEADER.msgType is 9"));
        io.teebox.spdm.Packet version = Mailbox.unframe(b.exchange("gpu0", getVersion));
        assertFalse(version.secured());
        assertEquals(0x04, version.bytes()[1]);
        TeeException sub = assertThrows(TeeException.class, () -> b.submit("gpu0", new byte[39]));
        assertEquals("NV_ERR_INVALID_ARGUMENT", sub.status().name());
        byte[] noSession = new WorkSubmission(1, 0, 0x10001, 1, 0, 512L << 20, 16).encode();
        TeeException s = assertThrows(TeeException.class, () -> b.submit("gpu0", noSession));
        assertEquals("NV_ERR_INVALID_STATE", s.status().name());
        assertTrue(s.getMessage(), s.getMessage().contains("no established SPDM session"));
        assertFalse(b.device("gpu0").guest().isEmpty());
    }
}
