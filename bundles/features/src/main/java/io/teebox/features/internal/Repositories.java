package io.teebox.features.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.osgi.service.feature.ID;

/**
 * Local repositories in Maven's layout: a feature's bundle id {@code groupId:artifactId[:type[:classifier]]:version}
 * names the file {@code groupId-as-folders/artifactId/version/artifactId-version[-classifier].type}.
 */
final class Repositories {

    /** What a repository holds for an id: the file and the bundle identity in its manifest. */
    record Artifact(ID id, Path file, String symbolicName, String version) {
    }

    private final List<Path> roots;
    /** Manifests already read, by file, with the file's modification time: a listing asks for every bundle often. */
    private final java.util.Map<Path, Read> read = new java.util.concurrent.ConcurrentHashMap<>();

    private record Read(long modified, Artifact artifact) {
    }

    /** @param roots the repositories, searched in order */
    Repositories(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /**
     * @param configured the configured paths, each possibly a comma-separated list (a {@code .cfg} file gives one
     *            string); a leading {@code ~} is the user's home
     * @return the repositories
     */
    static Repositories of(String[] configured) {
        List<Path> out = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (String r : configured == null ? new String[0] : configured) {
            parts.addAll(List.of((r == null ? "" : r).split(",")));
        }
        for (String r : parts) {
            String s = r.trim();
            if (s.isEmpty()) {
                continue;
            }
            if (s.equals("~") || s.startsWith("~/")) {
                s = System.getProperty("user.home") + s.substring(1);
            }
            out.add(Path.of(s));
        }
        return new Repositories(out);
    }

    /** @return the repositories, in search order */
    List<Path> roots() {
        return roots;
    }

    /**
     * @param id a bundle id
     * @return the path of its file below a repository's root
     */
    static Path relative(ID id) {
        String type = id.getType().orElse("jar");
        String file = id.getArtifactId() + "-" + id.getVersion() + id.getClassifier().map(c -> "-" + c).orElse("")
                + "." + type;
        return Path.of(id.getGroupId().replace('.', '/'), id.getArtifactId(), id.getVersion(), file);
    }

    /**
     * @param id a bundle id
     * @return the first repository's file for it, with the identity its manifest declares
     * @throws IllegalArgumentException if a file exists but is not an OSGi bundle, naming it
     */
    Optional<Artifact> find(ID id) {
        Path rel = relative(id);
        for (Path root : roots) {
            Path f = root.resolve(rel);
            if (Files.isRegularFile(f)) {
                return Optional.of(cached(id, f));
            }
        }
        return Optional.empty();
    }

    /**
     * @param id a bundle id
     * @return the one-line reason it cannot be installed: where it was looked for
     */
    String missing(ID id) {
        return "bundle " + id + " is in no repository (looked for " + relative(id) + " in "
                + roots.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList() + ")";
    }

    private Artifact cached(ID id, Path f) {
        long modified;
        try {
            modified = Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            return read(id, f);
        }
        Read hit = read.get(f);
        if (hit != null && hit.modified() == modified) {
            return hit.artifact();
        }
        Artifact a = read(id, f);
        read.put(f, new Read(modified, a));
        return a;
    }

    private static Artifact read(ID id, Path f) {
        try (JarFile jar = new JarFile(f.toFile())) {
            Manifest m = jar.getManifest();
            Attributes a = m == null ? null : m.getMainAttributes();
            String bsn = a == null ? null : a.getValue("Bundle-SymbolicName");
            if (bsn == null) {
                throw new IllegalArgumentException("bundle " + id + ": " + f + " has no Bundle-SymbolicName: it is "
                        + "not an OSGi bundle");
            }
            int semi = bsn.indexOf(';');
            String version = a.getValue("Bundle-Version");
            return new Artifact(id, f, (semi < 0 ? bsn : bsn.substring(0, semi)).trim(),
                    version == null ? "0.0.0" : version.trim());
        } catch (IOException e) {
            throw new IllegalArgumentException("bundle " + id + ": " + f + " is not a readable jar: " + e.getMessage(),
                    e);
        }
    }
}
