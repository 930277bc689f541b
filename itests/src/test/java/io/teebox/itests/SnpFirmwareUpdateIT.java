package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;

/**
 * A firmware update while an SNP guest runs: a new TCB is configured and the sev-snp bundle is updated; the guest
 * survives, and its next report carries the new TCB and verifies against the new VCEK.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SnpFirmwareUpdateIT extends TeeboxTestSupport {

    private static final int SNP_SPL_OFFSET = 0x180 + 6;

    @Test
    public void guestSurvivesABundleUpdateAndReportsTheNewTcb() throws Exception {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig("upd", "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        hv.launch("upd", LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(0x30000, null, null, null,
                null, null, null, -1)));
        assertEquals(0, hv.context("upd").accept(0x1000, true));
        hv.context("upd").write(0x1000, "kept across the update".getBytes());
        Evidence before = hv.context("upd").evidence(io.teebox.api.tee.Bytes.of(new byte[] {1}));
        int oldSpl = before.report()[SNP_SPL_OFFSET];

        configure("io.teebox.amd.sp", Map.of("snpSpl", oldSpl + 1));
        Bundle snp = installedBundle("io.teebox.sev-snp");
        update(snp);
        // a bundle update on a loaded machine (the whole suite on two cores) takes longer than the usual wait
        try {
            await("sev-snp backend back with the new TCB", () -> hv.backends().stream().anyMatch(
                    d -> d.teeType().equals("sev-snp") && d.tcb().components().get("SNP") == oldSpl + 1), 30_000);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the backends show " + hv.backends().stream()
                    .map(d -> d.teeType() + " " + d.tcb().components()).toList() + ", the bundle is in state "
                    + snp.getState(), e);
        }
        await("guest RUNNING after the update", () -> hv.guest("upd").state() == GuestState.RUNNING, 30_000);

        assertEquals("kept across the update", new String(hv.context("upd").read(0x1000, 22)));
        Evidence after = hv.context("upd").evidence(io.teebox.api.tee.Bytes.of(new byte[] {2}));
        assertEquals(oldSpl + 1, after.report()[SNP_SPL_OFFSET]);
        assertFalse("a new TCB gives a new VCEK", Arrays.equals(before.certificates().get(0),
                after.certificates().get(0)));
        byte[] ark = backend("sev-snp").platformCertificates().get("ark");
        EvidenceVerifier verifier = service(EvidenceVerifier.class, "(evidence.format=sev-snp-report)");
        Appraisal v = verifier.verify(after, new VerificationOptions(Clock.systemUTC(), List.of(ark), Map.of(),
                Map.of("minimum_tcb", String.format("%016X", 0x7300000000000003L | (long) (oldSpl + 1) << 48))));
        assertTrue(v.failures().toString(), v.accepted());
        deleteConfiguration("io.teebox.amd.sp");
    }
}
