package io.teebox.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.kit.hex.Hex;

/**
 * Real firmware through the whole platform: Debian's {@code ovmf} 2022.11 {@code OVMF_CODE.fd} (split CODE image)
 * launches as SEV, SEV-ES and SEV-SNP guests of 2 EPYC-v4 vCPUs, and the firmware's measurement equals the value an
 * independent calculator (virtee/sev-snp-measure) gives for the file. A directly booted kernel that this firmware
 * cannot measure is refused before anything is loaded. Fails, never skips, when the package is missing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RealFirmwareIT extends TeeboxTestSupport {

    private static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE.fd");
    private static final String SNP_2_EPYC_V4 = "0d3d4c4fbdd21581bb6f16903c06d29c40d021902ffffab0d6d6b71f76229401f4"
            + "32b6d29e9de6d982851c6f9ebe1cbf";

    private static byte[] ovmfCode() throws IOException {
        if (!Files.isRegularFile(OVMF_CODE)) {
            throw new AssertionError(OVMF_CODE + " is missing: install Debian's ovmf package (.ci/run does)");
        }
        return Files.readAllBytes(OVMF_CODE);
    }

    private LaunchResult launch(String tee, String name, long policy, byte[] fw, byte[] kernel) {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig(name, tee, 2, "EPYC-v4", GUEST_MEMORY));
        OwnerPolicy p = new OwnerPolicy(policy, fw, kernel, null, kernel == null ? null : "console=ttyS0", null,
                null, -1);
        return hv.launch(name, new LaunchPlan(fw, kernel, null, kernel == null ? null : "console=ttyS0"),
                guestOwner(tee).prepare(p));
    }

    @Test
    public void debianOvmfCodeLaunchesUnderEverySevTypeAndMeasuresAsTheIndependentCalculator() throws IOException {
        byte[] fw = ovmfCode();
        assertEquals(GuestState.RUNNING, launch("sev", "real-sev", 0x1, fw, null).guest().state());
        assertEquals(GuestState.RUNNING, launch("sev-es", "real-es", 0x5, fw, null).guest().state());
        assertEquals(GuestState.RUNNING, launch("sev-snp", "real-snp", 0x30000, fw, null).guest().state());
        byte[] report = hypervisor().context("real-snp").evidence(io.teebox.api.tee.Bytes.of(new byte[64])).report();
        assertEquals("the SNP report's MEASUREMENT", SNP_2_EPYC_V4,
                Hex.encode(java.util.Arrays.copyOfRange(report, 0x90, 0xC0)));
        assertArrayEquals("no ID block was given, so the report carries no ID key digest", new byte[48],
                java.util.Arrays.copyOfRange(report, 0xE0, 0x110));
        assertEquals("KEY_INFO: no author key", 0, report[0x48] & 1);
    }

    @Test
    public void aKernelTheFirmwareCannotMeasureIsRefusedBeforeAnythingIsLoaded() throws IOException {
        byte[] fw = ovmfCode();
        byte[] kernel = "not measurable here".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (String tee : new String[] {"sev", "sev-es", "sev-snp"}) {
            String name = "unmeasured-" + tee;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> launch(tee, name, tee.equals("sev-snp") ? 0x30000 : tee.equals("sev-es") ? 0x5 : 0x1, fw,
                            kernel));
            assertTrue(e.getMessage(), e.getMessage().contains("cannot measure a directly booted kernel"));
            assertEquals("nothing was launched", GuestState.CREATED, hypervisor().guest(name).state());
            hypervisor().destroy(name);
        }
    }

    @Test
    public void aTdNeedsTdxMetadataThatFitsTheImage() throws IOException {
        byte[] fw = ovmfCode();
        hypervisor().create(new GuestConfig("real-td", "tdx", 1, "SapphireRapids", GUEST_MEMORY));
        RuntimeException e = assertThrows(RuntimeException.class, () -> hypervisor().launch("real-td",
                new LaunchPlan(fw, null, null, null), guestOwner("tdx").prepare(new OwnerPolicy(0x10000000L, fw,
                        null, null, null, null, null, -1))));
        assertTrue(e.getMessage(), e.getMessage().contains("TDX metadata section 0 (BFV)"));
        hypervisor().destroy("real-td");
    }
}
