package io.teebox.kbs.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The embedded store: an H2 MVStore file. Auto-commit is off; each write is committed (a new chunk written and the
 * file header updated) and synced before it returns, so an acknowledged write survives a {@code kill -9}.
 */
final class MvResourceStore implements ResourceStore {

    private final Path file;
    private final MVStore store;
    private final MVMap<String, byte[]> resources;
    private final MVMap<String, String> meta;

    /**
     * @param file the store file, created with its directory when missing
     * @throws IllegalStateException naming the file when it cannot be opened
     */
    MvResourceStore(Path file) {
        this.file = file.toAbsolutePath();
        try {
            java.nio.file.Files.createDirectories(this.file.getParent());
            this.store = new MVStore.Builder().fileName(this.file.toString()).autoCommitDisabled().open();
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("the key broker store " + this.file + " cannot be opened: "
                    + e.getMessage(), e);
        }
        this.resources = store.openMap("resources");
        this.meta = store.openMap("meta");
    }

    @Override
    public synchronized void put(ResourcePath path, byte[] value) {
        resources.put(path.toString(), value.clone());
        durable();
    }

    @Override
    public synchronized Optional<byte[]> get(ResourcePath path) {
        byte[] v = resources.get(path.toString());
        return Optional.ofNullable(v == null ? null : v.clone());
    }

    @Override
    public synchronized List<String> list() {
        return new ArrayList<>(resources.keySet());
    }

    @Override
    public synchronized void putPolicy(String json) {
        meta.put("resource-policy", json);
        durable();
    }

    @Override
    public synchronized Optional<String> policy() {
        return Optional.ofNullable(meta.get("resource-policy"));
    }

    private void durable() {
        store.commit();
        store.sync();
    }

    @Override
    public String describe() {
        return "H2 MVStore " + file;
    }

    @Override
    public synchronized void close() {
        if (!store.isClosed()) {
            store.close();
        }
    }
}
