package io.teebox.platform.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class StateDirectoryTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aSecretIsCreatedOnceAndSurvivesARestart() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("state");
        byte[] first = new StateDirectory(dir).secret("amd", "chip-seed", 32);
        assertEquals(32, first.length);
        assertFalse("random, not zero", Arrays.equals(new byte[32], first));
        StateDirectory restarted = new StateDirectory(dir);
        assertArrayEquals(first, restarted.secret("amd", "chip-seed", 32));
        assertFalse("another name is another secret", Arrays.equals(first, restarted.secret("amd", "other", 32)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dir.resolve("amd/chip-seed"))));
    }

    @Test
    public void keptMaterialIsComputedOnlyOnce() {
        StateDirectory s = new StateDirectory(tmp.getRoot().toPath());
        AtomicInteger computed = new AtomicInteger();
        byte[] a = s.kept("amd", "ark.pk8", () -> new byte[] {(byte) computed.incrementAndGet()});
        byte[] b = s.kept("amd", "ark.pk8", () -> new byte[] {(byte) computed.incrementAndGet()});
        assertArrayEquals(a, b);
        assertEquals(1, computed.get());
    }

    @Test
    public void concurrentCreatorsAgreeOnOneValue() throws Exception {
        Path dir = tmp.getRoot().toPath();
        List<byte[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(new Thread(() -> seen.add(new StateDirectory(dir).secret("intel", "root-seed", 32))));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        for (byte[] v : seen) {
            assertArrayEquals(seen.get(0), v);
        }
        try (var files = Files.list(dir.resolve("intel"))) {
            assertEquals("no temporary file is left behind", 1, files.count());
        }
    }

    @Test
    public void aDamagedValueIsReportedNeverSilentlyReplaced() throws Exception {
        Path dir = tmp.getRoot().toPath();
        StateDirectory s = new StateDirectory(dir);
        s.secret("amd", "chip-seed", 32);
        Files.write(dir.resolve("amd/chip-seed"), new byte[5]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.secret("amd", "chip-seed", 32));
        assertTrue(e.getMessage(), e.getMessage().contains("is 5 bytes, expected 32")
                && e.getMessage().contains("reprovision amd"));
        assertEquals("the damaged file is kept for the operator", 5, Files.size(dir.resolve("amd/chip-seed")));
    }

    @Test
    public void badNamesAndDirectoriesAreRefused() throws Exception {
        StateDirectory s = new StateDirectory(tmp.getRoot().toPath());
        for (String bad : new String[] {"../etc", "AMD", "", "a/b"}) {
            assertThrows(IllegalArgumentException.class, () -> s.secret(bad, "x", 32));
            assertThrows(IllegalArgumentException.class, () -> s.secret("amd", bad, 32));
        }
        assertThrows(IllegalArgumentException.class, () -> s.secret("amd", "x", 8));
        Path file = tmp.newFile("not-a-dir").toPath();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StateDirectory(file.resolve("state")));
        assertTrue(e.getMessage(), e.getMessage().contains("cannot be created"));
    }

    private static StateConfig config(Path dir) {
        return (StateConfig) java.lang.reflect.Proxy.newProxyInstance(StateConfig.class.getClassLoader(),
                new Class<?>[] {StateConfig.class}, (proxy, m, args) -> m.getName().equals("stateDirectory")
                        ? dir.toString() : m.getDefaultValue());
    }

    /** A bundle context with no launcher property (as in a test framework without ./teebox). */
    private static org.osgi.framework.BundleContext noLauncher() {
        return (org.osgi.framework.BundleContext) java.lang.reflect.Proxy.newProxyInstance(
                StateDirectoryTest.class.getClassLoader(), new Class<?>[] {org.osgi.framework.BundleContext.class},
                (proxy, m, args) -> null);
    }

    @Test
    public void aConfigurationNamingTheDirectoryInUseKeepsTheInstanceAndAnotherWaitsForTheNextStart()
            throws Exception {
        Path dir = tmp.newFolder("kept").toPath();
        StateDirectory d = new StateDirectory(dir);
        d.modified(config(dir), noLauncher());
        assertEquals(dir.toAbsolutePath().normalize(), d.directory());
        Path other = tmp.newFolder("other").toPath();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.modified(config(other), noLauncher()));
        assertEquals("io.teebox.platform: stateDirectory " + other.toAbsolutePath().normalize() + " takes effect at "
                + "the next start; teebox runs on " + dir.toAbsolutePath().normalize(), e.getMessage());
        assertEquals(dir.toAbsolutePath().normalize(), d.directory());
    }
}
