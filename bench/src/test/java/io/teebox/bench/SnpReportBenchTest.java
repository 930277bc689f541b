package io.teebox.bench;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.teebox.amd.abi.SnpReport;
import io.teebox.kit.crypto.Signatures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** The SNP benchmarks appraise and sign for real, and {@code benchmarks.jar -h} prints the usage. */
public class SnpReportBenchTest {

    @Test
    public void theSnpBenchmarksVerifyTheGenuineReportAndSignOnesThatVerify() {
        SnpReportBench b = new SnpReportBench();
        b.setUp();
        assertTrue(b.baselineP384Verify());
        assertTrue(b.verifyReport().failures().toString(), b.verifyReport().accepted());
        SnpReport signed = SnpReport.parse(b.signReport());
        java.math.BigInteger[] rs = signed.signature();
        assertTrue(Signatures.ecdsaVerify(b.signer.getPublic(), "SHA-384", signed.signedBytes(), rs[0], rs[1]));
        assertFalse(Signatures.ecdsaVerify(b.vcek, "SHA-384", signed.signedBytes(), rs[0], rs[1]));
    }

    @Test
    public void helpPrintsTheUsageAndJmhsOptions() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            BenchMain.main(new String[] {"-h"});
        } finally {
            System.setOut(old);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text, text.contains("--quick") && text.contains("-wi") && !text.contains("No benchmarks"));
    }
}
