package io.teebox.nvidia.h100.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.abi.OpaqueData;
import io.teebox.nvidia.abi.OpaqueField;
import io.teebox.nvidia.testing.NvidiaVectors;

/**
 * The device's leaf certificate and opaque data held against the genuine Hopper sample (nvidia-abi's test vectors,
 * NVIDIA's nvtrust {@code hopperCertChain.txt} and {@code hopperAttestationReport.txt}): the same structure with
 * other keys and values.
 */
public class GenuineShapeTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static TBSCertificate tbs(X509Certificate c) {
        return Certificate.getInstance(X509Authority.toDer(c)).getTBSCertificate();
    }

    private static List<String> rdnShape(org.bouncycastle.asn1.x500.X500Name n) {
        List<String> out = new ArrayList<>();
        for (RDN r : n.getRDNs()) {
            AttributeTypeAndValue a = r.getFirst();
            out.add(a.getType().getId() + ":" + a.getValue().toASN1Primitive().getClass().getSimpleName());
        }
        return out;
    }

    private static List<String> extensionShape(Extensions e) {
        List<String> out = new ArrayList<>();
        for (var oid : e.getExtensionOIDs()) {
            Extension x = e.getExtension(oid);
            out.add(oid.getId() + (x.isCritical() ? " critical" : "") + " " + x.getExtnValue().getOctets().length);
        }
        return out;
    }

    @Test
    public void theLeafIsShapedLikeTheGenuineFmcLeaf() throws Exception {
        H100Backend b = new Fixture(tmp.newFolder().toPath()).backend();
        TBSCertificate mine = tbs(b.certificateChain("gpu0").get(0));
        TBSCertificate genuine = tbs(NvidiaVectors.chain().get(0));
        assertEquals(genuine.getVersionNumber(), mine.getVersionNumber());
        assertEquals(genuine.getSignature(), mine.getSignature());
        assertEquals(rdnShape(genuine.getSubject()), rdnShape(mine.getSubject()));
        assertEquals(genuine.getStartDate().toASN1Primitive().getClass(), mine.getStartDate().toASN1Primitive()
                .getClass());
        assertEquals(genuine.getStartDate().getDate(), mine.getStartDate().getDate());
        assertEquals(genuine.getEndDate().toASN1Primitive().getClass(), mine.getEndDate().toASN1Primitive()
                .getClass());
        assertEquals(genuine.getEndDate().getDate(), mine.getEndDate().getDate());
        assertEquals(genuine.getSubjectPublicKeyInfo().getAlgorithm(), mine.getSubjectPublicKeyInfo().getAlgorithm());
        // a 160-bit serial with its top bit clear, as the genuine one (its subject key identifier's)
        assertEquals(159, genuine.getSerialNumber().getValue().bitLength());
        org.junit.Assert.assertTrue(mine.getSerialNumber().getValue().bitLength() <= 159);
        // the same extensions in the same order, criticality and (where fixed-size) length
        List<String> g = extensionShape(genuine.getExtensions());
        List<String> m = extensionShape(mine.getExtensions());
        assertEquals(g.size(), m.size());
        for (int i = 0; i < g.size(); i++) {
            String gi = g.get(i);
            String mi = m.get(i);
            if (gi.startsWith(Extension.subjectAlternativeName.getId())) {
                gi = gi.substring(0, gi.lastIndexOf(' '));
                mi = mi.substring(0, mi.lastIndexOf(' '));
            }
            assertEquals(gi, mi);
        }
        ASN1Encodable gSan = GeneralNames.getInstance(genuine.getExtensions().getExtension(
                Extension.subjectAlternativeName).getParsedValue()).getNames()[0].getName();
        ASN1Encodable mSan = GeneralNames.getInstance(mine.getExtensions().getExtension(
                Extension.subjectAlternativeName).getParsedValue()).getNames()[0].getName();
        assertEquals(ASN1Sequence.getInstance(gSan).getObjectAt(0), ASN1Sequence.getInstance(mSan).getObjectAt(0));
        assertEquals(ASN1Primitive.fromByteArray(genuine.getExtensions().getExtension(Extension.keyUsage)
                .getExtnValue().getOctets()), ASN1Primitive.fromByteArray(mine.getExtensions().getExtension(
                        Extension.keyUsage).getExtnValue().getOctets()));
    }

    @Test
    public void theOpaqueDataHasTheGenuineFieldsOrderAndSizes() throws Exception {
        H100Backend b = new Fixture(tmp.newFolder().toPath()).backend(java.util.Map.of("driverVersion",
                "550.90.07"));
        OpaqueData genuine = AttestationReport.parse(NvidiaVectors.report()).opaqueData();
        OpaqueData mine = b.firmware().opaqueData(CcMode.ON);
        assertEquals(genuine.types(), mine.types());
        for (int i = 0; i < genuine.fields().size(); i++) {
            OpaqueField gf = genuine.fields().get(i);
            assertEquals(gf.name(), gf.value().length, mine.fields().get(i).value().length);
        }
        // the default configuration is the genuine sample's board and firmware
        for (int type : new int[] {OpaqueField.VBIOS_VERSION, OpaqueField.BOARD_ID, OpaqueField.CHIP_SKU,
            OpaqueField.PROJECT, OpaqueField.PROJECT_SKU, OpaqueField.DRIVER_VERSION, OpaqueField.GPU_INFO,
            OpaqueField.CPRINFO, OpaqueField.NVDEC0_STATUS, OpaqueField.PROTECTED_PCIE_STATUS}) {
            assertArrayEquals(OpaqueField.name(type), genuine.get(type).orElseThrow(), mine.get(type).orElseThrow());
        }
        assertEquals(genuine.encode().length, mine.encode().length);
    }
}
