package io.teebox.features.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureService;

/**
 * The feature descriptors of a directory, read with the OSGi Feature Service. Each call reads the files again: a
 * descriptor a user drops into the directory (or edits) counts at once.
 */
final class Catalog {

    private final FeatureService service;
    private final Path dir;
    private final Supplier<ClassLoader> jsonProvider;

    /**
     * @param service the Feature Service
     * @param dir the directory of descriptors
     * @param jsonProvider the class loader that sees a {@code jakarta.json} provider (the Feature Service reads
     *            JSON through {@code jakarta.json.Json}, which finds its provider through the thread's context
     *            class loader), or a supplier of {@code null} to leave the context class loader alone
     */
    Catalog(FeatureService service, Path dir, Supplier<ClassLoader> jsonProvider) {
        this.service = service;
        this.dir = dir;
        this.jsonProvider = jsonProvider;
    }

    /** @return the directory the descriptors are read from */
    Path dir() {
        return dir;
    }

    /**
     * @return every descriptor of the directory, sorted by name
     * @throws IllegalArgumentException if the directory is missing or a descriptor is malformed, naming it
     */
    List<TeeboxFeature> all() {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("the feature directory " + dir.toAbsolutePath()
                    + " does not exist (configuration io.teebox.features, directory)");
        }
        List<TeeboxFeature> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                out.add(read(f));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the feature directory " + dir.toAbsolutePath()
                    + " cannot be listed: " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(TeeboxFeature::name));
        return out;
    }

    /**
     * @param nameOrFile a feature's name in the directory, or the path (or {@code file:} URL) of a descriptor
     * @return the feature
     * @throws IllegalArgumentException if there is no such feature, naming the ones there are
     */
    TeeboxFeature find(String nameOrFile) {
        if (nameOrFile == null || nameOrFile.isBlank()) {
            throw new IllegalArgumentException("a feature name or descriptor file is needed");
        }
        if (nameOrFile.startsWith("file:") || nameOrFile.endsWith(".json") || nameOrFile.contains("/")) {
            Path p = Path.of(nameOrFile.startsWith("file:") ? nameOrFile.substring(5) : nameOrFile);
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("feature descriptor " + p.toAbsolutePath() + " does not exist");
            }
            return read(p);
        }
        List<TeeboxFeature> all = all();
        return all.stream().filter(f -> f.name().equals(nameOrFile)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no feature '" + nameOrFile + "' in "
                        + dir.toAbsolutePath() + "; there are " + all.stream().map(TeeboxFeature::name).toList()));
    }

    /**
     * @param file a descriptor
     * @return the feature it describes
     * @throws IllegalArgumentException if it is not a valid OSGi feature, naming the file and what is wrong
     */
    TeeboxFeature read(Path file) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        ClassLoader provider = jsonProvider.get();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (provider != null) {
                t.setContextClassLoader(provider);
            }
            Feature f = service.readFeature(r);
            return TeeboxFeature.of(f, file);
        } catch (IOException e) {
            throw new IllegalArgumentException("feature " + file + " cannot be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("feature ")) {
                throw e;
            }
            throw new IllegalArgumentException("feature " + file + " is not a valid OSGi feature: " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            // jakarta.json's parsing errors (JsonParsingException, JsonException) and the service's own checks
            throw new IllegalArgumentException("feature " + file + " is not a valid OSGi feature: "
                    + firstLine(e), e);
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
