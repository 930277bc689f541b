package io.teebox.tpm.vtpm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.kit.hex.Hex;
import io.teebox.tpm.abi.Tpm2bPublic;
import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmCc;
import io.teebox.tpm.abi.TpmReader;
import io.teebox.tpm.abi.TpmlPcrSelection;
import io.teebox.tpm.abi.TpmsPcrSelection;
import io.teebox.tpm.abi.TpmtAsymScheme;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.abi.TpmtSignature;
import io.teebox.tpm.vtpm.TpmClient.Response;

/**
 * tpm2-tools (tpm2-tss ESAPI over the mssim TCTI) drive the engine through {@link MssimServer}, and tpm2_checkquote
 * judges its quotes. The tools must be installed: they are the independent side of this test, so it fails without
 * them.
 */
public class Tpm2ToolsInteropTest {

    private static VirtualTpm tpm;
    private static MssimServer server;
    private static Path dir;

    @BeforeClass
    public static void start() throws IOException {
        for (String tool : List.of("tpm2_startup", "tpm2_checkquote", "tpm2_quote", "tpm2_createprimary")) {
            if (!onPath(tool)) {
                fail(tool + " is not installed: install the Debian packages tpm2-tools and libtss2-tcti-mssim0");
            }
        }
        tpm = VirtualTpm.create(VirtualTpmTest.seed(9), VirtualTpmTest.CLOCK);
        server = new MssimServer(tpm, 0);
        dir = Files.createTempDirectory("vtpm-tools");
        ok("tpm2_startup", "-c");
    }

