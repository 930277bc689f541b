package io.teebox.kbs.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The embedded store keeps resources and the policy across a close and reopen. */
public class MvResourceStoreTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void resourcesAndPolicySurviveReopening() {
        Path file = tmp.getRoot().toPath().resolve("kbs/kbs.mv");
        try (MvResourceStore s = new MvResourceStore(file)) {
            assertFalse(s.get(ResourcePath.parse("a/b/c")).isPresent());
            assertFalse(s.policy().isPresent());
            s.put(ResourcePath.parse("a/b/c"), new byte[] {1, 2, 3});
            s.put(ResourcePath.parse("a/b/d"), new byte[] {4});
            s.put(ResourcePath.parse("a/b/c"), new byte[] {5, 6});
            s.putPolicy("{\"rules\": []}");
        }
        try (MvResourceStore s = new MvResourceStore(file)) {
            assertArrayEquals(new byte[] {5, 6}, s.get(ResourcePath.parse("a/b/c")).orElseThrow());
            assertArrayEquals(new byte[] {4}, s.get(ResourcePath.parse("a/b/d")).orElseThrow());
            assertEquals(List.of("a/b/c", "a/b/d"), s.list());
            assertEquals("{\"rules\": []}", s.policy().orElseThrow());
        }
    }
}
