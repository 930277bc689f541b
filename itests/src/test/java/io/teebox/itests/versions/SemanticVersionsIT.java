package io.teebox.itests.versions;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The build enforces semantic versions: the API bundle, copied with the root pom and the baseline repository into a
 * scratch tree, builds as it is; with a method removed from an exported interface, or one added, and no version
 * bump, {@code mvn verify} fails naming the package and the version it needs.
 */
public class SemanticVersionsIT {

    private static final Pattern VERSION = Pattern.compile("@Version\\(\"([0-9.]+)\"\\)");

    private static Path root;

    @BeforeClass
    public static void findTheTree() {
        root = Path.of("").toAbsolutePath().getParent();
        assertTrue("the repository root holds pom.xml: " + root, Files.isRegularFile(root.resolve("pom.xml")));
        assertTrue("the baseline repository is committed", Files.isDirectory(root.resolve(
                "baseline/repository/io/teebox/api")));
    }

    @Test
    public void theApiAsReleasedPassesTheBaseline() throws Exception {
        Path tree = copy();
        Result r = build(tree);
        assertEquals("mvn verify of the unchanged API:\n" + r.tail(), 0, r.exit());
        assertTrue(r.tail(), r.output().contains("Baseline check succeeded"));
        delete(tree);
    }

    @Test
    public void removingAMethodFromAnExportedInterfaceWithoutAMajorBumpFailsTheBuild() throws Exception {
        Path tree = copy();
        Path ctx = tree.resolve("bundles/api/src/main/java/io/teebox/api/guest/GuestContext.java");
        String src = Files.readString(ctx);
        String without = src.replace("    /** @return the guest's name */\n    String guest();\n", "");
        assertNotEquals("the method to remove is in GuestContext", src, without);
        Files.writeString(ctx, without);
        Result r = build(tree);
        assertNotEquals("mvn verify accepted an incompatible change:\n" + r.tail(), 0, r.exit());
        assertTrue(r.tail(), r.output().contains("Baseline problems detected"));
        assertTrue("the report names the package and its MAJOR change:\n" + r.tail(),
                r.output().lines().anyMatch(l -> l.contains("io.teebox.api.guest") && l.contains("MAJOR")
                        && l.contains("3.0.0")));
        delete(tree);
    }

    @Test
    public void addingAMethodToAProviderInterfaceWithoutAMinorBumpFailsTheBuild() throws Exception {
        // a package already bumped since the baseline takes further additions without another bump (as it should),
        // so the addition goes into a provider interface of a package still at its baseline version
        Path tree = copy();
        Map<String, String> released = baselineExports();
        Path src = tree.resolve("bundles/api/src/main/java");
        Path target = null;
        String pkg = null;
        try (Stream<Path> infos = Files.walk(src)) {
            for (Path info : (Iterable<Path>) infos.filter(f -> f.endsWith("package-info.java")).sorted()::iterator) {
                String name = src.relativize(info.getParent()).toString().replace('/', '.');
                Matcher v = VERSION.matcher(Files.readString(info));
                if (!v.find() || !v.group(1).equals(released.get(name))) {
                    continue;
                }
                try (Stream<Path> files = Files.list(info.getParent())) {
                    target = files.filter(f -> isProviderInterface(f)).sorted().findFirst().orElse(null);
                }
                if (target != null) {
                    pkg = name;
                    break;
                }
            }
        }
        assertNotNull("no API package with a provider interface is still at its baseline version " + released
                + ": cut a new baseline", target);
        String java = Files.readString(target);
        int end = java.lastIndexOf('}');
        Files.writeString(target, java.substring(0, end)
                + "\n    /** @return whatever */\n    default int added() {\n        return 0;\n    }\n}\n");
        Result r = build(tree);
        assertNotEquals("mvn verify accepted an addition to " + target.getFileName() + " without a version bump:\n"
                + r.tail(), 0, r.exit());
        String[] v = released.get(pkg).split("\\.");
        String next = v[0] + "." + (Integer.parseInt(v[1]) + 1) + ".0";
        String named = pkg;
        assertTrue("the report names " + named + " and its MINOR change to " + next + ":\n" + r.tail(),
                r.output().lines().anyMatch(l -> l.contains(named) && l.contains("MINOR") && l.contains(next)));
        delete(tree);
    }

    private static boolean isProviderInterface(Path file) {
        try {
            String java = Files.readString(file);
            return java.contains("@ProviderType") && java.contains("public interface ");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return each package the baseline API jar exports, with its version */
    private static Map<String, String> baselineExports() throws IOException {
        Path dir = root.resolve("baseline/repository/io/teebox/api");
        Path jar;
        try (Stream<Path> all = Files.walk(dir)) {
            jar = all.filter(f -> f.toString().endsWith(".jar")).sorted().reduce((a, b) -> b).orElseThrow(
                    () -> new AssertionError("no baseline jar under " + dir));
        }
        String exports;
        try (JarFile j = new JarFile(jar.toFile())) {
            exports = j.getManifest().getMainAttributes().getValue("Export-Package");
        }
        Map<String, String> versions = new TreeMap<>();
        Matcher m = Pattern.compile("(io\\.teebox\\.api(?:\\.\\w+)*);(?:uses:=\"[^\"]*\";)?version=\"([0-9.]+)\"")
                .matcher(exports);
        while (m.find()) {
            versions.put(m.group(1), m.group(2));
        }
        assertFalse("the baseline jar " + jar + " exports API packages", versions.isEmpty());
        return versions;
    }

    /** @return a scratch tree: the root pom reduced to the API module, the API bundle, the baseline repository */
    private static Path copy() throws IOException {
        Path tree = Files.createTempDirectory(Path.of("target"), "semver");
        String pom = Files.readString(root.resolve("pom.xml"));
        int from = pom.indexOf("<modules>");
        int to = pom.indexOf("</modules>");
        assertTrue("the root pom lists its modules", from > 0 && to > from);
        pom = pom.substring(0, from) + "<modules><module>bundles/api</module></modules>"
                + pom.substring(to + "</modules>".length());
        Files.writeString(tree.resolve("pom.xml"), pom);
        copyTree(root.resolve("bundles/api/src/main"), tree.resolve("bundles/api/src/main"));
        Files.copy(root.resolve("bundles/api/pom.xml"), tree.resolve("bundles/api/pom.xml"));
        copyTree(root.resolve("baseline/repository/io/teebox/api"), tree.resolve("baseline/repository/io/teebox/api"));
        return tree;
    }

    /** Removes a scratch tree once its test passed (a failed one is kept for its build.log). */
    private static void delete(Path tree) throws IOException {
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private record Result(int exit, String output) {
        String tail() {
            List<String> lines = output.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
    }

    private static Result build(Path tree) throws Exception {
        // offline: the outer build has just fetched every plugin, and the API's baseline, into the local repository
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-o", "verify", "-DskipTests"));
        Path log = tree.resolve("build.log");
        Process p = new ProcessBuilder(cmd).directory(tree.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("mvn verify in " + tree + " took more than 5 minutes");
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
