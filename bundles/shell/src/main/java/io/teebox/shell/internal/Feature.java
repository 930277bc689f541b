package io.teebox.shell.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;

/**
 * A feature descriptor from {@code features/*.json}: a named group of bundles started and stopped together.
 *
 * @param id the feature's name, equal to its file name
 * @param description one sentence
 * @param requires features that must be present for this one to work
 * @param bundles bundle symbolic names, or locations ({@code file:...}) of bundles to install
 */
record Feature(String id, String description, List<String> requires, List<String> bundles) {

    private static final Gson GSON = new Gson();

    /** Reads every descriptor in a directory, sorted by id; a malformed one is an error naming the file. */
    static List<Feature> readAll(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("feature directory " + dir.toAbsolutePath()
                    + " does not exist (set the framework property teebox.features)");
        }
        List<Feature> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                out.add(read(p));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    static Feature read(Path file) {
        Feature f;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            f = GSON.fromJson(r, Feature.class);
        } catch (IOException | JsonParseException e) {
            throw new IllegalArgumentException("feature file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        String name = file.getFileName().toString().replaceFirst("\\.json$", "");
        if (f == null || f.id() == null || !f.id().equals(name)) {
            throw new IllegalArgumentException("feature file " + file + ": \"id\" must be \"" + name + "\", found "
                    + (f == null ? "nothing" : f.id()));
        }
        if (f.bundles() == null || f.bundles().isEmpty()) {
            throw new IllegalArgumentException("feature file " + file + ": \"bundles\" must list at least one bundle");
        }
        return new Feature(f.id(), f.description() == null ? "" : f.description(),
                f.requires() == null ? List.of() : List.copyOf(f.requires()), List.copyOf(f.bundles()));
    }

    @Override
    public String toString() {
        return String.format("%-8s %s%n         bundles %s%s", id, description, bundles,
                requires.isEmpty() ? "" : "\n         requires " + requires);
    }
}
