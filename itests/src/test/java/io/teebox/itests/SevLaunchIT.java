package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.launch.LaunchLogEntry;

/** A full SEV launch of the built-in firmware with a guest owner, on the real platform. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SevLaunchIT extends TeeboxTestSupport {

    private static final List<String> LAUNCH_COMMANDS =
            List.of("LAUNCH_START", "LAUNCH_UPDATE_DATA", "LAUNCH_MEASURE", "LAUNCH_SECRET", "LAUNCH_FINISH");

    @Test
    public void guestReadsTheInjectedSecretWhileTheHostSeesOnlyCiphertext() {
        LaunchResult result = launchSevGuest("sev-launch");
        Hypervisor hv = hypervisor();

        assertEquals(GuestState.RUNNING, result.guest().state());
        assertEquals(GuestState.RUNNING, hv.guest("sev-launch").state());
        assertEquals("secret packets injected", 1, result.secretsInjected());

        long area = launchSecretAddress();
        long page = area & ~0xFFFL;
        byte[] guestView = hv.context("sev-launch").read(page, 4096);
        assertTrue("the guest finds the secret in its launch-secret area at 0x" + Long.toHexString(area),
                indexOf(guestView, SECRET) >= (int) (area - page));

        byte[] hostView = hv.hostRead("sev-launch", page, 4096);
        assertNoRunOf(SECRET, 4, hostView, "the host's view of page 0x" + Long.toHexString(page));
    }

    @Test
    public void launchLogHasEverySevLaunchCommandInOrderWithSuccess() {
        launchSevGuest("sev-log");
        List<LaunchLogEntry> log = hypervisor().launchLog("sev-log");

        List<String> seen = new ArrayList<>();
        for (LaunchLogEntry e : log) {
            if (LAUNCH_COMMANDS.contains(e.command())) {
                assertTrue(e + " did not succeed", e.status().isSuccess());
                assertEquals(e.command() + " status", "SUCCESS", e.status().name());
                if (!seen.contains(e.command())) {
                    seen.add(e.command());
                }
            }
        }
        assertEquals("launch commands in the log, in order of first appearance:\n" + log, LAUNCH_COMMANDS, seen);
    }

    @Test
    public void attestationOfARunningGuestVerifiesWithThePlatformsCek() {
        launchSevGuest("sev-attest");
        byte[] mnonce = "verifier nonce 1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        io.teebox.api.attestation.Evidence e = hypervisor().context("sev-attest").evidence(io.teebox.api.tee.Bytes.of(mnonce));
        assertEquals("sev-attestation", e.format());
        io.teebox.api.attestation.EvidenceVerifier v = service(io.teebox.api.attestation.EvidenceVerifier.class,
                "(evidence.format=sev-attestation)");
        byte[] cek = backend("sev").platformCertificates().get("cek");
        // the SEV launch digest of the built-in firmware is SHA-256 over the image, which LAUNCH_UPDATE_DATA measured
        String digest = io.teebox.kit.hex.Hex.encode(io.teebox.kit.crypto.Digests.sha256(
                io.teebox.kit.firmware.DefaultFirmware.image()));
        java.util.Map<String, String> refs = java.util.Map.of("report_data", java.util.HexFormat.of().formatHex(mnonce),
                "measurement", digest);
        io.teebox.api.appraisal.Appraisal ok = v.verify(e, new io.teebox.api.attestation.VerificationOptions(
                java.time.Clock.systemUTC(), List.of(cek), refs, java.util.Map.of()));
        assertTrue(ok.failures().toString(), ok.accepted());
        io.teebox.api.appraisal.Appraisal untrusted = v.verify(e,
                io.teebox.api.attestation.VerificationOptions.trusting(List.of()));
        assertEquals("chain", untrusted.failures().get(0).check());
    }
}
