package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * The launcher's batch modes as scripts and CI use them, each a fresh teebox process on the distribution's jar:
 * every backend is registered before the first command runs, a failing command exits 1 with one line naming what
 * was wrong, a REJECTED verdict exits 2.
 */
public class LauncherIT {

    /** The repository root the tests run the distribution of (system property teebox.root, default ..). */
    public static final Path ROOT = Path.of(System.getProperty("teebox.root", "..")).toAbsolutePath().normalize();

    /** The result of one run. */
    record Run(int exit, String out, String err) {
    }

    static Run teebox(String... args) throws IOException, InterruptedException {
        return teeboxIn(null, args);
    }

    private static Path shared;

    /**
     * The root the tests run the launcher in: a copy of the repository's (see {@link #rootCopy}), made once, so that
     * the tests neither touch the repository's config/ and state/ nor need its HTTP port: a teebox the user runs
     * beside {@code mvn verify}, or another build's, would hold 8440.
     *
     * @return the root
     * @throws IOException if it cannot be made
     */
    static synchronized Path root() throws IOException {
        if (shared == null) {
            Path jar = ROOT.resolve("distribution/target/teebox.jar");
            if (!Files.isRegularFile(jar)) {
                throw new AssertionError(jar + " is missing: the distribution module builds it before the itests");
            }
            shared = rootCopy();
        }
        return shared;
    }

    /** Runs the launcher with TEEBOX_STATE set to the given state directory (null: the configured one). */
    static Run teeboxIn(Path state, String... args) throws IOException, InterruptedException {
        return run(root(), state, args);
    }

    @Test
    public void aOneShotRunSeesEveryBackendOfThePlatformInTwentyFreshStarts() throws Exception {
        for (int i = 0; i < 20; i++) {
            Run r = teebox("-c", "tee:backends --json");
            assertEquals(r.err(), 0, r.exit());
            java.util.Set<String> types = new java.util.TreeSet<>();
            assertTrue("start " + i + " prints one JSON array:\n" + r.out(), r.out().startsWith("[")
                    && r.out().strip().endsWith("]"));
            com.google.gson.JsonParser.parseString(r.out()).getAsJsonArray()
                    .forEach(b -> types.add(b.getAsJsonObject().get("teeType").getAsString()));
            assertEquals("start " + i + ":\n" + r.out(), java.util.Set.of("h100", "sev", "sev-es", "sev-snp", "tdx"), types);
            assertEquals("start " + i + " prints nothing on stderr (logs go to state/log)", "", r.err());
        }
    }

    /**
     * {@code ./teebox measure} computes without the platform (no state directory is made) what the independent
     * calculators print for the synthetic firmware (virtee/sev-snp-measure for SEV, td-shim's calculator for the
     * MRTD; the values of tools/measure's vectors), and a mistake is one line with exit status 2.
     */
    @Test
    public void measurePrintsTheLaunchMeasurementWithoutStartingThePlatform() throws Exception {
        Path root = rootCopy();
        String ovmf = ROOT.resolve("tools/measure/src/test/resources/vectors/synthetic-ovmf.fd").toString();
        Run sev = teeboxAt(root, "measure", "--mode", "sev", "--ovmf", ovmf);
        assertEquals(sev.err(), 0, sev.exit());
        assertEquals("29af4f456d79125376c4066bae343df8f7eefaff90fa895a60e93671831b1c6b\n", sev.out());
        Run td = teeboxAt(root, "measure", "--mode", "tdx", "--ovmf", ovmf);
        assertEquals("0d3b0bae278bc60ae0b4da6d6427b4703dbd1b57b5083ba17954d4c40297c5e0b6d9aff7dbbf514e9ce490f9b2f30e23"
                + "\n", td.out());
        Run bad = teeboxAt(root, "measure", "--mode", "snp", "--vcpu", "2", "--ovmf", ovmf);
        assertEquals(2, bad.exit());
        assertEquals("teebox measure: error: unrecognized argument '--vcpu' (did you mean --vcpus?)\n", bad.err());
        assertFalse("measure started no platform", Files.exists(root.resolve("state")));
    }

