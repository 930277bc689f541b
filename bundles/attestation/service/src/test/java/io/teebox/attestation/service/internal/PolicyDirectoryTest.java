package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PolicyDirectoryTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<String> log = new ArrayList<>();

    private static void write(Path f, String text, long time) throws Exception {
        Files.writeString(f, text);
        Files.setLastModifiedTime(f, FileTime.fromMillis(time));
    }

    private static String policy(String id, String measurement) {
        return "{\"id\": \"" + id + "\", \"formats\": {\"sev-snp-report\": {\"reference_values\": {\"measurement\": \""
                + measurement + "\"}}}}";
    }

    @Test
    public void aBadEditIsRefusedInOneLineAndThePreviousPolicyStays() throws Exception {
        Path dir = tmp.getRoot().toPath();
        PolicyDirectory d = new PolicyDirectory(dir, log::add);
        d.scan();
        assertTrue(d.policies().isEmpty());
        Path f = dir.resolve("default.json");
        write(f, policy("default", "aa"), 1000);
        d.scan();
        assertEquals("aa", d.policies().get("default").rules("sev-snp-report").referenceValues().get("measurement"));

        write(f, "{\"id\": \"default\", \"formats\": ", 2000);
        d.scan();
        assertEquals("aa", d.policies().get("default").rules("sev-snp-report").referenceValues().get("measurement"));
        String last = log.get(log.size() - 1);
        assertTrue(last, last.startsWith("attestation policy file " + f + " refused: not JSON: "));
        assertTrue(last, last.endsWith("; policy default stays in force as it was"));
        assertFalse(last.contains("\n"));
        assertEquals(1, d.refusals().size());
        int lines = log.size();
        d.scan();
        assertEquals("a refused version is logged once", lines, log.size());

        write(f, policy("default", "bb"), 3000);
        d.scan();
        assertEquals("bb", d.policies().get("default").rules("sev-snp-report").referenceValues().get("measurement"));
        assertTrue(d.refusals().isEmpty());

        Files.delete(f);
        d.scan();
        assertTrue(d.policies().isEmpty());
    }

    @Test
    public void aGoodLoadIsADetailAndOnlyRefusalsAreProblems() throws Exception {
        // every ./teebox start loads default.json: that must not print on the batch mode's stderr (LauncherIT)
        Path dir = tmp.getRoot().toPath();
        List<String> detail = new ArrayList<>();
        write(dir.resolve("default.json"), policy("default", "aa"), 1000);
        PolicyDirectory d = new PolicyDirectory(dir, log::add, detail::add);
        d.scan();
        assertEquals(List.of(), log);
        assertEquals(1, detail.size());
        assertTrue(detail.get(0), detail.get(0).startsWith("attestation policy default loaded"));
        write(dir.resolve("bad.json"), "{", 1000);
        d.scan();
        assertEquals(1, log.size());
        assertTrue(log.get(0), log.get(0).startsWith("attestation policy file "));
    }

    @Test
    public void aSecondFileWithTheSameIdIsRefused() throws Exception {
        Path dir = tmp.getRoot().toPath();
        write(dir.resolve("a.json"), policy("p", "aa"), 1000);
        write(dir.resolve("b.json"), policy("p", "bb"), 1000);
        write(dir.resolve("notes.txt"), "not a policy", 1000);
        PolicyDirectory d = new PolicyDirectory(dir, log::add);
        d.scan();
        assertEquals(1, d.policies().size());
        assertEquals("aa", d.policies().get("p").rules("sev-snp-report").referenceValues().get("measurement"));
        assertEquals("id 'p' is already the id of a.json", d.refusals().get("b.json"));
        assertEquals("the policy's file is the one in force, not the refused duplicate", "a.json", d.file("p"));
        assertEquals(null, d.file("nope"));
    }

    @Test
    public void selectionPrefersTheNamedThenDefaultThenTheFirstCoveringThenBuiltIn() throws Exception {
        Path dir = tmp.getRoot().toPath();
        write(dir.resolve("a.json"), policy("first", "aa"), 1000);
        write(dir.resolve("z.json"), policy("default", "bb"), 1000);
        PolicyDirectory d = new PolicyDirectory(dir, log::add);
        d.scan();
        assertEquals("default", d.select(null, "sev-snp-report").id());
        assertEquals("first", d.select("first", "sev-snp-report").id());
        assertEquals(AttestationPolicy.BUILT_IN, d.select(null, "tdx-quote-v4"));
        assertEquals(400, assertThrows(Problem.class, () -> d.select("nope", "sev-snp-report")).status);
        assertEquals(400, assertThrows(Problem.class, () -> d.select("first", "tdx-quote-v4")).status);
    }
}
