package io.teebox.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import io.teebox.api.guest.GuestContext;
import io.teebox.api.guest.PrivilegeLevels;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeException;
import io.teebox.tpm.guest.GuestTpm;
import io.teebox.tpm.guest.GuestTpms;

/**
 * The vTPM inside a CVM, measured and Secure Boot, and the confidential disk on a real Felix: the scenario opens the
 * root by attestation and then by the sealed key; each of the host's attacks is refused with its reason; the vTPM's
 * quote passes tpm2_checkquote; its state lives in the guest's encrypted pages at VMPL0, out of the guest OS's
 * reach, and survives a firmware update.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfidentialDiskIT extends TeeboxTestSupport {

    /** Runs a command; returns what it printed and returned, and the message of what it threw (or null). */
    private String[] run(String command) throws Exception {
        return runCommand(command, "(&(osgi.command.scope=scenario)(osgi.command.function=disk))");
    }

    private String snpGuest(String name) {
        Hypervisor h = service(Hypervisor.class, null);
        GuestOwnerService owner = service(GuestOwnerService.class, "(tee.type=sev-snp)");
        h.create(new GuestConfig(name, "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        byte[] image = io.teebox.kit.firmware.DefaultFirmware.image();
        h.launch(name, new LaunchPlan(image, null, null, null), owner.prepare(new OwnerPolicy(0x30000, image, null,
                null, null, null, null, -1)));
        return name;
    }

    @Test
    public void theRootOpensByAttestationOnFirstBootAndByTheSealedKeyAfter() throws Exception {
        String[] r = run("scenario:disk");
        assertNull(r[0], r[1]);
        String out = r[0];
        assertTrue(out, out.contains("no systemd-tpm2 token: first boot"));
        assertTrue(out, out.contains("the key broker released default/disk/"));
        assertTrue(out, out.contains("TPM2_RSA_Decrypt unwrapped it"));
        assertTrue(out, out.contains("enrolled the vTPM: keyslot 1"));
        assertTrue(out, out.contains("the vTPM unsealed the key of keyslot [1]"));
        assertTrue(out, out.contains("home/owner/notes.txt"));
        assertTrue(out, out.contains("RESULT: the root volume of disk-cvm-"));
        assertTrue(out, out.contains("signed by"));
    }

    private void assertRefused(String negative, String... reasons) throws Exception {
        String[] r = run("scenario:disk --negative " + negative);
        assertNotNull(negative + " was not refused: " + r[0], r[1]);
        assertTrue(r[1], r[1].startsWith("REFUSED: "));
        for (String reason : reasons) {
            assertTrue(negative + ": '" + reason + "' missing in\n" + r[0] + "\n" + r[1], (r[0] + r[1])
                    .contains(reason));
        }
    }

    @Test
    public void aModifiedInitramfsChangesPcr9SoTheVtpmAndTheBrokerRefuse() throws Exception {
        assertRefused("initramfs", "the vTPM refused to unseal", "TPM_RC_POLICY_FAIL", "PolicyDeny", "pcr9",
                "the root volume stays locked");
    }

    @Test
    public void aRevokedKernelStopsTheBootAtDbx() throws Exception {
        assertRefused("revoked-kernel", "BOOT STOPPED", "dbx");
    }

    @Test
    public void anOlderKernelBootsButGetsNoKey() throws Exception {
        assertRefused("older-kernel", "TPM_RC_POLICY_FAIL", "PolicyDeny", "pcr4");
    }

    @Test
    public void secureBootOffChangesPcr7AndGetsNoKey() throws Exception {
        assertRefused("secure-boot-off", "Secure Boot off", "TPM_RC_POLICY_FAIL", "PolicyDeny", "pcr7");
    }

    @Test
    public void aDiskCopiedToAnotherCvmGetsNoKey() throws Exception {
        assertRefused("copy", "the vTPM refused to unseal", "PolicyDeny", "ek_pub_sha256");
    }

    @Test
    public void theVtpmQuotePassesTpm2CheckquoteAndATamperedOneFails() throws Exception {
        String g = snpGuest("quote-cvm");
        try {
            Path dir = Files.createTempDirectory("vtpm-quote");
            String nonce = "00112233445566778899aabbccddeeff";
            String[] r = run("vtpm:quote -n " + nonce + " -p 0,4,7,9 -o " + dir.resolve("q") + " " + g);
            assertNull(r[0], r[1]);
            List<String> cmd = List.of("tpm2_checkquote", "-u", dir.resolve("q.ak.pub").toString(), "-m",
                    dir.resolve("q.attest").toString(), "-s", dir.resolve("q.sig").toString(), "-f",
                    dir.resolve("q.pcrs").toString(), "-g", "sha256", "-q", nonce);
            assertEquals(String.join(" ", cmd), 0, exec(cmd));
            byte[] attest = Files.readAllBytes(dir.resolve("q.attest"));
            attest[attest.length - 1] ^= 1;
            Files.write(dir.resolve("q.attest"), attest);
            assertTrue("tpm2_checkquote accepted a tampered quote", exec(cmd) != 0);
        } finally {
            service(Hypervisor.class, null).destroy(g);
        }
    }

    private static int exec(List<String> cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new AssertionError(cmd.get(0) + " is missing: install Debian's tpm2-tools (" + e.getMessage()
                    + ")");
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(cmd.get(0) + " did not finish");
        }
        return p.exitValue();
    }

    @Test
    public void theVtpmLivesAtVmpl0InEncryptedPagesAndSurvivesAFirmwareUpdate() throws Exception {
        String g = snpGuest("vmpl-cvm");
        Hypervisor h = service(Hypervisor.class, null);
        try {
            GuestTpms tpms = service(GuestTpms.class, null);
            GuestTpm tpm = tpms.of(g);
            byte[] digest = new byte[32];
            digest[0] = 7;
            tpm.extend(16, Map.of("sha256", digest));
            SortedMap<Integer, byte[]> before = tpm.pcrs("sha256");
            byte[] ekCert = tpm.ekCertificate().getEncoded();

            GuestContext ctx = h.context(g);
            PrivilegeLevels levels = ctx.extension(PrivilegeLevels.class).orElseThrow();
            long region = tpmRegion(tpms, g);
            try {
                levels.read(1, region, 16);
                fail("the guest OS at VMPL1 read the vTPM's page");
            } catch (TeeException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("VMPL1"));
            }
            assertArrayEquals("the paravisor at VMPL0 reads the state's magic", "TBXVTPM1".getBytes(
                    StandardCharsets.US_ASCII), java.util.Arrays.copyOf(levels.read(0, region, 16), 8));
            byte[] host = h.hostRead(g, region, 4096);
            assertTrue("the host sees the vTPM's state in clear", indexOf(host, "TBXVTPM1".getBytes(
                    StandardCharsets.US_ASCII)) < 0);
            assertTrue("the host sees the EK certificate in clear", indexOf(h.hostRead(g, region, 64 * 1024),
                    java.util.Arrays.copyOfRange(ekCert, 0, 32)) < 0);

            Bundle snp = bundle("io.teebox.sev-snp");
            snp.stop();
            snp.start();
            await("the SNP guest to run again", () -> h.guest(g).state().name().equals("RUNNING"));
            GuestTpm after = tpms.of(g);
            assertArrayEquals(before.get(16), after.pcrs("sha256").get(16));
            assertArrayEquals(ekCert, after.ekCertificate().getEncoded());
        } finally {
            h.destroy(g);
        }
    }

    @Test
    public void aTdsVtpmMirrorsItsPcrsIntoTheRtmrsAndItsEvidenceVerifies() throws Exception {
        Hypervisor h = service(Hypervisor.class, null);
        String td = "vtpm-td";
        h.create(new GuestConfig(td, "tdx", 1, "SPR", GUEST_MEMORY));
        try {
            h.launch(td, LaunchPlan.DEFAULT, service(GuestOwnerService.class, "(tee.type=tdx)").prepare(
                    new OwnerPolicy(0x10000000L, null, null, null, null, null, null, -1)));
            GuestTpm tpm = service(GuestTpms.class, null).of(td);
            byte[] rtmr2 = h.context(td).measurements().read(2).value();
            byte[] d384 = new byte[48];
            d384[0] = 1;
            tpm.extend(8, Map.of("sha256", new byte[32], "sha384", d384));
            byte[] expected = java.security.MessageDigest.getInstance("SHA-384").digest(concat(rtmr2, d384));
            assertArrayEquals("PCR 8 is mirrored into RTMR2", expected, h.context(td).measurements().read(2)
                    .value());
            io.teebox.api.attestation.EvidenceVerifier v = service(io.teebox.api.attestation.EvidenceVerifier.class,
                    "(evidence.format=hcl-vtpm)");
            byte[] nonce = new byte[48];
            nonce[0] = 5;
            io.teebox.api.appraisal.Appraisal a = v.verify(new io.teebox.api.attestation.Evidence("hcl-vtpm",
                    tpm.evidence(nonce, new int[] {0, 8}), List.of(), Map.of()),
                    new io.teebox.api.attestation.VerificationOptions(java.time.Clock.systemUTC(), List.of(),
                            Map.of(), Map.of()));
            assertEquals(a.failures().toString(), "tdx-quote-v4", a.claim("hardware_format"));
            assertTrue(a.failures().toString(), a.failures().stream().noneMatch(c -> !c.check().startsWith(
                    "hardware.")));
            assertArrayEquals(nonce, a.nonce().orElseThrow().value());
        } finally {
            h.destroy(td);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long tpmRegion(GuestTpms tpms, String guest) {
        return tpms.of(guest).stateAddress();
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
