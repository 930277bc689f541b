package io.teebox.measure;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Every case of the independent calculators' vectors (sev-snp-measure, td-shim), run with the arguments they were run
 * with, gives their value; mistakes are one line and exit status 2.
 */
public class MeasureTest {

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static Path dir;
    private static JsonObject vectors;

    @BeforeClass
    public static void copyVectors() throws IOException {
        dir = tmp.getRoot().toPath();
        for (String f : List.of("expected.json", "synthetic-ovmf.fd", "synthetic-kernel.bin", "synthetic-initrd.bin")) {
            try (InputStream in = MeasureTest.class.getResourceAsStream("/vectors/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
        vectors = JsonParser.parseString(Files.readString(dir.resolve("expected.json"))).getAsJsonObject();
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Measure.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The case's arguments with file names made paths; sev-snp-measure's take --ovmf, td-shim's -i. */
    private static String[] arguments(JsonObject c) {
        List<String> a = new ArrayList<>();
        List<JsonElement> given = c.getAsJsonArray("args").asList();
        boolean tdShim = c.get("tool").getAsString().contains("td-shim");
        if (tdShim) {
            a.addAll(List.of("--mode", "tdx", "--ovmf", dir.resolve(given.get(1).getAsString()).toString()));
            return a.toArray(String[]::new);
        }
        for (int i = 0; i < given.size(); i++) {
            String s = given.get(i).getAsString();
            a.add(s.endsWith(".bin") || s.endsWith(".fd") ? dir.resolve(s).toString() : s);
        }
        a.addAll(List.of("--ovmf", dir.resolve(vectors.get("firmware").getAsString()).toString()));
        return a.toArray(String[]::new);
    }

    @Test
    public void everyIndependentCalculatorsCaseGivesItsValue() {
        int n = 0;
        for (JsonElement e : vectors.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            Result r = run(arguments(c));
            assertEquals(c.get("name") + ": " + r.err(), 0, r.status());
            assertEquals(c.get("name").getAsString(), c.get("expected").getAsString() + "\n", r.out());
            n++;
        }
        assertEquals(11, n);
    }

    @Test
    public void theCpuSignatureMayBeGivenAsNumbersAndTheOutputAsBase64() {
        String ovmf = dir.resolve("synthetic-ovmf.fd").toString();
        String byType = run("--mode", "snp", "--vcpus", "2", "--vcpu-type", "EPYC-Milan", "--ovmf", ovmf).out();
        // EPYC-Milan is family 0x19, model 1, stepping 1: signature 0xa00f11
        assertEquals(byType, run("--mode", "snp", "--vcpus", "2", "--vcpu-sig", "0xa00f11", "--ovmf", ovmf).out());
        assertEquals(byType, run("--mode=snp", "--vcpus=2", "--vcpu-family", "25", "--vcpu-model", "1",
                "--vcpu-stepping", "1", "--ovmf", ovmf).out());
        String b64 = run("--mode", "snp", "--vcpus", "2", "--vcpu-type", "EPYC-Milan", "--ovmf", ovmf,
                "--output-format", "base64").out().trim();
        assertEquals(byType.trim(), HexFormat.of().formatHex(Base64.getDecoder().decode(b64)));
        String oneByteOff = run("--mode", "snp", "--vcpus", "2", "--vcpu-sig", "0xa00f12", "--ovmf", ovmf).out();
        assertTrue(!oneByteOff.equals(byType));
    }

    @Test
    public void mistakesAreOneLineAndExitStatusTwo() throws IOException {
        String ovmf = dir.resolve("synthetic-ovmf.fd").toString();
        Path notOvmf = dir.resolve("random.fd");
        Files.write(notOvmf, new byte[8192]);
        String[][] cases = {
            {"the following argument is required: --mode"},
            {"argument --mode: invalid choice 'snpp'", "--mode", "snpp", "--ovmf", ovmf},
            {"the following argument is required: --ovmf", "--mode", "snp", "--vcpus", "1"},
            {"--vcpus is required for --mode snp", "--mode", "snp", "--vcpu-type", "EPYC", "--ovmf", ovmf},
            {"unrecognized argument '--vcpu' (did you mean --vcpus?)", "--mode", "snp", "--vcpu", "2"},
            {"argument --vcpus: 'two' is not a number", "--mode", "snp", "--vcpus", "two", "--ovmf", ovmf},
            {"argument --vcpus: 0 is not 1..512", "--mode", "seves", "--vcpus", "0", "--ovmf", ovmf},
            {"give one of --vcpu-type", "--mode", "snp", "--vcpus", "1", "--ovmf", ovmf},
            {"give only one of", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", "--vcpu-sig", "1",
                "--ovmf", ovmf},
            {"unknown vCPU type 'EPYC-Zen9'", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-Zen9",
                "--ovmf", ovmf},
            {"argument --ovmf: no such file: /nonexistent.fd", "--mode", "sev", "--ovmf", "/nonexistent.fd"},
            {"--initrd and --append need --kernel", "--mode", "sev", "--append", "x", "--ovmf", ovmf},
            {"argument --vmm-type: 'ec2' is not modelled", "--mode", "sev", "--vmm-type", "ec2", "--ovmf", ovmf},
            {"argument --vcpus given twice", "--mode", "snp", "--vcpus", "1", "--vcpus", "2"},
            {"argument --ovmf: expected one value", "--mode", "snp", "--ovmf"},
            {"the firmware has no TDX metadata", "--mode", "tdx", "--ovmf", notOvmf.toString()},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            Result r = run(args);
            assertEquals(String.join(" ", args) + ": " + r.err(), 2, r.status());
            assertEquals("", r.out());
            assertTrue(String.join(" ", args) + ": " + r.err(), r.err().startsWith("teebox measure: error: " + c[0]));
            assertEquals(r.err(), 1, r.err().split("\n", -1).length - 1);
        }
        Result garbage = run("--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", "--ovmf", notOvmf.toString());
        assertEquals(garbage.err(), 2, garbage.status());
        assertTrue(garbage.err(), garbage.err().startsWith("teebox measure: error: argument --ovmf: " + notOvmf
                + " has no SEV metadata"));
        Result help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out(), help.out().contains("--vcpu-type") && help.out().contains("EPYC-Milan"));
    }
}
