package io.teebox.kbs.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.h2.mvstore.MVStore;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A store process killed with {@code kill -9} in the middle of a stream of writes loses nothing it acknowledged: three rounds against one file, each reopening what the last
 * crash left.
 */
public class KillNineTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static String location(Class<?> c) throws Exception {
        return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    @Test
    public void everyAcknowledgedWriteSurvivesKillNine() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("kbs.mv");
        String cp = String.join(File.pathSeparator, location(StoreWriter.class), location(MvResourceStore.class),
                location(MVStore.class), location(com.google.gson.Gson.class),
                location(com.nimbusds.jose.JWEObject.class));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int next = 0;
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder(java, "-cp", cp, StoreWriter.class.getName(), file.toString(),
                    String.valueOf(next)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<Integer> acked = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                assertEquals("open", r.readLine());
                int target = 150 + round * 37;
                String line;
                while ((line = r.readLine()) != null) {
                    acked.add(Integer.parseInt(line.substring(4)));
                    if (acked.size() == target) {
                        // kill -9 itself: Process.destroyForcibly would also close the pipe we still read
                        assertEquals(0, new ProcessBuilder("kill", "-9", String.valueOf(p.pid())).start().waitFor());
                    }
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals("killed by SIGKILL", 137, p.exitValue());
            assertTrue("round " + round + " wrote " + acked.size(), acked.size() >= 150 + round * 37);
            int last = acked.get(acked.size() - 1);
            try (MvResourceStore s = new MvResourceStore(file)) {
                for (int i = 0; i <= last; i++) {
                    assertArrayEquals("resource k" + i + " after round " + round, StoreWriter.value(i),
                            s.get(ResourcePath.parse("crash/key/k" + i)).orElseThrow(() -> new AssertionError(
                                    "acknowledged resource lost")));
                }
                String policy = s.policy().orElseThrow();
                int policyAt = Integer.parseInt(policy.replaceAll("\\D", ""));
                assertTrue(policy + " vs last ack " + last, policyAt >= last - last % 10);
            }
            next = last + 1;
        }
    }
}
