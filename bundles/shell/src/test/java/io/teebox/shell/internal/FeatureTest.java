package io.teebox.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class FeatureTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path write(String name, String json) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.writeString(p, json, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    public void readsDescriptorsSortedById() throws Exception {
        write("b.json", "{\"id\":\"b\",\"bundles\":[\"x\"],\"requires\":[\"a\"]}");
        write("a.json", "{\"id\":\"a\",\"description\":\"first\",\"bundles\":[\"y\",\"z\"]}");
        write("notes.txt", "ignored");
        List<Feature> all = Feature.readAll(tmp.getRoot().toPath());
        assertEquals(List.of("a", "b"), all.stream().map(Feature::id).toList());
        assertEquals(List.of("y", "z"), all.get(0).bundles());
        assertEquals(List.of("a"), all.get(1).requires());
        assertEquals("", all.get(1).description());
    }

    @Test
    public void malformedDescriptorsAreNamed() throws Exception {
        Path bad = write("c.json", "{\"id\":\"c\",\"bundles\":[");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Feature.read(bad)).getMessage()
                .contains("is not valid JSON"));
        Path wrongId = write("d.json", "{\"id\":\"e\",\"bundles\":[\"x\"]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Feature.read(wrongId)).getMessage()
                .contains("\"id\" must be \"d\", found e"));
        Path empty = write("f.json", "{\"id\":\"f\",\"bundles\":[]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Feature.read(empty)).getMessage()
                .contains("at least one bundle"));
        assertThrows(IllegalArgumentException.class, () -> Feature.readAll(Path.of("/no/such/dir")));
    }

    @Test
    public void shippedDescriptorsParse() {
        Path dir = Path.of("../../features");
        List<Feature> all = Feature.readAll(dir);
        assertTrue(all.stream().anyMatch(f -> f.id().equals("core") && f.bundles().contains("io.teebox.shell")));
        assertTrue(all.stream().anyMatch(f -> f.id().equals("amd") && f.bundles().contains("io.teebox.sev")));
    }
}
