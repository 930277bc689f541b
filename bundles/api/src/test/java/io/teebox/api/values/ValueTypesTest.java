package io.teebox.api.values;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.appraisal.Tier;
import io.teebox.api.appraisal.TrustClaim;
import io.teebox.api.attestation.CompositeEvidence;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.LaunchDefaults;
import io.teebox.api.tee.TcbVersion;

/** The API's value types hold every vendor's values, copy what they are given, and refuse bad ones by name. */
public class ValueTypesTest {

    @Test
    public void firmwareVersionsOfEveryVendorKeepTheirTextAndCompareByParts() {
        FirmwareVersion sev = FirmwareVersion.parse("1.55.21");
        assertEquals(List.of(1, 55, 21), sev.parts());
        assertEquals("1.55.21", sev.toString());
        FirmwareVersion tdx = FirmwareVersion.parse("1.5.06.00");
        assertEquals(List.of(1, 5, 6, 0), tdx.parts());
        assertEquals("the vendor's zero padding is kept", "1.5.06.00", tdx.text());
        FirmwareVersion driver = FirmwareVersion.parse("535.104.05");
        assertEquals(535, driver.major());
        assertEquals(104, driver.minor());
        FirmwareVersion vbios = FirmwareVersion.parse("96.00.9F.00.01", 16);
        assertEquals(List.of(0x96, 0, 0x9F, 0, 1), vbios.parts());
        assertTrue(FirmwareVersion.of(1, 55, 21).compareTo(FirmwareVersion.of(1, 55, 22)) < 0);
        assertTrue(FirmwareVersion.of(1, 5).compareTo(FirmwareVersion.of(1, 5, 0, 1)) < 0);
        assertTrue(sev.atLeast(1, 55));
        assertFalse(sev.atLeast(1, 56));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FirmwareVersion.parse("1.x.3"));
        assertTrue(e.getMessage(), e.getMessage().contains("part 'x'"));
        assertThrows(IllegalArgumentException.class, () -> new FirmwareVersion("-1", List.of(-1)));
        assertThrows(IllegalArgumentException.class, () -> new FirmwareVersion("", List.of()));
    }

    @Test
    public void tcbVersionsAreBytesOfAnyLengthWithNamedComponents() {
        byte[] teeTcbSvn = new byte[16];
        teeTcbSvn[0] = 5;
        teeTcbSvn[1] = 1;
        teeTcbSvn[15] = 0x7F;
        Map<String, Integer> comps = new LinkedHashMap<>();
        comps.put("TDX_MODULE_SVN", 5);
        TcbVersion tdx = new TcbVersion(Bytes.of(teeTcbSvn), comps);
        assertEquals("all 16 bytes of TEE_TCB_SVN are kept", 16, tdx.raw().length());
        assertEquals(0x7F, tdx.raw().at(15));
        comps.put("SEAM", 9);
        assertEquals("components are copied", 1, tdx.components().size());
        TcbVersion snp = TcbVersion.ofLong(0xDB18_0000_0000_0003L, Map.of("SNP", 0x18, "MICROCODE", 0xDB));
        assertEquals(0xDB18_0000_0000_0003L, snp.asLong());
        assertEquals(8, snp.raw().length());
    }

    @Test
    public void evidenceAndOptionsCopyTheBytesTheyAreGivenAndHandOutCopies() {
        byte[] report = {1, 2, 3};
        byte[] cert = {4, 5};
        List<byte[]> certs = new ArrayList<>(List.of(cert));
        Map<String, byte[]> att = new LinkedHashMap<>(Map.of("log", new byte[] {6}));
        Evidence e = new Evidence("f", report, certs, att);
        report[0] = 9;
        cert[0] = 9;
        certs.add(new byte[] {7});
        att.get("log")[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, e.report());
        assertArrayEquals(new byte[] {4, 5}, e.certificates().get(0));
        assertEquals(1, e.certificates().size());
        assertArrayEquals(new byte[] {6}, e.attachment("log"));
        e.report()[1] = 9;
        e.certificates().get(0)[1] = 9;
        assertArrayEquals("a caller cannot change the evidence through its accessors", new byte[] {1, 2, 3},
                e.report());
        assertArrayEquals(new byte[] {4, 5}, e.certificates().get(0));

        byte[] root = {1};
        VerificationOptions o = new VerificationOptions(Clock.systemUTC(), List.of(root), Map.of(), Map.of());
        root[0] = 2;
        o.trustedRoots().get(0)[0] = 3;
        assertArrayEquals("nor the roots a verifier trusts", new byte[] {1}, o.trustedRoots().get(0));

        byte[] fw = {1};
        LaunchPlan plan = new LaunchPlan(fw, null, null, null);
        fw[0] = 2;
        plan.firmware()[0] = 3;
        assertArrayEquals(new byte[] {1}, plan.firmware());
    }

    @Test
    public void anAppraisalIsTheWorstOfItsChecksPerClaimAndOverall() {
        Appraisal ok = Appraisal.of("f", Map.of("measurement", "ab"), List.of(Check.passed("signature", "ok"),
                Check.passed("measurement", "ok")), Bytes.of(new byte[] {1}));
        assertEquals(Tier.AFFIRMING, ok.status());
        assertTrue(ok.accepted());
        assertEquals(Tier.AFFIRMING, ok.vector().get(TrustClaim.HARDWARE));
        assertEquals(Tier.AFFIRMING, ok.vector().get(TrustClaim.EXECUTABLES));

        Appraisal warned = Appraisal.of("f", Map.of(), List.of(Check.passed("signature", "ok"),
                Check.warning("tcb_status", "OutOfDate")), null);
        assertEquals(Tier.WARNING, warned.status());
        assertTrue("a warning is accepted", warned.accepted());
        assertTrue(warned.failures().isEmpty());

        Appraisal bad = Appraisal.of("f", Map.of(), List.of("signature", "measurement", "report_data"),
                List.of(new Check("measurement", "expected ab, got cd")), null);
        assertEquals(Tier.CONTRAINDICATED, bad.status());
        assertFalse(bad.accepted());
        assertEquals(Tier.CONTRAINDICATED, bad.vector().get(TrustClaim.EXECUTABLES));
        assertEquals(Tier.AFFIRMING, bad.vector().get(TrustClaim.HARDWARE));
        assertEquals(List.of("signature", "report_data"), bad.passes().stream().map(Check::check).toList());
        assertEquals(Tier.NONE, Appraisal.of("f", Map.of(), List.of(), null).status());
        assertTrue(Tier.CONTRAINDICATED.worst(Tier.AFFIRMING) == Tier.CONTRAINDICATED);
        assertEquals(List.of(0, 2, 32, 96), List.of(Tier.NONE.code(), Tier.AFFIRMING.code(), Tier.WARNING.code(),
                Tier.CONTRAINDICATED.code()));
    }

    @Test
    public void compositeEvidenceAppraisesEachPartAsASubmodule() {
        Evidence cpu = new Evidence("cpu-format", new byte[] {1}, List.of(), Map.of());
        Evidence gpu = new Evidence("gpu-format", new byte[] {2}, List.of(), Map.of());
        Map<String, Evidence> parts = new LinkedHashMap<>();
        parts.put("cpu0", cpu);
        parts.put("gpu0", gpu);
        CompositeEvidence c = new CompositeEvidence(parts);
        parts.clear();
        assertEquals(List.of("cpu0", "gpu0"), List.copyOf(c.parts().keySet()));
        Appraisal a = c.appraise(e -> e.format().equals("cpu-format")
                ? Appraisal.of(e.format(), Map.of(), List.of(Check.passed("signature", "ok")), null)
                : Appraisal.of(e.format(), Map.of(), List.of(new Check("signature", "bad")), null),
                List.of(Check.passed("binding", "the GPU nonce is in the CPU report data")));
        assertEquals(Tier.CONTRAINDICATED, a.status());
        assertEquals(Tier.AFFIRMING, a.submods().get("cpu0").status());
        assertEquals("a submodule's failure is named with its component", List.of("gpu0.signature"),
                a.failures().stream().map(Check::check).toList());
        assertThrows(IllegalArgumentException.class, () -> new CompositeEvidence(Map.of()));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new CompositeEvidence(Map.of("GPU", gpu)));
        assertTrue(bad.getMessage(), bad.getMessage().contains("'GPU'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.part("gpu1")).getMessage()
                .contains("[cpu0, gpu0]"));
    }

    @Test
    public void guestConfigsAndLaunchDefaultsRefuseBadValuesByName() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new GuestConfig("bad name", "sev", 1, "EPYC", 4096)).getMessage().contains("guest name"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new GuestConfig("g", "sev", 65, "EPYC", 4096)).getMessage().contains("vcpus"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new GuestConfig("g", "sev", 1, "EPYC", 4097)).getMessage().contains("4096"));
        LaunchDefaults d = new LaunchDefaults(1, "policy", "NODBG", "EPYC-v4", List.of("EPYC-v4", "EPYC-Milan"));
        assertTrue(d.allows("epyc-milan"));
        assertTrue("a versioned QEMU name matches its base", d.allows("EPYC-Milan-v2"));
        assertFalse(d.allows("SapphireRapids"));
        assertThrows(IllegalArgumentException.class,
                () -> new LaunchDefaults(1, "policy", "", "SPR", List.of("EPYC-v4")));
    }
}
