package io.teebox.tck;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The bundles of the teebox core a backend's integration test boots before its own: the OSGi services the core
 * needs (SCR, ConfigAdmin, the Gogo runtime and its {@code felix:} commands), the libraries it uses, teebox's API,
 * SPI, kit, hypervisor, generic shell ({@code tee:}) and this TCK, at this TCK's own version. No vendor backend is
 * among them.
 *
 * <p>A vendor's build depends on {@code io.teebox:tck} (test scope), which brings these bundles onto the test class
 * path as its runtime dependencies; {@link #bundles()} finds them there by their symbolic names, so the vendor's
 * pom names none of teebox's modules and no version but the TCK's. With Pax Exam:
 *
 * <pre>
 * &#64;Configuration public Option[] config() {
 *     return options(junitBundles(),
 *             composite(CoreRuntime.bundles().stream().map(CoreOptions::bundle).toArray(Option[]::new)),
 *             bundle(new File("target/my-tee.jar").toURI().toString()));
 * }
 * </pre>
 *
 * It uses no Pax Exam type, so it works with any OSGi test harness (bnd's launcher, a plain Felix).
 */
public final class CoreRuntime {

    /** The core's bundles by symbolic name, in the order they are installed. */
    public static final List<String> SYMBOLIC_NAMES = List.of(
            // the OSGi APIs SCR needs deployed, then SCR, ConfigAdmin, Gogo (runtime and felix: commands)
            "org.osgi.service.component", "org.osgi.util.function", "org.osgi.util.promise", "org.apache.felix.scr",
            "org.apache.felix.configadmin", "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.command",
            // libraries of the kit and the shell
            "com.google.gson", "bcprov", "bcutil", "bcpkix",
            // teebox
            "io.teebox.api", "io.teebox.spi", "io.teebox.tck", "io.teebox.kit", "io.teebox.hypervisor",
            "io.teebox.shell");

    private CoreRuntime() {
    }

    /**
     * @return the {@code file:} URLs of the core's bundles, in {@link #SYMBOLIC_NAMES} order, found on the class
     *         path ({@code java.class.path}: jars, or a module's {@code target/classes} with its manifest)
     * @throws IllegalStateException naming each bundle that is not on the class path
     */
    public static List<String> bundles() {
        return bundles(System.getProperty("java.class.path", ""));
    }

    /**
     * @param classPath a class path in the platform's separator
     * @return the URLs of the core's bundles found on it, in {@link #SYMBOLIC_NAMES} order
     * @throws IllegalStateException naming each bundle that is not on it
     */
    public static List<String> bundles(String classPath) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            File f = new File(entry);
            String name = symbolicName(f);
            if (name != null && SYMBOLIC_NAMES.contains(name)) {
                found.putIfAbsent(name, f.toURI().toString());
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> out = new ArrayList<>();
        for (String name : SYMBOLIC_NAMES) {
            String url = found.get(name);
            if (url == null) {
                missing.add(name);
            } else {
                out.add(url);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the teebox core bundles " + missing + " are not on the class path: "
                    + "depend on io.teebox:tck (test scope), which brings them as its runtime dependencies");
        }
        return List.copyOf(out);
    }

    private static String symbolicName(File f) {
        try {
            Manifest m;
            if (f.isDirectory()) {
                File mf = new File(f, "META-INF/MANIFEST.MF");
                if (!mf.isFile()) {
                    return null;
                }
                try (InputStream in = Files.newInputStream(mf.toPath())) {
                    m = new Manifest(in);
                }
            } else if (f.isFile() && f.getName().endsWith(".jar")) {
                try (JarFile jar = new JarFile(f)) {
                    m = jar.getManifest();
                }
            } else {
                return null;
            }
            if (m == null) {
                return null;
            }
            String bsn = m.getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? null : bsn.split(";")[0].trim();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the manifest of " + f, e);
        }
    }
}
