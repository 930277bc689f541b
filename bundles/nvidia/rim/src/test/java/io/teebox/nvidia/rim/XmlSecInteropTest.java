package io.teebox.nvidia.rim;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.kit.x509.X509Authority;

/**
 * An independent XML-DSig implementation, xmlsec1 (Aleksey Sanin's XML Security Library on OpenSSL, Debian's
 * {@code xmlsec1}, which {@code .ci/run} installs), verifies NVIDIA's genuine RIMs with NVIDIA's RIM root and
 * teebox's RIMs with teebox's RIM root, and rejects a tampered one and the wrong root. Fails, never skips, without
 * xmlsec1.
 */
public class XmlSecInteropTest {

    static Path dir;

    @BeforeClass
    public static void tool() throws Exception {
        Result r;
        try {
            r = run(List.of("xmlsec1", "--version"));
        } catch (IOException e) {
            throw new AssertionError("xmlsec1 is not installed (apt-get install xmlsec1; .ci/run installs it): "
                    + e.getMessage(), e);
        }
        assertEquals(r.output, 0, r.exit);
        dir = Files.createTempDirectory("xmlsec-interop");
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("xmlsec1 did not finish", p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    static Result verify(byte[] rim, X509Certificate root, String gmtTime) throws Exception {
        Path file = Files.createTempFile(dir, "rim", ".swidtag");
        Files.write(file, rim);
        Path pem = Files.createTempFile(dir, "root", ".pem");
        Files.writeString(pem, X509Authority.toPem(root));
        return run(List.of("xmlsec1", "verify", "--trusted-pem", pem.toString(), "--verification-gmt-time", gmtTime,
                file.toString()));
    }

    @Test
    public void xmlsec1VerifiesNvidiasGenuineRims() throws Exception {
        for (String name : List.of(RimTest.DRIVER, RimTest.VBIOS)) {
            Result r = verify(RimTest.resource(name), RimTest.nvidiaRimRoot(), "2024-06-01 00:00:00");
            assertEquals(name + ": " + r.output, 0, r.exit);
        }
    }

    @Test
    public void xmlsec1VerifiesTeeboxRimsWithTeeboxRootOnly() throws Exception {
        byte[] rim = RimSignerTest.signed(RimSignerTest.driverContent());
        X509Certificate root = RimSignerTest.PKI.rimRoot().certificate();
        Result ok = verify(rim, root, "2026-12-01 00:00:00");
        assertEquals(ok.output, 0, ok.exit);
        String tampered = new String(rim, StandardCharsets.UTF_8).replace("colloquialVersion=\"550.90.07\"",
                "colloquialVersion=\"550.90.08\"");
        Result bad = verify(tampered.getBytes(StandardCharsets.UTF_8), root, "2026-12-01 00:00:00");
        assertNotEquals(bad.output, 0, bad.exit);
        Result wrongRoot = verify(rim, RimTest.nvidiaRimRoot(), "2026-12-01 00:00:00");
        assertNotEquals(wrongRoot.output, 0, wrongRoot.exit);
    }
}