    @Test
    public void helpAndArgumentMistakesInBatchMode() throws Exception {
        Run help = teebox("-c", "guest:create --help");
        assertEquals(help.err(), 0, help.exit());
        assertTrue(help.out(), help.out().contains("Usage: guest:create [OPTIONS] NAME"));
        Run option = teebox("-c", "guest:create --vcpu 2 x");
        assertEquals(1, option.exit());
        assertEquals("teebox: error: unknown option --vcpu (did you mean --vcpus?); see guest:create --help\n",
                option.err());
        Run typo = teebox("-c", "guest:lanch x");
        assertEquals(1, typo.exit());
        assertEquals("teebox: error: Command not found: guest:lanch; did you mean guest:launch? (help lists the "
                + "commands)\n", typo.err());
        Run json = teebox("-c", "guest:create --json j");
        assertEquals(json.err(), 0, json.exit());
        assertEquals("j", com.google.gson.JsonParser.parseString(json.out()).getAsJsonObject()
                .getAsJsonObject("config").get("name").getAsString());
    }

    @Test
    public void aVendorScopeCommandIsFoundInOneShotMode() throws Exception {
        Run r = teebox("-c", "guest:create -t tdx td; guest:launch td; tdx:report td");
        assertEquals(r.err(), 0, r.exit());
        assertTrue(r.out(), r.out().toLowerCase(java.util.Locale.ROOT).contains("mrtd"));
    }

    @Test
    public void aFailingCommandExitsOneWithOneLineNamingWhatWasWrong() throws Exception {
        Run r = teebox("-c", "guest:info nosuch");
        assertEquals(1, r.exit());
        assertTrue(r.err(), r.err().lines().anyMatch(l -> l.equals("teebox: error: no guest 'nosuch'; guests: []")));
    }

    @Test
    public void aRejectedVerdictExitsTwo() throws Exception {
        Path report = Files.createTempDirectory("teebox-launcher").resolve("snp.bin");
        Run r = teebox("-c", "guest:create -t sev-snp snp; guest:launch snp; guest:attest -o " + report
                + " 00112233 snp; tee:verify -d 44556677 sev-snp-report " + report);
        assertEquals(r.out() + r.err(), 2, r.exit());
        assertTrue(r.err(), r.err().contains("teebox: rejected: sev-snp-report " + report));
    }

    @Test
    public void aScriptRunsAndExitsZero() throws Exception {
        Path script = Files.createTempFile("teebox", ".gosh");
        Files.writeString(script, "echo \"from a script\"\nformat (guest:create -t sev s)\n");
        Run r = teebox("run", script.toString());
        assertEquals(r.err(), 0, r.exit());
        assertTrue(r.out(), r.out().contains("from a script"));
    }

    @Test
    public void aPlatformKeepsItsIdentityAcrossRestartsUntilReprovisioned() throws Exception {
        Path state = Files.createTempDirectory("teebox-state");
        Path dir = Files.createTempDirectory("teebox-identity");
        Run export = teeboxIn(state, "-c", "tee:certificates -o " + dir.resolve("first") + " sev-snp; tdx:collateral "
                + dir.resolve("coll.json"));
        assertEquals(export.err(), 0, export.exit());
        Path ark = dir.resolve("first/ark.der");
        assertTrue(Files.isRegularFile(ark));
        assertTrue("the chip seed is kept in the state directory", Files.isRegularFile(state.resolve("amd/chip-seed")));
        assertTrue("the framework storage is in the state directory", Files.isDirectory(state.resolve("framework")));

        String attestAndVerify = "guest:create -t sev-snp snp; guest:launch snp; guest:attest -o " + dir.resolve("r.bin")
                + " 00112233 snp; tee:verify -r " + ark + " -d 00112233 sev-snp-report " + dir.resolve("r.bin");
        Run next = teeboxIn(state, "-c", attestAndVerify);
        assertEquals("a report of the next run verifies with the ARK exported before: " + next.out() + next.err(), 0,
                next.exit());

        String quoteAndVerify = "guest:create -t tdx td; guest:launch td; tdx:quote -d 00112233 -o " + dir.resolve("q")
                + " td; tdx:verify -r " + dir.resolve("coll.json.root.der") + " " + dir.resolve("q");
        Run td = teeboxIn(state, "-c", quoteAndVerify);
        assertEquals("a quote of the next run verifies with the Intel root exported before: " + td.out() + td.err(),
                0, td.exit());

        Run re = teeboxIn(state, "reprovision", "amd");
        assertEquals(re.err(), 0, re.exit());
        assertTrue(re.out(), re.out().contains("removed the amd platform identity"));
        Run after = teeboxIn(state, "-c", attestAndVerify);
        assertEquals("after re-provisioning the old ARK no longer verifies: " + after.out() + after.err(), 2,
                after.exit());
        assertEquals(0, teeboxIn(state, "reprovision", "intel").exit());
        Run tdAfter = teeboxIn(state, "-c", quoteAndVerify);
        assertEquals("after re-provisioning Intel the old root no longer verifies: " + tdAfter.out() + tdAfter.err(),
                2, tdAfter.exit());
    }

