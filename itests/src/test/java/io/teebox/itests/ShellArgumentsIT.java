package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.teebox.api.hypervisor.GuestState;

/**
 * Commands as Gogo parses and binds them in the running platform: bad arguments are refused with one clear line
 * naming the argument, and good ones given the way users type them work.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellArgumentsIT extends TeeboxTestSupport {

    private Object run(String commands) throws Exception {
        return gogo(commands, "tee", "guest");
    }

    private String fails(String commands) throws Exception {
        return gogoFails(commands, "tee", "guest");
    }

    @Test
    public void aLaunchWaitsForAGuestOwnerThatIsStartingAndNamesItsBundleWhenItDoesNotCome() throws Exception {
        org.osgi.framework.Bundle owners = installedBundle("io.teebox.amd-owner");
        run("guest:create -t sev late-owner");
        owners.stop();
        try {
            // the owner's bundle starts while the command waits, as right after the platform starts
            Thread starter = new Thread(() -> {
                try {
                    Thread.sleep(500);
                    owners.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            starter.start();
            run("guest:launch late-owner");
            starter.join();
            assertEquals(GuestState.RUNNING, hypervisor().guest("late-owner").state());

            run("guest:create -t sev no-owner");
            owners.stop();
            String e = fails("guest:launch no-owner");
            assertTrue(e, e.startsWith("no guest owner for tee.type sev is present after 3 s"));
            assertTrue("the hint names the bundle and its state: " + e,
                    e.contains("io.teebox.amd-owner (RESOLVED, not started)"));
            assertEquals(GuestState.CREATED, hypervisor().guest("no-owner").state());
        } finally {
            owners.start();
        }
    }

    @Test
    public void firmwareTakesItsFileAsAPositionalArgument() throws Exception {
        Path fw = Files.createTempFile("fw", ".fd");
        Files.write(fw, io.teebox.kit.firmware.DefaultFirmware.image());
        String shown = String.valueOf(run("tee:firmware " + fw));
        assertTrue(shown, shown.contains("load address"));
        // decoded, not raw: footer entries by name, TDVF sections by what the TDX module does with them
        assertTrue(shown, shown.contains("footer SEV-ES reset block (00f771de-1a7e-4fcb-890e-68c77e2fb44e)"));
        assertTrue(shown, shown.lines().anyMatch(l -> l.startsWith("TDX metadata 0xFFFE2000")
                && l.contains("BFV size 0x1E000, image 0x2000+0x1E000, measured (MR.EXTEND)")));
        assertTrue(shown, !shown.contains("TdxMetadataSection["));
        assertTrue(String.valueOf(run("tee:firmware -f " + fw)).contains("load address"));
        assertTrue(fails("tee:firmware " + fw + " " + fw).contains("one image"));
    }

    @Test
    public void certificatesCreateTheirOutputDirectory() throws Exception {
        Path dir = Files.createTempDirectory("certs").resolve("new/sub");
        run("tee:certificates -o " + dir + " sev-snp");
        for (String name : new String[] {"ark.der", "ask.der", "vcek.der"}) {
            assertTrue(name, Files.isRegularFile(dir.resolve(name)));
        }
        // snpguest's layout in PEM: the chain OpenSSL verifies, the VCEK of the TCB the reports are signed under
        Path pem = Files.createTempDirectory("pem");
        run("tee:certificates --pem -o " + pem + " sev-snp");
        java.security.cert.CertificateFactory x509 = java.security.cert.CertificateFactory.getInstance("X.509");
        java.util.Map<String, java.security.cert.X509Certificate> certs = new java.util.HashMap<>();
        for (String name : new String[] {"ark", "ask", "vcek"}) {
            String text = Files.readString(pem.resolve(name + ".pem"));
            assertTrue(name, text.startsWith("-----BEGIN CERTIFICATE-----"));
            try (java.io.InputStream in = Files.newInputStream(pem.resolve(name + ".pem"))) {
                certs.put(name, (java.security.cert.X509Certificate) x509.generateCertificate(in));
            }
        }
        certs.get("vcek").verify(certs.get("ask").getPublicKey());
        certs.get("ask").verify(certs.get("ark").getPublicKey());
        assertTrue(certs.get("vcek").getSubjectX500Principal().getName().contains("SEV-VCEK"));
        assertTrue(fails("tee:certificates --pem --der -o " + pem + " sev-snp").contains("--pem and --der"));
        Path file = Files.createTempFile("not", "dir");
        String e = fails("tee:certificates -o " + file.resolve("x") + " sev-snp");
        assertTrue(e, e.startsWith("out '") && e.contains("cannot be created as a directory"));
    }

    @Test
    public void launchArgumentsAreCheckedNamingTheOption() throws Exception {
        run("guest:create args-sev");
        String gpa = fails("guest:launch --secret hunter2 --secret-gpa 0x8000000000000000 args-sev");
        assertTrue(gpa, gpa.contains("secret-gpa 0x8000000000000000 is beyond the 52-bit"));
        String hex = fails("guest:launch -e zz args-sev");
        assertTrue(hex, hex.startsWith("expect 'zz' is not hex"));
        assertEquals("nothing was launched", GuestState.CREATED, hypervisor().guest("args-sev").state());
        hypervisor().destroy("args-sev");
    }

    @Test
    public void aVcpuModelOfTheOtherVendorIsRefusedAtCreate() throws Exception {
        String intel = fails("guest:create -t tdx --cpu EPYC-Milan args-td");
        assertTrue(intel, intel.contains("'EPYC-Milan' is not one the tdx backend runs")
                && intel.contains("SapphireRapids"));
        String amd = fails("guest:create -t sev --cpu SapphireRapids args-amd");
        assertTrue(amd, amd.contains("'SapphireRapids' is not one the sev backend runs") && amd.contains("EPYC-v4"));
    }
}
