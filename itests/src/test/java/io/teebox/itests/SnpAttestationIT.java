package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertThrows;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.hex.Hex;

/** An SEV-SNP guest launched by the hypervisor; its VCEK-signed report verifies against the emulated ARK. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SnpAttestationIT extends TeeboxTestSupport {

    @Test
    public void snpGuestReportCarriesTheExpectedMeasurementAndVerifies() throws Exception {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig("snp", "sev-snp", 2, "EPYC-Milan", GUEST_MEMORY));
        OwnerPolicy policy = new OwnerPolicy(0x30000, null, null, null, null, null, null, -1);
        hv.launch("snp", LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(policy));
        String expected = Hex.encode(guestOwner("sev-snp").expectedDigest(policy, 2, "EPYC-Milan"));

        byte[] nonce = Hex.decode("00112233445566778899aabbccddeeff");
        Evidence e = hv.context("snp").evidence(io.teebox.api.tee.Bytes.of(nonce));
        assertEquals("sev-snp-report", e.format());
        byte[] ark = backend("sev-snp").platformCertificates().get("ark");
        EvidenceVerifier verifier = service(EvidenceVerifier.class, "(evidence.format=sev-snp-report)");
        Appraisal v = verifier.verify(e, new VerificationOptions(Clock.systemUTC(), List.of(ark),
                Map.of("measurement", expected, "report_data", Hex.encode(nonce)), Map.of()));
        assertTrue(v.failures().toString(), v.accepted());

        byte[] secret = "snp private: 4f2a9c".getBytes();
        TeeException unvalidated = assertThrows(TeeException.class, () -> hv.context("snp").write(0x1000, secret));
        assertEquals("#VC", unvalidated.status().name());
        assertEquals(0, hv.context("snp").accept(0x1000, true));
        assertEquals("already validated: PVALIDATE changes nothing", 255, hv.context("snp").accept(0x1000, true));
        byte[] before = hv.hostRead("snp", 0x1000, 4096);
        hv.context("snp").write(0x1000, secret);
        assertTrue(java.util.Arrays.equals(secret, hv.context("snp").read(0x1000, secret.length)));
        byte[] ct = hv.hostRead("snp", 0x1000, 4096);
        assertEquals(HostAccessOutcome.Effect.HOST_FAULT, hv.hostWrite("snp", 0x1000, new byte[16]).effect());
        assertTrue("a faulted host write changes nothing", java.util.Arrays.equals(ct, hv.hostRead("snp", 0x1000,
                4096)));
        assertFalse(java.util.Arrays.equals(before, ct));
        for (long gpa = 0; gpa < 0x900000; gpa += 1 << 20) {
            assertEquals("the secret is in no host-visible byte", -1, indexOf(hv.hostRead("snp", gpa, 1 << 20),
                    secret));
        }

        assertEquals(0, hv.context("snp").accept(0x2000, true));
        hv.context("snp").write(0x2000, "second page".getBytes());
        assertEquals(HostAccessOutcome.Effect.GUEST_EXCEPTION, hv.hostRemap("snp", 0x1000, 0x2000).effect());
        TeeException remapped = assertThrows(TeeException.class, () -> hv.context("snp").read(0x1000, 16));
        assertEquals("#VC", remapped.status().name());
        assertTrue(remapped.getMessage(), remapped.getMessage().contains("remapped"));
        hv.hostRemap("snp", 0x1000, 0x2000);
        assertTrue(java.util.Arrays.equals(secret, hv.context("snp").read(0x1000, secret.length)));

        // page state change through the GHCB MSR protocol: 0x3000 becomes shared, the host may write it
        assertEquals(0x015L, hv.context("snp").extension(io.teebox.amd.guest.GhcbGuest.class).orElseThrow().msr(0, 0x014 | 2L << 52 | 0x3000));
        assertEquals(HostAccessOutcome.Effect.UNDETECTED, hv.hostWrite("snp", 0x3000, "to guest".getBytes())
                .effect());
        assertEquals("to guest", new String(hv.context("snp").read(0x3000, 8)));
        assertEquals(0x015L, hv.context("snp").extension(io.teebox.amd.guest.GhcbGuest.class).orElseThrow().msr(0, 0x014 | 1L << 52 | 0x3000));
        assertEquals("#VC", assertThrows(TeeException.class, () -> hv.context("snp").read(0x3000, 8)).status().name());
        assertEquals(0, hv.context("snp").accept(0x3000, true));
        assertEquals(0x015L | 1L << 32, hv.context("snp").extension(io.teebox.amd.guest.GhcbGuest.class).orElseThrow().msr(0, 0x014 | 7L << 52 | 0x3000));
    }
}
