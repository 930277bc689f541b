package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeKind;

/**
 * The H100 on a real framework: attached to a running SNP guest, the guest's driver opens its SPDM session and
 * copies through bounce buffers the host sees only as ciphertext; the host's tampering and replay are refused; the
 * h100 bundle is updated while attached (a GPU firmware update): the guest keeps running and its driver establishes a
 * new session; a GPU in CC mode refuses a guest without memory integrity.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GpuIT extends TeeboxTestSupport {

    private static final byte[] MODEL = "model weights: 0.25 0.5 -1.0 (confidential)".getBytes(StandardCharsets.UTF_8);

    private void snpGuest(String name) {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig(name, "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        hv.launch(name, LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(0x30000, null, null, null,
                null, null, null, -1)));
    }

    private static long bounce() {
        return GUEST_MEMORY - 64 * 4096;
    }

    @Test
    public void aGuestsDriverCopiesThroughBounceBuffersAndSurvivesAGpuFirmwareUpdate() throws Exception {
        Hypervisor hv = hypervisor();
        await("the h100 device backend", () -> hv.backends().stream().anyMatch(
                d -> d.teeType().equals("h100") && d.kind() == TeeKind.DEVICE));
        snpGuest("cvm");
        gogo("gpu:mode --set on gpu0", "gpu");
        gogo("gpu:attach cvm gpu0", "gpu");
        String session = String.valueOf(gogo("gpu:connect cvm gpu0", "gpu"));
        assertTrue(session, session.contains("established"));

        String copy = String.valueOf(gogo("gpu:copy cvm gpu0 0x20000000 '" + new String(MODEL, StandardCharsets.UTF_8)
                + "'", "gpu"));
        byte[] hostView = hv.hostRead("cvm", bounce(), 4096);
        assertEquals("the host sees no plaintext in the bounce buffer: " + copy, -1, indexOf(hostView, MODEL));
        assertNoRunOf(MODEL, 8, hostView, "the bounce buffer as the host sees it");
        String back = String.valueOf(gogo("gpu:copy --from-device cvm gpu0 0x20000000 " + MODEL.length, "gpu"));
        assertTrue(back, back.contains(new String(MODEL, StandardCharsets.UTF_8)));

        String peek = String.valueOf(gogo("gpu:peek gpu0 0x20000000 64", "gpu"));
        assertFalse("a host read of protected GPU memory yields no plaintext: " + peek,
                peek.contains("model weig"));

        String tampered = gogoFails("gpu:copy --tamper cvm gpu0 0x20001000 'tampered in transit'", "gpu");
        assertTrue(tampered, tampered.toLowerCase().contains("tag"));
        String replayed = gogoFails("gpu:replay cvm gpu0", "gpu");
        assertTrue(replayed, replayed.toLowerCase().contains("counter") || replayed.toLowerCase().contains("replay"));

        String busy = gogoFails("gpu:mode --set devtools gpu0", "gpu");
        assertTrue(busy, busy.contains("cvm"));

        Bundle h100 = installedBundle("io.teebox.nvidia-h100");
        update(h100);
        await("h100 back", () -> hv.backends().stream().anyMatch(d -> d.teeType().equals("h100")));
        assertEquals(GuestState.RUNNING, hv.guest("cvm").state());
        DeviceAssignment devices = service(DeviceAssignment.class, null);
        await("gpu0 attached again", () -> devices.assignments().equals(List.of(
                new DeviceAssignment.Assignment("gpu0", "h100", "cvm", true))));
        String again = String.valueOf(gogo("gpu:copy cvm gpu0 0x20000000 'after the update'", "gpu"));
        assertTrue(again, again.contains("after the update") || again.length() > 0);
        String after = String.valueOf(gogo("gpu:copy --from-device cvm gpu0 0x20000000 16", "gpu"));
        assertTrue(after, after.contains("after the update"));

        gogo("gpu:detach cvm gpu0", "gpu");
        assertTrue(devices.assignments().isEmpty());
        hv.destroy("cvm");
    }

    @Test
    public void aGpuInCcModeRefusesAGuestWithoutMemoryIntegrity() throws Exception {
        launchSevGuest("plain");
        gogo("gpu:mode --set on gpu0", "gpu");
        String refused = gogoFails("gpu:attach plain gpu0", "gpu");
        assertTrue(refused, refused.contains("plain"));
        assertTrue(service(DeviceAssignment.class, null).assignments().isEmpty());
        hypervisor().destroy("plain");
    }

    @Test
    public void oneSubmissionOfCpuAndGpuEvidenceGivesOneTokenAndADevtoolsGpuIsRefused() throws Exception {
        snpGuest("ai");
        gogo("gpu:mode --set on gpu0", "gpu");
        gogo("gpu:attach ai gpu0", "gpu");
        com.google.gson.JsonObject joint = com.google.gson.JsonParser.parseString(String.valueOf(gogo(
                "attest:guest --json --device gpu0 ai", "attest", "gpu"))).getAsJsonObject();
        assertEquals(joint.toString(), "affirming", joint.get("status").getAsString());
        com.google.gson.JsonObject claims = com.google.gson.JsonParser.parseString(String.valueOf(gogo(
                "attest:decode --json " + joint.get("token").getAsString(), "attest"))).getAsJsonObject()
                .getAsJsonObject("claims");
        com.google.gson.JsonObject submods = claims.getAsJsonObject("submods");
        assertEquals(claims.toString(), List.of("cpu0", "gpu0"), List.copyOf(submods.keySet()));
        assertEquals(submods.toString(), "affirming", submods.getAsJsonObject("gpu0").get("ear.status")
                .getAsString());

        // the GPU's evidence exported as files, and verified from them with the roots teebox exports
        String wrote = String.valueOf(gogo("gpu:attest -n " + "ab".repeat(32) + " -o target/gpu-it/gpu0.report ai gpu0; "
                + "gpu:rims -o target/gpu-it", "gpu"));
        assertTrue(wrote, wrote.contains("nvidia_roots.pem"));
        Object verdict = gogo("tee:verify -r target/gpu-it/nvidia_roots.pem -d " + "ab".repeat(32)
                + " nvidia-gpu-spdm-measurements target/gpu-it/gpu0.report", "tee");
        assertEquals(String.valueOf(verdict), io.teebox.api.appraisal.Tier.AFFIRMING,
                ((io.teebox.api.appraisal.Appraisal) verdict).status());

        // the host puts the GPU in devtools (profiling, debugging): its CC configuration measurement no longer
        // matches NVIDIA's VBIOS RIM, so the GPU part is contraindicated
        gogo("gpu:detach ai gpu0", "gpu");
        gogo("gpu:mode --set devtools gpu0", "gpu");
        gogo("gpu:attach ai gpu0", "gpu");
        com.google.gson.JsonObject dev = com.google.gson.JsonParser.parseString(String.valueOf(gogo(
                "attest:guest --json --device gpu0 ai", "attest", "gpu"))).getAsJsonObject();
        assertEquals(dev.toString(), "contraindicated", dev.get("status").getAsString());
        assertTrue(dev.toString(), dev.toString().contains("gpu0"));
        gogo("gpu:detach ai gpu0", "gpu");
        gogo("gpu:mode --set on gpu0", "gpu");
        hypervisor().destroy("ai");
    }
}
