package io.teebox.features.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import org.apache.felix.feature.impl.FeatureServiceImpl;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.service.feature.FeatureBundle;

/** The descriptors of the project's features/ directory and the malformed ones, read with Felix's Feature Service. */
public class CatalogTest {

    /** The project's own descriptors (the module runs in bundles/features). */
    private static final Path PROJECT_FEATURES = Path.of("../../features");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final FeatureServiceImpl service = new FeatureServiceImpl();

    private Catalog catalog(Path dir) {
        return new Catalog(service, dir, () -> null);
    }

    @Test
    public void theProjectsFeaturesAreValidOsgiFeaturesWhoseRequirementsExist() {
        List<TeeboxFeature> all = catalog(PROJECT_FEATURES).all();
        Set<String> names = all.stream().map(TeeboxFeature::name).collect(Collectors.toSet());
        assertTrue(names.toString(), names.containsAll(Set.of("core", "console", "amd", "intel", "nvidia",
                "attestation", "kbs", "arm-cca")));
        for (TeeboxFeature f : all) {
            assertFalse(f.name() + " has a description", f.description().isBlank());
            assertTrue(f.name() + " requires " + f.requires(), names.containsAll(f.requires()));
            assertEquals(f.name(), f.feature().getID().getArtifactId());
            assertEquals("osgifeature", f.feature().getID().getType().orElse(""));
        }
        TeeboxFeature kbs = catalog(PROJECT_FEATURES).find("kbs");
        assertEquals(List.of("core", "attestation"), kbs.requires());
        assertEquals("io.teebox:kbs", kbs.bundles().get(0).getID().getGroupId() + ":"
                + kbs.bundles().get(0).getID().getArtifactId());
    }

    @Test
    public void everyTeeboxBundleOfAFeatureIsAtTheProjectsVersionAndInExactlyOneFeature() {
        String version = System.getProperty("project.version", "2.1.0-SNAPSHOT");
        java.util.Map<String, String> owner = new java.util.HashMap<>();
        for (TeeboxFeature f : catalog(PROJECT_FEATURES).all()) {
            if (f.feature().getID().getGroupId().equals("io.teebox.features")) {
                assertEquals(f.name() + "'s own version", version, f.feature().getID().getVersion());
            }
            for (FeatureBundle b : f.bundles()) {
                String ga = b.getID().getGroupId() + ":" + b.getID().getArtifactId();
                if (b.getID().getGroupId().equals("io.teebox")) {
                    assertEquals(f.name() + ": " + ga, version, b.getID().getVersion());
                }
                String before = owner.put(ga, f.name());
                assertEquals(ga + " is in two features", null, before);
            }
        }
    }

    @Test
    public void malformedDescriptorsAreRefusedNamingTheFileAndTheFault() throws Exception {
        Path dir = tmp.newFolder("f").toPath();
        Files.writeString(dir.resolve("a.json"), "{\"feature-resource-version\": \"1.0\", \"id\": \"g:a:1\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog(dir).all());
        assertTrue(e.getMessage(), e.getMessage().startsWith("feature " + dir.resolve("a.json")));
        assertFalse(e.getMessage(), e.getMessage().contains("\n"));

        Files.writeString(dir.resolve("a.json"), "{\"feature-resource-version\": \"1.0\", \"id\": \"g:a:1\", "
                + "\"name\": \"b\", \"bundles\": [{\"id\": \"g:x:1\"}]}");
        e = assertThrows(IllegalArgumentException.class, () -> catalog(dir).all());
        assertTrue(e.getMessage(), e.getMessage().contains("\"name\" is \"b\" but the file is a.json"));

        Files.writeString(dir.resolve("a.json"), "{\"feature-resource-version\": \"1.0\", \"id\": \"g:a:1\", "
                + "\"name\": \"a\", \"bundles\": [{\"id\": \"not-an-id\"}]}");
        e = assertThrows(IllegalArgumentException.class, () -> catalog(dir).all());
        assertTrue(e.getMessage(), e.getMessage().contains("is not a valid OSGi feature"));

        Files.writeString(dir.resolve("a.json"), "{\"feature-resource-version\": \"1.0\", \"id\": \"g:a:1\", "
                + "\"name\": \"a\", \"bundles\": [{\"id\": \"g:x:1\"}], \"extensions\": {\"teebox.requires\": "
                + "{\"type\": \"json\", \"kind\": \"optional\", \"json\": {}}}}");
        e = assertThrows(IllegalArgumentException.class, () -> catalog(dir).all());
        assertTrue(e.getMessage(), e.getMessage().contains("must be of type text"));

        assertThrows(IllegalArgumentException.class, () -> catalog(dir).find("nothing"));
        e = assertThrows(IllegalArgumentException.class, () -> catalog(tmp.getRoot().toPath().resolve("none")).all());
        assertTrue(e.getMessage(), e.getMessage().contains("does not exist"));
    }

    @Test
    public void aBundleIdNamesItsFileInAMavenLayoutRepositoryAndTheManifestGivesItsIdentity() throws Exception {
        Path repo = tmp.newFolder("repo").toPath();
        Path jar = repo.resolve("org/example/thing/1.2.3/thing-1.2.3.jar");
        Files.createDirectories(jar.getParent());
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", "org.example.thing;singleton:=true");
        m.getMainAttributes().putValue("Bundle-Version", "1.2.3.v1");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        Path notABundle = repo.resolve("org/example/plain/1/plain-1.jar");
        Files.createDirectories(notABundle.getParent());
        try (OutputStream out = Files.newOutputStream(notABundle); JarOutputStream j = new JarOutputStream(out)) {
            j.flush();
        }
        Repositories r = Repositories.of(new String[] {tmp.getRoot() + "/missing", repo.toString(), " "});
        assertEquals(2, r.roots().size());
        Repositories.Artifact a = r.find(service.getIDfromMavenCoordinates("org.example:thing:1.2.3")).orElseThrow();
        assertEquals("org.example.thing", a.symbolicName());
        assertEquals("1.2.3.v1", a.version());
        assertTrue(r.find(service.getIDfromMavenCoordinates("org.example:thing:9")).isEmpty());
        String why = r.missing(service.getIDfromMavenCoordinates("org.example:thing:9"));
        assertTrue(why, why.contains("org/example/thing/9/thing-9.jar"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.find(service.getIDfromMavenCoordinates("org.example:plain:1")));
        assertTrue(e.getMessage(), e.getMessage().contains("not an OSGi bundle"));
        assertEquals(Path.of(System.getProperty("user.home"), ".m2"), Repositories.of(new String[] {"~/.m2"})
                .roots().get(0));
        assertEquals("a .cfg file's comma-separated list", List.of(Path.of("a"), Path.of("b/c")),
                Repositories.of(new String[] {"a, b/c"}).roots());
        Files.writeString(tmp.getRoot().toPath().resolve("x.txt"), "", StandardCharsets.UTF_8);
    }
}
