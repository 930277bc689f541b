package io.teebox.attestation.gcp.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The key service's key rings and keys, kept in one JSON file of the state directory ({@code gcp/kms.json},
 * owner-only): for each key its resource name, its AES-256 material (base64), its IAM condition and when it was
 * made. Every change is written to a temporary file, forced to disk and moved over the old one atomically before the
 * call returns, so a crash leaves the old or the new file, never half of one.
 */
final class KmsStore {

    /** A key's resource name, as Cloud KMS names them. */
    static final Pattern NAME = Pattern.compile("projects/([a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})/locations/"
            + "([a-z][a-z0-9-]{0,62})/keyRings/([A-Za-z0-9_-]{1,63})/cryptoKeys/([A-Za-z0-9_-]{1,63})");

    /** A key. */
    record Key(String name, byte[] material, Condition condition, Instant created) {
    }

    private final Path file;
    private final Map<String, Key> keys = new TreeMap<>();

    /**
     * @param file the store
     * @throws IllegalStateException if the file exists and does not parse, naming the file and the key
     */
    KmsStore(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            load();
        }
    }

    /** @throws GcpError INVALID_ARGUMENT for a malformed name */
    static Matcher name(String name) {
        Matcher m = NAME.matcher(name == null ? "" : name);
        if (!m.matches()) {
            throw GcpError.invalid("'" + name + "' is not a key name: projects/<project>/locations/<location>/"
                    + "keyRings/<ring>/cryptoKeys/<key>, ids of 1 to 63 letters, digits, '_' or '-'");
        }
        return m;
    }

    /**
     * Creates a key with new material, or changes the condition of an existing one (its material stays).
     *
     * @param name the key's resource name
     * @param condition the IAM condition
     * @return the key
     * @throws IllegalArgumentException for a bad name or condition, one line; nothing is stored then
     */
    synchronized Key put(String name, String condition) {
        try {
            name(name);
        } catch (GcpError e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        Condition c = Condition.parse(condition);
        Key old = keys.get(name);
        byte[] material = old != null ? old.material() : new byte[32];
        if (old == null) {
            new SecureRandom().nextBytes(material);
        }
        Key k = new Key(name, material, c, old != null ? old.created() : Instant.now());
        Map<String, Key> next = new TreeMap<>(keys);
        next.put(name, k);
        write(next);
        keys.put(name, k);
        return k;
    }

    synchronized Optional<Key> get(String name) {
        return Optional.ofNullable(keys.get(name));
    }

    synchronized Map<String, Key> all() {
        return Map.copyOf(keys);
    }

    private void load() {
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new IllegalStateException("the key store " + file + " cannot be read: " + e.getMessage(), e);
        }
        JsonObject ks = o.has("keys") && o.get("keys").isJsonObject() ? o.getAsJsonObject("keys") : new JsonObject();
        for (Map.Entry<String, JsonElement> e : ks.entrySet()) {
            try {
                JsonObject k = e.getValue().getAsJsonObject();
                byte[] m = Base64.getDecoder().decode(k.get("material").getAsString());
                if (m.length != 32) {
                    throw new IllegalArgumentException("material is " + m.length + " bytes, expected 32");
                }
                keys.put(e.getKey(), new Key(e.getKey(), m, Condition.parse(k.get("condition").getAsString()),
                        Instant.parse(k.get("createTime").getAsString())));
            } catch (RuntimeException x) {
                throw new IllegalStateException("the key store " + file + " has a bad key " + e.getKey() + ": "
                        + x.getMessage(), x);
            }
        }
    }

    private void write(Map<String, Key> next) {
        JsonObject ks = new JsonObject();
        next.forEach((n, k) -> {
            JsonObject o = new JsonObject();
            o.addProperty("material", Base64.getEncoder().encodeToString(k.material()));
            o.addProperty("condition", k.condition().source());
            o.addProperty("createTime", k.created().toString());
            ks.add(n, o);
        });
        JsonObject root = new JsonObject();
        root.addProperty("format", "teebox-kms-1");
        root.add("keys", ks);
        byte[] bytes = root.toString().getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: the directory's own permissions protect the file
                }
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the key store " + file + " cannot be written: " + e.getMessage(), e);
        }
    }
}
