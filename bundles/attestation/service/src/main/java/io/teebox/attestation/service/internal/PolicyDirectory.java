package io.teebox.attestation.service.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The policies in force, read from the {@code *.json} files of a directory and re-read when a file changes (polled,
 * as FileInstall polls config/). A file that does not parse, or whose id another file already has, is refused with a
 * one-line reason in the log, and what that file gave before stays in force; a deleted file's policy goes.
 */
final class PolicyDirectory {

    private record Loaded(FileTime modified, long size, AttestationPolicy policy) {
    }

    private final Path dir;
    private final Consumer<String> log;
    private final Consumer<String> detail;
    /** Per file, what it last gave successfully. */
    private final Map<Path, Loaded> loaded = new TreeMap<>();
    /** Per file, the version last refused (so the log says it once) and why. */
    private final Map<Path, String> refused = new TreeMap<>();
    private final Map<Path, FileTime> refusedAt = new TreeMap<>();
    private volatile Map<String, AttestationPolicy> byId = Map.of();
    private volatile Map<String, String> refusals = Map.of();
    private volatile Map<String, String> fileOf = Map.of();

    /**
     * @param dir the directory (it need not exist yet)
     * @param log where one-line messages go
     */
    PolicyDirectory(Path dir, Consumer<String> log) {
        this(dir, log, log);
    }

    /**
     * @param dir the directory
     * @param log where one-line problems go (a refused file, an unlistable directory)
     * @param detail where the loads, reloads and removals go (a load happens at every start: not a problem)
     */
    PolicyDirectory(Path dir, Consumer<String> log, Consumer<String> detail) {
        this.dir = dir;
        this.log = log;
        this.detail = detail;
    }

    /** @return the directory */
    Path directory() {
        return dir;
    }

    /** Reads what changed since the last scan. */
    synchronized void scan() {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                log.accept("attestation policies: cannot list " + dir + ": " + e.getMessage());
                return;
            }
        }
        loaded.keySet().removeIf(p -> {
            if (!files.contains(p)) {
                detail.accept("attestation policy " + loaded.get(p).policy().id() + " removed (" + p + " is gone)");
                return true;
            }
            return false;
        });
        refused.keySet().retainAll(files);
        refusedAt.keySet().retainAll(files);
        for (Path f : files) {
            FileTime modified;
            long size;
            try {
                modified = Files.getLastModifiedTime(f);
                size = Files.size(f);
            } catch (IOException e) {
                continue; // it went away meanwhile: the next scan sees that
            }
            Loaded before = loaded.get(f);
            if (before != null && before.modified().equals(modified) && before.size() == size
                    || modified.equals(refusedAt.get(f))) {
                continue;
            }
            try {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                AttestationPolicy p = AttestationPolicy.parse(text);
                for (Map.Entry<Path, Loaded> other : loaded.entrySet()) {
                    if (!other.getKey().equals(f) && other.getValue().policy().id().equals(p.id())) {
                        throw new IllegalArgumentException("id '" + p.id() + "' is already the id of "
                                + other.getKey().getFileName());
                    }
                }
                loaded.put(f, new Loaded(modified, size, p));
                refused.remove(f);
                refusedAt.remove(f);
                detail.accept("attestation policy " + p.id() + " " + (before == null ? "loaded" : "reloaded")
                        + " from " + f);
            } catch (IOException | RuntimeException e) {
                String reason = e instanceof IOException ? "unreadable: " + e.getMessage() : e.getMessage();
                refused.put(f, reason);
                refusedAt.put(f, modified);
                log.accept("attestation policy file " + f + " refused: " + reason + (before == null ? ""
                        : "; policy " + before.policy().id() + " stays in force as it was"));
            }
        }
        Map<String, AttestationPolicy> ids = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        loaded.forEach((p, l) -> {
            ids.put(l.policy().id(), l.policy());
            names.put(l.policy().id(), p.getFileName().toString());
        });
        byId = Collections.unmodifiableMap(ids);
        fileOf = Collections.unmodifiableMap(names);
        Map<String, String> r = new LinkedHashMap<>();
        refused.forEach((p, why) -> r.put(p.getFileName().toString(), why));
        refusals = Collections.unmodifiableMap(r);
    }

    /**
     * @param id a policy's id
     * @return the text of the file it is in force from, or null
     * @throws IllegalStateException if that file cannot be read any more
     */
    synchronized String text(String id) {
        String name = fileOf.get(id);
        if (name == null) {
            return null;
        }
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("attestation policy " + id + ": cannot read " + dir.resolve(name) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Checks a policy and writes it to the file of its id ({@code <id>.json} for a new one), atomically, then reads
     * the directory so that it is in force when this returns.
     *
     * @param json the policy
     * @return the policy in force
     * @throws IllegalArgumentException for a policy that does not parse, naming what is wrong (nothing is written)
     * @throws IllegalStateException if the file cannot be written
     */
    synchronized AttestationPolicy store(String json) {
        AttestationPolicy p = AttestationPolicy.parse(json);
        String name = fileOf.getOrDefault(p.id(), p.id() + ".json");
        Path target = dir.resolve(name);
        Loaded other = loaded.get(target);
        if (other != null && !other.policy().id().equals(p.id())) {
            throw new IllegalArgumentException("file " + name + " holds policy " + other.policy().id()
                    + "; policy " + p.id() + " needs a file of its own");
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + p.id(), ".json.tmp");
            try {
                Files.writeString(tmp, json.endsWith("\n") ? json : json + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException("attestation policy " + p.id() + ": cannot write " + target + ": "
                    + e.getMessage(), e);
        }
        loaded.remove(target); // re-read even if the clock's resolution left the time and size as they were
        refusedAt.remove(target);
        scan();
        AttestationPolicy now = byId.get(p.id());
        if (now == null) {
            throw new IllegalStateException("attestation policy " + p.id() + " was written to " + target
                    + " but is not in force: " + refused.get(target));
        }
        return now;
    }

    /** @return the policies in force by id, in file-name order */
    Map<String, AttestationPolicy> policies() {
        return byId;
    }

    /**
     * @param id a policy's id
     * @return the name of the file it was read from, or null
     */
    String file(String id) {
        return fileOf.get(id);
    }

    /** @return the files refused at their present version, with the reason */
    Map<String, String> refusals() {
        return refusals;
    }

    /**
     * The policy for a request: the one named, or else {@code default} if it covers the format, else the first
     * (by file name) that covers it, else {@link AttestationPolicy#BUILT_IN}.
     *
     * @param requested the request's {@code policy_id}, or null
     * @param format the evidence format
     * @return the policy
     * @throws Problem 400 if the named policy does not exist or does not cover the format
     */
    AttestationPolicy select(String requested, String format) {
        Map<String, AttestationPolicy> now = byId;
        if (requested != null) {
            AttestationPolicy p = now.get(requested);
            if (p == null) {
                throw new Problem(400, "UnknownPolicy", "policy_id '" + requested + "' is not loaded; loaded: "
                        + now.keySet());
            }
            if (!p.covers(format)) {
                throw new Problem(400, "UnknownPolicy", "policy " + requested + " does not cover format " + format
                        + "; it covers " + p.formats().keySet());
            }
            return p;
        }
        AttestationPolicy d = now.get("default");
        if (d != null && d.covers(format)) {
            return d;
        }
        return now.values().stream().filter(p -> p.covers(format)).findFirst().orElse(AttestationPolicy.BUILT_IN);
    }

    @Override
    public String toString() {
        return "policies in " + dir + ": " + Objects.requireNonNull(byId).keySet();
    }
}
