package io.teebox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The command front on Gogo's real runtime: usage from the annotations, --help, --json, and one-line diagnoses of
 * arguments Gogo cannot fit, while well-formed calls reach the command as before.
 */
public class CommandFrontTest {

    /** A command class as teebox writes them. */
    @Descriptor("Things")
    public static final class Things {
        final List<String> calls = new ArrayList<>();

        @Descriptor("Create a thing")
        public Map<String, Object> create(
                @Descriptor("number of vCPUs") @Parameter(names = {"-c", "--vcpus"}, absentValue = "1") String vcpus,
                @Descriptor("vCPU model") @Parameter(names = {"--cpu"}, absentValue = "") String cpu,
                @Descriptor("be quick") @Parameter(names = {"--fast"}, presentValue = "true",
                        absentValue = "false") boolean fast,
                @Descriptor("the thing's name") String name) {
            calls.add(vcpus + "/" + cpu + "/" + fast + "/" + name);
            return Map.of("name", name, "vcpus", Integer.parseInt(vcpus), "raw", new byte[] {1, (byte) 0xAB},
                    "when", java.time.Instant.parse("2026-12-01T00:00:00Z"));
        }

        @Descriptor("Show files")
        public String show(@Descriptor("files") String... positional) {
            return String.join(",", positional);
        }
    }

    private CommandProcessorImpl processor;
    private CommandSession session;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Things things = new Things();

    @Before
    public void session() {
        processor = new CommandProcessorImpl();
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
    }

    @After
    public void close() {
        session.close();
    }

    private Object run(String function, String... args) throws Exception {
        return new FrontedCommand("thing", function, things).execute(session, new ArrayList<>(Arrays.asList(args)));
    }

    @Test
    public void wellFormedCallsReachTheCommandWithTheirOptions() throws Exception {
        run("create", "--vcpus", "2", "--fast", "--cpu", "EPYC-v4", "a");
        run("create", "b");
        assertEquals(List.of("2/EPYC-v4/true/a", "1//false/b"), things.calls);
        assertEquals("x,y", run("show", "x", "y"));
    }

    @Test
    public void helpPrintsTheUsageAndRunsNothing() throws Exception {
        assertNull(run("create", "--help"));
        assertNull(run("create", "x", "-h"));
        assertTrue(things.calls.isEmpty());
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help, help.startsWith("thing:create - Create a thing\nUsage: thing:create [OPTIONS] NAME\n"));
        assertTrue(help, help.contains("  NAME "));
        assertTrue(help, help.contains("the thing's name"));
        assertTrue(help, help.contains("  -c, --vcpus=VCPUS "));
        assertTrue(help, help.contains("      --fast "));
        assertTrue(help, help.contains("  -h, --help "));
        assertTrue(help, help.contains("      --json "));
        assertTrue(Usage.of("thing", "show", Things.class).text().contains("Usage: thing:show [ARG...]"));
    }

    @Test
    public void optionLinesAreInTheLayoutGogosCompletionReads() {
        // the pattern of Gogo jline's __usage_completion (Builtin), which turns `CMD --help` into completions
        Pattern gogo = Pattern.compile("(?x)\\s*(?:-([^-]))?(?:,?\\s*-(\\w))?(?:,?\\s*--(\\w[\\w-]*)(=\\w+)?)?"
                + "(?:,?\\s*--(\\w[\\w-]*))?.*?(?:\\(default=(.*)\\))?\\s*(.*)");
        String text = Usage.of("thing", "create", Things.class).text();
        Map<String, String[]> expected = Map.of("vcpus", new String[] {"c", "=VCPUS"}, "cpu",
                new String[] {null, "=CPU"}, "fast", new String[] {null, null});
        int seen = 0;
        for (String line : text.split("\n")) {
            Matcher m = gogo.matcher(line);
            if (m.matches() && m.group(3) != null && expected.containsKey(m.group(3))) {
                String[] e = expected.get(m.group(3));
                assertEquals(line, e[0], m.group(1));
                assertEquals(line, e[1], m.group(4));
                seen++;
            }
        }
        assertEquals(text, 3, seen);
    }

    @Test
    public void argumentsThatFitNoSignatureAreNamedInOneLine() {
        assertEquals("unknown option --vcpu (did you mean --vcpus?); see thing:create --help",
                diagnosis("create", "--vcpu", "2", "a"));
        assertEquals("unknown option --colour; see thing:create --help", diagnosis("create", "--colour", "a"));
        assertEquals("thing:create needs NAME (the thing's name); usage: thing:create [OPTIONS] NAME",
                diagnosis("create", "--vcpus", "2"));
        assertEquals("option --cpu needs a value; see thing:create --help", diagnosis("create", "a", "--cpu"));
        assertEquals("thing:create takes 1 argument (NAME), got 3; usage: thing:create [OPTIONS] NAME",
                diagnosis("create", "a", "b", "c"));
        assertTrue(things.calls.isEmpty());
    }

    private String diagnosis(String function, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(function, args));
        assertFalse(e.getMessage(), e.getMessage().contains("\n"));
        return e.getMessage();
    }

    @Test
    public void jsonIsTheResultAsScriptsReadIt() throws Exception {
        Object result = run("create", "--json", "-c", "3", "j");
        assertEquals(List.of("3//false/j"), things.calls);
        JsonObject o = JsonParser.parseString((String) result).getAsJsonObject();
        assertEquals("j", o.get("name").getAsString());
        assertEquals(3, o.get("vcpus").getAsInt());
        assertEquals("01ab", o.get("raw").getAsString());
        assertEquals("2026-12-01T00:00:00Z", o.get("when").getAsString());
    }

    @Test
    public void recordsAreWrittenByTheirComponents() {
        record Part(String name, byte[] bytes, java.util.Optional<String> note) {
        }
        JsonObject o = JsonParser.parseString(Json.text(new Part("p", new byte[] {0x7f}, java.util.Optional.empty())))
                .getAsJsonObject();
        assertEquals("p", o.get("name").getAsString());
        assertEquals("7f", o.get("bytes").getAsString());
        assertTrue(o.get("note").isJsonNull());
    }

    @Test
    public void theNearestNameIsSuggestedOnlyWhenItIsNear() {
        assertEquals("guest:launch", Suggestions.nearest("guest:lanch", List.of("guest:launch", "guest:list")));
        assertEquals("--vcpus", Suggestions.nearest("--vcpu", List.of("--cpu", "--vcpus")));
        assertNull(Suggestions.nearest("frobnicate", List.of("guest:launch", "tee:backends")));
        assertEquals(1, Suggestions.distance("ab", "ba"));
    }
}
