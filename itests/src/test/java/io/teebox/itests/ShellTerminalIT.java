package io.teebox.itests;

import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * The interactive shell as a user meets it: the launcher on a pseudo-terminal (util-linux {@code script}, part of
 * every Debian system), keys typed, the screen read back with its escape sequences stripped. Tab completes command
 * names, option names and backend ids; {@code --help} prints the usage; a bad option and a mistyped command are
 * explained in a line.
 */
public class ShellTerminalIT {

    /** A teebox process on a pseudo-terminal. */
    private static final class Terminal implements AutoCloseable {
        private final Process process;
        private final OutputStream keys;
        private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
        private final Thread reader;

        Terminal() throws Exception {
            Path root = LauncherIT.root();
            // a pseudo-terminal of a known size (JLine draws a 0-column terminal as '>....')
            String inner = "stty cols 200 rows 50; exec bash " + root.resolve("teebox");
            ProcessBuilder pb = new ProcessBuilder(List.of("script", "-qfec", inner, "/dev/null"))
                    .directory(root.toFile()).redirectErrorStream(true);
            pb.environment().put("TEEBOX_NO_BUILD", "1");
            pb.environment().put("TERM", "xterm");
            process = pb.start();
            keys = process.getOutputStream();
            InputStream in = process.getInputStream();
            reader = new Thread(() -> {
                byte[] b = new byte[8192];
                try {
                    for (int n; (n = in.read(b)) > 0;) {
                        synchronized (screen) {
                            screen.write(b, 0, n);
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the process ended
                }
            }, "pty-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** @return what the terminal showed so far, escape sequences removed */
        String text() {
            String raw;
            synchronized (screen) {
                raw = screen.toString(StandardCharsets.UTF_8);
            }
            return raw.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").replaceAll("\u001B[=>]", "").replace("\r", "");
        }

        /** Types keys and waits until the screen shows the text (after what it showed before). */
        String type(String keystrokes, String expected, int seconds) throws Exception {
            int from = text().length();
            keys.write(keystrokes.getBytes(StandardCharsets.UTF_8));
            keys.flush();
            return await(from, expected, seconds);
        }

        /**
         * Types a line ending in TAB and waits for the completion; under load the line reader may take the first TAB
         * before its completers are installed, so a second TAB is sent once (the completion must still appear).
         */
        String complete(String line, String expected) throws Exception {
            try {
                return type(line, expected, 10);
            } catch (AssertionError slow) {
                return type("\t", expected, 20);
            }
        }

        String await(int from, String expected, int seconds) throws Exception {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                String t = text();
                if (t.length() > from && t.substring(from).contains(expected)) {
                    return t.substring(from);
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the terminal did not show '" + expected + "' within " + seconds
                    + " s; it showed:\n" + text().substring(Math.min(from, text().length())));
        }

        @Override
        public void close() throws Exception {
            try {
                keys.write("\u0015stop 0\r".getBytes(StandardCharsets.UTF_8));
                keys.flush();
                keys.close();
            } catch (java.io.IOException gone) {
                // already ended
            }
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    private static final String CLEAR_LINE = "\u0015";

    @Test
    public void completionHelpAndMistakesOnATerminal() throws Exception {
        try (Terminal t = new Terminal()) {
            String start = t.await(0, "g! ", 60);
            // the interactive shell serves the web console and says where (the password only at its first start)
            assertTrue(start, start.contains("teebox: web console: http://127.0.0.1:") && start.contains(
                    "/system/console/teebox-guests  user admin"));
            // the backends' first listing in a fresh state directory activates them (platform identities made,
            // delayed components): a completion asked for meanwhile waits on it, so the test lists them first
            t.type("tee:backends\r", "sev-snp", 120);
            t.complete("guest:la\t", "guest:launch");
            t.complete(CLEAR_LINE + "guest:create --vc\t", "--vcpus");
            t.complete(CLEAR_LINE + "tee:backend \t", "sev-snp");
            String usage = t.type(CLEAR_LINE + "guest:launch --help\r", "--json", 10);
            assertTrue(usage, usage.contains("Usage: guest:launch [OPTIONS] GUEST"));
            assertTrue(usage, usage.contains("-p, --policy=POLICY"));
            t.type(CLEAR_LINE + "guest:create --vcpu 2 x\r", "unknown option --vcpu (did you mean --vcpus?); see "
                    + "guest:create --help", 10);
            t.type("guest:lanch x\r", "did you mean guest:launch?", 10);
            t.type("guest:create term\r", "CREATED", 10);
            t.complete("guest:launch ter\t", "guest:launch term");
            String listed = t.type(CLEAR_LINE + "help\r", "shell built-ins", 10);
            assertTrue(listed, listed.contains("guest:launch"));
            assertTrue("no JVM plumbing in help:\n" + listed, !listed.contains("system:") && !listed.contains(
                    "context:"));
            t.type("guest:list\r", "term", 10);
        }
    }
}
