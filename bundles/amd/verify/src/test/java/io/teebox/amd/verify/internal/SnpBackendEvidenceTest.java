package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.amd.snp.testing.SnpPlatform;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x86.CpuModels;

/**
 * The SNP verifier's appraisals of the reports teebox's SNP backend makes: genuine ones accepted, every tamper,
 * another chip's VCEK, a debug policy, a stale VCEK after a firmware update rejected with a reason; VLEK-signed
 * and Turin version 5 reports; the CPUID of each product line (moved here from sev-snp's SnpBackendTest: the
 * verifier never depends on the emulator, its tests may).
 */
public class SnpBackendEvidenceTest {

    private static AmdSecureProcessor sp;
    private static SnpPlatform snp;

    @BeforeClass
    public static void setUp() {
        sp = AmdPlatforms.processor(Map.of("maxAsid", 100, "minSevAsid", 90));
        snp = new SnpPlatform(sp);
    }

    private static VerificationOptions trustingArk(AmdSecureProcessor p, Map<String, String> refs,
            Map<String, String> policy) throws Exception {
        return new VerificationOptions(Clock.systemUTC(), List.of(p.keys().ark().getEncoded()), refs, policy);
    }

    @Test
    public void reportVerifiesAndEveryTamperIsRejectedWithAReason() throws Exception {
        LaunchSession s = snp.launch(new MapGuestMemory(1), 1, CpuModels.signature("EPYC-v4"), null);
        Evidence e = snp.attest(s.handle(), null, "nonce".getBytes(StandardCharsets.UTF_8));
        SnpReportVerifier v = new SnpReportVerifier();
        String measurement = SnpPlatform.expected("snp-1vcpu-epyc-v4");
        Appraisal ok = v.verify(e, trustingArk(sp, Map.of("measurement", measurement, "report_data",
                Hex.encode("nonce".getBytes(StandardCharsets.UTF_8))), Map.of()));
        assertTrue(ok.failures().toString(), ok.accepted());
        assertEquals(measurement, ok.claim("measurement"));

        for (int off : new int[] {0x008, 0x050, 0x090, 0x180, 0x1A0, 0x29F}) {
            byte[] r = e.report();
            r[off] ^= 0x01;
            Appraisal bad = v.verify(new Evidence(e.format(), r, e.certificates(), Map.of()), trustingArk(sp, Map.of(),
                    Map.of()));
            assertFalse("offset 0x" + Integer.toHexString(off), bad.accepted());
            assertTrue(bad.failures().toString(), bad.failures().stream().anyMatch(f -> f.check().equals("signature")
                    || f.check().equals("format") || f.check().equals("policy")));
        }
        Appraisal wrongMeasurement = v.verify(e, trustingArk(sp, Map.of("measurement", "00" + measurement.substring(2)),
                Map.of()));
        assertEquals("measurement", wrongMeasurement.failures().get(0).check());
        Appraisal minimum = v.verify(e, trustingArk(sp, Map.of(), Map.of("minimum_tcb", "0xFF00000000000000")));
        assertEquals("tcb", minimum.failures().get(0).check());
        Appraisal untrusted = v.verify(e, new VerificationOptions(Clock.systemUTC(), List.of(), Map.of(), Map.of()));
        assertEquals("chain", untrusted.failures().get(0).check());
    }

    @Test
    public void vcekOfAnotherChipAndDebugPolicyAreRejected() throws Exception {
        AmdSecureProcessor other = AmdPlatforms.processor(Map.of("chipSeed", "another-chip"));
        SnpPlatform otherSnp = new SnpPlatform(other);
        LaunchSession s = snp.launch(new MapGuestMemory(1), 1, 0x800F12, null);
        Evidence mine = snp.attest(s.handle(), null, new byte[0]);
        LaunchSession o = otherSnp.launch(new MapGuestMemory(1), 1, 0x800F12, null);
        Evidence theirs = otherSnp.attest(o.handle(), null, new byte[0]);
        Evidence mixed = new Evidence(mine.format(), mine.report(), theirs.certificates(), Map.of());
        Appraisal v = new SnpReportVerifier().verify(mixed, trustingArk(other, Map.of(), Map.of()));
        assertTrue(v.failures().toString(), v.failures().stream().anyMatch(f -> f.check().equals("chip")));
        assertTrue(v.failures().stream().anyMatch(f -> f.check().equals("signature")));

        LaunchSession dbg = snp.begin(new LaunchRequest(SnpPlatform.POLICY | 1L << 19, Map.of(), 1, "x"), new MapGuestMemory(1));
        dbg.addPages(0x1000, 4096, PageType.SECRETS);
        dbg.finish();
        Appraisal d = new SnpReportVerifier().verify(snp.attest(dbg.handle(), null, new byte[0]), trustingArk(sp,
                Map.of(), Map.of()));
        assertEquals("debug", d.failures().get(0).check());
    }

    @Test
    public void firmwareUpdateGivesNewTcbAndNewVcekForTheRunningGuest() throws Exception {
        AmdSecureProcessor p = AmdPlatforms.processor(Map.of("chipSeed", "update-chip"));
        LaunchSession s = new SnpPlatform(p).launch(new MapGuestMemory(1), 1, 0x800F12, null);
        Evidence before = new SnpPlatform(p).attest(s.handle(), null, new byte[0]);
        AmdPlatforms.update(p, Map.of("chipSeed", "update-chip", "snpSpl", 9));
        SnpPlatform updated = new SnpPlatform(p);
        Evidence after = updated.attest(s.handle(), null, new byte[0]);
        Appraisal v = new SnpReportVerifier().verify(after, trustingArk(p, Map.of(), Map.of("minimum_tcb",
                String.format("%016X", p.snpTcb().asLong()))));
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals(9, after.report()[0x180 + 6]);
        assertFalse(java.util.Arrays.equals(before.certificates().get(0), after.certificates().get(0)));
        Appraisal stale = new SnpReportVerifier().verify(new Evidence(after.format(), after.report(),
                before.certificates(), Map.of()), trustingArk(p, Map.of(), Map.of()));
        assertTrue(stale.failures().stream().anyMatch(f -> f.check().equals("tcb")));
    }