    /**
     * A copy of the repository root to run the launcher in, with a config/ of its own (the HTTP server on a free
     * port), the distribution and the shell profile linked from the real one.
     *
     * @return the new root, a temporary directory
     * @throws IOException if it cannot be made
     */
    public static Path rootCopy() throws IOException {
        Path root = Files.createTempDirectory("teebox-root");
        Files.copy(ROOT.resolve("teebox"), root.resolve("teebox"));
        Files.createSymbolicLink(root.resolve("distribution"), ROOT.resolve("distribution"));
        Files.createSymbolicLink(root.resolve("etc"), ROOT.resolve("etc"));
        Files.createSymbolicLink(root.resolve("tools"), ROOT.resolve("tools"));
        Path config = Files.createDirectories(root.resolve("config"));
        try (var files = Files.list(ROOT.resolve("config"))) {
            for (Path f : files.toList()) {
                Files.copy(f, config.resolve(f.getFileName()));
            }
        }
        Path http = config.resolve("org.apache.felix.http.cfg");
        Files.writeString(http, Files.readString(http).replace("org.osgi.service.http.port = 8440",
                "org.osgi.service.http.port = 0"));
        return root;
    }

    static Run teeboxAt(Path root, String... args) throws IOException, InterruptedException {
        return run(root, root.resolve("state"), args);
    }

    private static Run run(Path root, Path state, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("teebox").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().put("TEEBOX_NO_BUILD", "1");
        if (state != null) {
            pb.environment().put("TEEBOX_STATE", state.toString());
        }
        File out = File.createTempFile("teebox-out", ".txt");
        File err = File.createTempFile("teebox-err", ".txt");
        pb.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("teebox " + String.join(" ", args) + " did not finish in 120 s");
        }
        Run r = new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
        out.delete();
        err.delete();
        return r;
    }

    @Test
    public void aOneShotRunPrintsOnlyItsResultAndLogsToTheStateDirectory() throws Exception {
        Path root = rootCopy();
        Run r = teeboxAt(root, "-c", "tee:backends");
        assertEquals(r.err(), 0, r.exit());
        assertEquals("nothing on stderr", "", r.err());
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(r.out(), 5, lines.size());
        for (String l : lines) {
            assertTrue("only backends on stdout: " + l, l.matches("(h100|sev|sev-es|sev-snp|tdx) .*"));
        }
        Path log = root.resolve("state/log/teebox.log");
        assertTrue("the log is in the state directory", Files.size(log) > 0);
        assertTrue(Files.readString(log), Files.readString(log).contains("[org.apache.felix.scr]"));
    }

    @Test
    public void aBadValueInACfgFileIsOneLineNamingFileKeyAndReason() throws Exception {
        Path root = rootCopy();
        Path amd = root.resolve("config/io.teebox.amd.sp.cfg");
        Files.writeString(amd, Files.readString(amd).replace("maxAsid = 15", "maxAsid = 9999"));
        // the TDX module is created only when the hypervisor composes the TDX backend, after its configuration
        // was first checked: its refusal comes late and must come back the same way
        Path tdx = root.resolve("config/io.teebox.intel.tdx.cfg");
        Files.writeString(tdx, Files.readString(tdx).replace("fmspc = 00806F050000", "fmspc = 00806Fzz0000"));
        Run r = teeboxAt(root, "-c", "tee:backends --json");
        assertEquals(r.err(), 0, r.exit());
        assertEquals(List.of("config/io.teebox.amd.sp.cfg: maxAsid=9999: maxAsid must be 1..1006, got 9999; the "
                + "previous configuration stays in force (maxAsid=15, the default)",
                "config/io.teebox.intel.tdx.cfg: fmspc=00806Fzz0000: fmspc is not hex: invalid hex character 'z' at "
                + "position 6; the previous configuration stays in force (fmspc=00806F050000, the default)"),
                r.err().lines().sorted().toList());
        com.google.gson.JsonArray backends = com.google.gson.JsonParser.parseString(r.out()).getAsJsonArray();
        List<String> ids = new java.util.ArrayList<>();
        backends.forEach(b -> ids.add(b.getAsJsonObject().get("teeType").getAsString()));
        assertEquals("every backend runs on the previous configuration", List.of("h100", "sev", "sev-es", "sev-snp", "tdx"),
                ids.stream().sorted().toList());
        assertTrue("the trace DS logged is in the log file, not on the console",
                Files.readString(root.resolve("state/log/teebox.log")).contains("maxAsid must be 1..1006, got 9999"));
    }
}
