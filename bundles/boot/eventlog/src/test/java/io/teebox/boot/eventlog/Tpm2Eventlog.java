package io.teebox.boot.eventlog;

import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs tpm2-tools' tpm2_eventlog on a log and reads the parts of its YAML every event has (PCRIndex, EventType,
 * digests, EventSize) and the replayed PCRs at the end. Fails, never skips, when the tool is missing.
 */
final class Tpm2Eventlog {

    /** One event as tpm2_eventlog printed it. */
    static final class Event {
        long pcrIndex;
        String eventType;
        final Map<String, String> digests = new LinkedHashMap<>();
        long eventSize;
    }

    final int exitCode;
    final String stdout;
    final String stderr;
    final List<Event> events = new ArrayList<>();
    /** bank name, e.g. "sha256" -> PCR -> hex without 0x. */
    final Map<String, Map<Integer, String>> pcrs = new TreeMap<>();

    private Tpm2Eventlog(int exitCode, String stdout, String stderr) {
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static Tpm2Eventlog run(Path dir, byte[] log, String... options) throws IOException, InterruptedException {
        Path file = Files.createTempFile(dir, "eventlog", ".bin");
        Files.write(file, log);
        Path out = dir.resolve(file.getFileName() + ".yaml");
        Path err = dir.resolve(file.getFileName() + ".err");
        List<String> cmd = new ArrayList<>();
        cmd.add("tpm2_eventlog");
        cmd.addAll(List.of(options));
        cmd.add(file.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        } catch (IOException e) {
            fail("tpm2_eventlog cannot run (" + e.getMessage() + "); install the Debian package tpm2-tools");
            throw e;
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("tpm2_eventlog did not finish in 60 s");
        }
        Tpm2Eventlog t = new Tpm2Eventlog(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        t.parse();
        return t;
    }

    private static final Pattern KV = Pattern.compile("^\\s*(-\\s+)?(\\w+): ?(.*)$");
    private static final Pattern PCR_LINE = Pattern.compile("^\\s+(\\d+)\\s*: 0x([0-9a-f]+)$");
    private static final Pattern BANK = Pattern.compile("^  (sha1|sha256|sha384|sha512|sm3_256):$");

    private void parse() {
        Event current = null;
        String alg = null;
        boolean inPcrs = false;
        Map<Integer, String> bank = null;
        for (String line : stdout.split("\n")) {
            if (line.equals("pcrs:")) {
                inPcrs = true;
                continue;
            }
            if (inPcrs) {
                Matcher b = BANK.matcher(line);
                Matcher v = PCR_LINE.matcher(line);
                if (b.matches()) {
                    bank = new TreeMap<>();
                    pcrs.put(b.group(1), bank);
                } else if (v.matches() && bank != null) {
                    bank.put(Integer.parseInt(v.group(1)), v.group(2));
                }
                continue;
            }
            // only the top-level fields of an event: two-space indent, or the "- " of the list item
            if (!(line.startsWith("  ") && !line.startsWith("     ") || line.startsWith("- "))) {
                continue;
            }
            Matcher kv = KV.matcher(line);
            if (!kv.matches()) {
                continue;
            }
            String key = kv.group(2);
            String value = kv.group(3).replace("\"", "").trim();
            switch (key) {
                case "PCRIndex" -> {
                    current = new Event();
                    current.pcrIndex = Long.parseLong(value);
                    events.add(current);
                }
                case "EventType" -> current.eventType = value;
                case "AlgorithmId" -> alg = value;
                case "Digest" -> {
                    if (line.startsWith("    ") && alg != null) {
                        current.digests.put(alg, value);
                        alg = null;
                    } else {
                        current.digests.put("sha1", value);
                    }
                }
                case "EventSize" -> current.eventSize = Long.parseLong(value);
                default -> {
                }
            }
        }
    }
}