    @Test
    public void vlekSignedReportsAndTurinVersion5ReportsVerify() throws Exception {
        AmdSecureProcessor vlek = AmdPlatforms.processor(Map.of("chipSeed", "vlek-chip", "signingKey", "VLEK"));
        SnpPlatform b = new SnpPlatform(vlek);
        Evidence e = b.attest(b.launch(new MapGuestMemory(1), 1, 0x800F12, null).handle(), null, new byte[0]);
        assertEquals(1, (e.report()[0x48] >> 2) & 7);
        Appraisal v = new SnpReportVerifier().verify(e, trustingArk(vlek, Map.of(), Map.of()));
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals("VLEK of teebox-cloud", v.claim("signing_key"));
        assertTrue(e.attachments().containsKey("certificate-table"));
        assertTrue(io.teebox.amd.abi.SnpCertTable.parse(e.attachments().get("certificate-table"))
                .containsKey(io.teebox.amd.abi.SnpCertTable.VLEK));

        AmdSecureProcessor turin = AmdPlatforms.processor(Map.of("chipSeed", "turin-chip", "productLine", "Turin"));
        SnpPlatform t = new SnpPlatform(turin);
        Evidence te = t.attest(t.launch(new MapGuestMemory(1), 1, 0xB00F00, null).handle(), null, new byte[0]);
        assertEquals(5, te.report()[0]);
        assertEquals(0x1A, te.report()[0x188]);
        Appraisal tv = new SnpReportVerifier().verify(te, trustingArk(turin, Map.of(), Map.of()));
        assertTrue(tv.failures().toString(), tv.accepted());
        assertEquals("Turin-B0", tv.claim("product"));
    }

    @Test
    public void reportCpuidAgreesWithTheVcekProductOfEachLine() throws Exception {
        // product line -> {family, model, stepping, VCEK productName}: KDS names stepping-1 Milan parts Milan-B0 and
        // gives Genoa VCEKs no stepping
        Map<String, Object[]> expected = Map.of("Milan", new Object[] {0x19, 0x01, 1, "Milan-B0"},
                "Genoa", new Object[] {0x19, 0x11, 1, "Genoa"}, "Turin", new Object[] {0x1A, 0x02, 0, "Turin-B0"});
        for (var x : expected.entrySet()) {
            AmdSecureProcessor p = x.getKey().equals("Milan") ? sp
                    : AmdPlatforms.processor(Map.of("chipSeed", "fms-chip", "productLine", x.getKey()));
            SnpPlatform b = new SnpPlatform(p);
            Evidence e = b.attest(b.launch(new MapGuestMemory(1), 1, 0x800F12, null).handle(), null, new byte[0]);
            byte[] r = e.report();
            Object[] want = x.getValue();
            assertEquals(x.getKey(), List.of(want[0], want[1], want[2]), List.of(r[0x188] & 0xFF, r[0x189] & 0xFF,
                    r[0x18A] & 0xFF));
            java.security.cert.X509Certificate vcek = io.teebox.kit.x509.X509Authority.certificateFromDer(
                    e.certificates().get(0));
            byte[] name = org.bouncycastle.asn1.ASN1OctetString.getInstance(vcek.getExtensionValue(
                    io.teebox.amd.abi.AmdKeyHierarchy.OID + "2")).getOctets();
            assertEquals(want[3], org.bouncycastle.asn1.DERIA5String.getInstance(name).getString());
            Appraisal v = new SnpReportVerifier().verify(e, trustingArk(p, Map.of(), Map.of("require_crl", "true")));
            assertTrue(x.getKey() + " " + v.failures(), v.accepted());
        }
    }

    @Test
    public void theIdBlocksDigestsAreReferenceValues() {
        java.security.KeyPair id = io.teebox.kit.crypto.EcKeys.generate("P-384");
        java.security.KeyPair author = io.teebox.kit.crypto.EcKeys.generate("P-384");
        byte[] ld = Hex.decode(SnpPlatform.expected("snp-1vcpu-epyc-v4"));
        byte[][] good = io.teebox.amd.abi.SnpIdBlock.build(ld, SnpPlatform.POLICY, new byte[16], new byte[16], 7, id,
                author);
        LaunchSession s = snp.prepareWithIdBlock(good);
        s.finish();
        Evidence e = snp.attest(s.handle(), null, new byte[0]);
        var f = io.teebox.amd.abi.SnpReport.parse(e.report()).fields();
        try {
            Appraisal byIds = new SnpReportVerifier().verify(e, trustingArk(sp, Map.of("id_key_digest",
                    Hex.encode(f.bytes("ID_KEY_DIGEST")), "vmpl", "0"), Map.of()));
            assertTrue(byIds.failures().toString(), byIds.accepted());
            Appraisal wrongId = new SnpReportVerifier().verify(e, trustingArk(sp, Map.of("author_key_digest",
                    "00".repeat(48), "vmpl", "1"), Map.of()));
            assertEquals(List.of("author_key_digest", "vmpl"), wrongId.failures().stream().map(x -> x.check())
                    .toList());
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }
}
