package io.teebox.intel.tdx.internal;

import io.teebox.intel.pcs.IntelPcs;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.hex.Hex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * An independent DCAP verifier, Phala's @phala/dcap-qvl (pure JavaScript, installed here with npm), accepts a quote
 * and collateral exported by teebox when given teebox's Intel root, fetches the collateral from teebox's PCS by
 * itself, and rejects the quote with one MRTD byte flipped; on the genuine Quote v5 of go-tdx-guest it reads the
 * fields teebox's v5 parser reads.
 */
public class DcapQvlInteropTest {

    private static final Path DIR = Path.of("target", "dcap-qvl");
    private static Path module;
    private static IntelPcs pcs;
    private static TdxBackend backend;
    private static Path run;
    private static byte[] quote;
    private static byte[] mrtd;
    private static byte[] rtmr3;

    @BeforeClass
    public static void install() throws Exception {
        // Node and npm are part of the machines teebox is built on (see README); this test must not skip silently.
        assertEquals("node must be installed to run the DCAP interop test", 0,
                exec(List.of("node", "--version"), 30).exit);
        assertEquals("npm must be installed to run the DCAP interop test", 0, exec(List.of("npm", "--version"), 60).exit);
        module = DIR.resolve("node_modules/@phala/dcap-qvl").toAbsolutePath();
        if (!Files.isRegularFile(module.resolve("package.json"))) {
            Files.createDirectories(DIR);
            Result r = exec(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", DIR.toString(),
                    "@phala/dcap-qvl"), 300);
            assertEquals("npm install @phala/dcap-qvl failed:\n" + r.output, 0, r.exit);
        }
        pcs = TdxTesting.pcs();
        backend = TdxTesting.backend(pcs);
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, 1,
                new MapGuestMemory(1), Map.of());
        mrtd = s.measure().value();
        s.finish();
        TdxTesting.guest(backend, s.handle()).rtmrExtend(3, Digests.sha384("app".getBytes(StandardCharsets.US_ASCII)), "app");
        rtmr3 = io.teebox.intel.tdx.abi.TdReport.parse(TdxTesting.guest(backend, s.handle()).tdReport(new byte[64])).rtmr(3);
        byte[] reportData = new byte[64];
        reportData[0] = 0x42;
        quote = TdxTesting.guest(backend, s.handle()).getQuote(reportData);
        run = Files.createDirectories(Path.of("target", "dcap-qvl-run"));
        Files.write(run.resolve("quote.bin"), quote);
        Files.writeString(run.resolve("collateral.json"), pcs.collateral(TdxTesting.fmspc()));
        Files.write(run.resolve("root.der"), pcs.rootCaCertificate());
        Path script = run.resolve("verify.js");
        Files.write(script, TdxTesting.resource("/dcap-qvl/verify.js"));
    }

    @AfterClass
    public static void stop() {
        if (pcs != null) {
            TdxTesting.stop(pcs);
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result exec(List<String> command, int seconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (module != null) {
            pb.environment().put("DCAP_QVL", module.toString());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-2, "timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static JsonObject node(String mode, Path quoteFile, String source) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", run.resolve("verify.js").toString(), mode,
                quoteFile.toString(), source, run.resolve("root.der").toString(),
                Long.toString(System.currentTimeMillis() / 1000)));
        Result r = exec(cmd, 120);
        assertEquals(r.output, 0, r.exit);
        String[] lines = r.output.strip().split("\n");
        return JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    }

    @Test
    public void dcapQvlAcceptsTeeboxQuoteWithTeeboxRootAndCollateral() throws Exception {
        JsonObject r = node("verify", run.resolve("quote.bin"), run.resolve("collateral.json").toString());
        assertTrue(r.toString(), r.get("ok").getAsBoolean());
        assertEquals("UpToDate", r.get("status").getAsString());
        assertEquals(Hex.encode(mrtd), r.get("mrtd").getAsString());
        assertEquals(Hex.encode(rtmr3), r.get("rtmr3").getAsString());
        assertTrue(r.get("reportData").getAsString().startsWith("42"));
    }

    @Test
    public void dcapQvlRejectsTheQuoteWithOneMrtdByteFlipped() throws Exception {
        byte[] bad = quote.clone();
        bad[0xB8] ^= 0x01;
        Path file = run.resolve("quote-flipped-mrtd.bin");
        Files.write(file, bad);
        JsonObject r = node("verify", file, run.resolve("collateral.json").toString());
        assertFalse(r.toString(), r.get("ok").getAsBoolean());
        assertTrue(r.toString(), r.get("error").getAsString().contains("signature is invalid"));
    }

    @Test
    public void dcapQvlFetchesCollateralFromTheTeeboxPcsAndAccepts() throws Exception {
        JsonObject r = node("fetch", run.resolve("quote.bin"), pcs.baseUrl().toString());
        assertTrue(r.toString(), r.get("ok").getAsBoolean());
        assertEquals("UpToDate", r.get("status").getAsString());
    }

    @Test
    public void dcapQvlParsesTheGenuineQuoteV5AsTeeboxDoes() throws Exception {
        byte[] raw = TdxTesting.resource("/vectors/intel-tdx/quote_v5_sample.dat");
        Path file = run.resolve("quote_v5_sample.dat");
        Files.write(file, raw);
        JsonObject r = node("parse", file, "-");
        io.teebox.intel.tdx.abi.Quote q = io.teebox.intel.tdx.abi.Quote.parse(raw);
        assertTrue(r.toString(), r.get("ok").getAsBoolean());
        assertEquals(5, r.get("version").getAsInt());
        assertEquals("td15", r.get("type").getAsString());
        assertEquals(q.signedBytes().length, r.get("signedLength").getAsInt());
        assertEquals(Hex.encode(q.body().bytes("MRTD")), r.get("mrtd").getAsString());
        assertEquals(Hex.encode(q.body().bytes("RTMR3")), r.get("rtmr3").getAsString());
        assertEquals(Hex.encode(q.body().bytes("REPORTDATA")), r.get("reportData").getAsString());
        assertEquals(Hex.encode(q.body().bytes("TEE_TCB_SVN2")), r.get("teeTcbSvn2").getAsString());
        assertEquals(Hex.encode(q.body().bytes("MRSERVICETD")), r.get("mrServiceTd").getAsString());
        assertEquals(q.pckChainPem().length, r.get("certChainLength").getAsInt());
    }
}