    @AfterClass
    public static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static boolean onPath(String tool) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(p, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a tool against the server; returns exit code and output. */
    static Object[] run(String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("TPM2TOOLS_TCTI", "mssim:host=127.0.0.1,port=" + server.port());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        return new Object[] {p.exitValue(), out};
    }

    static String ok(String... cmd) throws IOException {
        Object[] r = run(cmd);
        assertEquals(String.join(" ", cmd) + " failed:\n" + r[1], 0, r[0]);
        return (String) r[1];
    }

    static int code(String... cmd) throws IOException {
        return (int) run(cmd)[0];
    }

    @Test
    public void toolsQuoteIsAcceptedByCheckquoteAndATamperedOneIsNot() throws IOException {
        ok("tpm2_pcrextend", "0:sha256=" + "00".repeat(31) + "01");
        String pcr = ok("tpm2_pcrread", "sha256:0");
        byte[] expected = TpmAlgId.SHA256.hash(new byte[32], Hex.decode("00".repeat(31) + "01"));
        assertTrue(pcr, pcr.contains("0x" + Hex.encode(expected).toUpperCase()));
        ok("tpm2_createprimary", "-C", "e", "-c", "ek-primary.ctx");
        ok("tpm2_createprimary", "-C", "o", "-c", "srk.ctx");
        ok("tpm2_create", "-C", "srk.ctx", "-G", "rsa2048", "-u", "ak.pub", "-r", "ak.priv");
        ok("tpm2_load", "-C", "srk.ctx", "-u", "ak.pub", "-r", "ak.priv", "-c", "ak.ctx");
        ok("tpm2_quote", "-c", "ak.ctx", "-l", "sha256:0,1,7", "-q", "cafe0123", "-m", "quote.msg", "-s",
                "quote.sig", "-o", "quote.pcrs", "-g", "sha256");
        ok("tpm2_checkquote", "-u", "ak.pub", "-m", "quote.msg", "-s", "quote.sig", "-f", "quote.pcrs", "-g",
                "sha256", "-q", "cafe0123");
        ok("tpm2_readpublic", "-c", "ak.ctx", "-o", "ak.pem", "-f", "pem");
        ok("tpm2_checkquote", "-u", "ak.pem", "-m", "quote.msg", "-s", "quote.sig", "-f", "quote.pcrs", "-g",
                "sha256", "-q", "cafe0123");
        assertNotEquals("a wrong nonce must fail", 0, code("tpm2_checkquote", "-u", "ak.pub", "-m", "quote.msg",
                "-s", "quote.sig", "-f", "quote.pcrs", "-g", "sha256", "-q", "cafe0124"));
        byte[] msg = Files.readAllBytes(dir.resolve("quote.msg"));
        msg[msg.length - 3] ^= 1;
        Files.write(dir.resolve("tampered.msg"), msg);
        assertNotEquals("a tampered quote must fail", 0, code("tpm2_checkquote", "-u", "ak.pub", "-m",
                "tampered.msg", "-s", "quote.sig", "-f", "quote.pcrs", "-g", "sha256", "-q", "cafe0123"));
    }

    @Test
    public void engineQuoteFromTheJavaApiIsAcceptedByCheckquote() throws IOException {
        TpmClient c = new TpmClient(tpm);
        int srk = (int) VirtualTpmTest.createPrimary(c, TpmClient.OWNER, VirtualTpmTest.storageTemplate())[0];
        for (TpmtPublic template : List.of(VirtualTpmTest.eccSigningTemplate(), VirtualTpmTest.rsaSigningTemplate())) {
            Object[] ak = VirtualTpmTest.createAndLoad(c, srk, template, new byte[0], new byte[0]);
            byte[] nonce = Hex.decode("0011223344556677");
            Response q = c.send(TpmCc.Quote, new int[] {(int) ak[0]}, VirtualTpmTest.PW, false, w -> {
                w.tpm2b(nonce);
                TpmtAsymScheme.NULL.write(w);
                TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, 0, 1, 2)).write(w);
            }).ok();
            TpmReader p = q.params();
            byte[] quoted = p.tpm2b(4096, "quoted");
            byte[] sig = TpmtSignature.parse(p).toBytes();
            String t = template.type().name();
            Files.write(dir.resolve(t + ".pub"), new Tpm2bPublic((TpmtPublic) ak[1]).toBytes());
            Files.write(dir.resolve(t + ".msg"), quoted);
            Files.write(dir.resolve(t + ".sig"), sig);
            ok("tpm2_checkquote", "-u", t + ".pub", "-m", t + ".msg", "-s", t + ".sig", "-q", "0011223344556677");
            sig[sig.length - 1] ^= 1;
            Files.write(dir.resolve(t + ".badsig"), sig);
            assertNotEquals(t + ": a tampered signature must fail", 0, code("tpm2_checkquote", "-u", t + ".pub", "-m",
                    t + ".msg", "-s", t + ".badsig", "-q", "0011223344556677"));
            c.send(TpmCc.FlushContext, w -> w.u32((int) ak[0])).ok();
        }
        c.send(TpmCc.FlushContext, w -> w.u32(srk)).ok();
    }

    @Test
    public void toolsSealWithAPcrPolicyAndUnsealOnlyWhileItHolds() throws IOException {
        ok("tpm2_createprimary", "-C", "o", "-c", "seal-parent.ctx");
        ok("tpm2_pcrread", "sha256:16", "-o", "pcr16.bin");
        ok("tpm2_createpolicy", "--policy-pcr", "-l", "sha256:16", "-f", "pcr16.bin", "-L", "pcr16.policy");
        Files.writeString(dir.resolve("secret.txt"), "disk key");
        ok("tpm2_create", "-C", "seal-parent.ctx", "-L", "pcr16.policy", "-i", "secret.txt", "-u", "seal.pub", "-r",
                "seal.priv");
        ok("tpm2_load", "-C", "seal-parent.ctx", "-u", "seal.pub", "-r", "seal.priv", "-c", "seal.ctx");
        assertEquals("disk key", ok("tpm2_unseal", "-c", "seal.ctx", "-p", "pcr:sha256:16").trim());
        ok("tpm2_pcrextend", "16:sha256=" + "11".repeat(32));
        Object[] r = run("tpm2_unseal", "-c", "seal.ctx", "-p", "pcr:sha256:16");
        assertNotEquals(0, r[0]);
        assertTrue((String) r[1], ((String) r[1]).contains("0x99D") || ((String) r[1]).contains("0x99d"));
    }

    @Test
    public void toolsNvIndicesHoldAnAkCertificate() throws IOException {
        ok("tpm2_nvdefine", "0x01c101d0", "-C", "o", "-s", "64", "-a", "ownerread|ownerwrite|authread|policywrite");
        Files.write(dir.resolve("cert.der"), Hex.decode("3082" + "ab".repeat(30)));
        ok("tpm2_nvwrite", "0x01c101d0", "-C", "o", "-i", "cert.der");
        ok("tpm2_nvread", "0x01c101d0", "-C", "o", "-s", "32", "-o", "cert.back");
        assertArrayEquals(Files.readAllBytes(dir.resolve("cert.der")), Files.readAllBytes(dir.resolve("cert.back")));
        assertTrue(ok("tpm2_nvreadpublic", "0x01c101d0").contains("0x1c101d0"));
        ok("tpm2_nvundefine", "0x01c101d0", "-C", "o");
    }

    @Test
    public void toolsEndorsementKeysHaveTheTcgTemplates() throws IOException {
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"rsa", EkTemplates.rsa2048()});
        cases.add(new Object[] {"ecc", EkTemplates.eccP256()});
        TpmClient c = new TpmClient(tpm);
        for (Object[] k : cases) {
            ok("tpm2_createek", "-G", (String) k[0], "-c", "ek-" + k[0] + ".ctx", "-u", "ek-" + k[0] + ".pub");
            TpmtPublic tools = Tpm2bPublic.parse(new TpmReader(Files.readAllBytes(dir.resolve("ek-" + k[0] + ".pub"))))
                    .publicArea();
            TpmtPublic template = (TpmtPublic) k[1];
            assertArrayEquals(template.withUnique(tools.unique()).toBytes(), tools.toBytes());
            // the same template from the Java side gives the very same key
            Object[] ek = VirtualTpmTest.createPrimary(c, TpmClient.ENDORSEMENT, template);
            assertArrayEquals(tools.toBytes(), ((TpmtPublic) ek[1]).toBytes());
            c.send(TpmCc.FlushContext, w -> w.u32((int) ek[0])).ok();
        }
    }
}
