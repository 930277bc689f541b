package io.teebox.nvidia.rim.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import io.teebox.nvidia.rim.Rim;
import io.teebox.nvidia.rim.RimContent;
import io.teebox.nvidia.rim.RimSigner;

/**
 * The RIMs published on the emulated RIM service: in memory, and one file per RIM ({@code <id>.swidtag}) in a
 * directory, written atomically, read back at start so published RIMs survive a restart.
 */
public final class RimStore {

    /** RIM ids as NVIDIA forms them: letters, digits, '_', '.', '-'. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * One published RIM.
     *
     * @param id its id
     * @param xml the signed tag
     * @param lastUpdated when it was published
     */
    public record Entry(String id, byte[] xml, Instant lastUpdated) {

        /** @return the RIM service's JSON answer for it, as NVIDIA's service shapes it */
        public String json() {
            return "{\"id\":\"" + id + "\",\"rim\":\"" + Base64.getEncoder().encodeToString(xml)
                    + "\",\"sha256\":\"" + Hex.encode(Digests.sha256(xml)) + "\",\"last_updated\":\""
                    + lastUpdated + "\",\"rim_format\":\"SWID\"}";
        }
    }

    private final Path directory;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** @param directory where RIMs are kept, or null to keep them in memory only */
    public RimStore(Path directory) {
        this.directory = directory;
        if (directory != null && Files.isDirectory(directory)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.swidtag")) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    String id = name.substring(0, name.length() - ".swidtag".length());
                    if (ID.matcher(id).matches()) {
                        entries.put(id, new Entry(id, Files.readAllBytes(f),
                                Files.getLastModifiedTime(f).toInstant()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the published RIMs in " + directory, e);
            }
        }
    }

    /**
     * @param id a RIM id
     * @throws IllegalArgumentException if it is not one
     */
    static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("RIM id \"" + id + "\" is not a RIM id (letters, digits, _ . -, at "
                    + "most 128)");
        }
    }

    /**
     * Publishes a RIM; the same content again returns the RIM already published.
     *
     * @param content what it states
     * @param signer signs it when it is new or its content changed
     * @return the signed tag
     */
    public synchronized byte[] publish(RimContent content, RimSigner signer) {
        checkId(content.id());
        Entry old = entries.get(content.id());
        if (old != null && Arrays.equals(fingerprint(content), fingerprintOf(old))) {
            return old.xml().clone();
        }
        byte[] xml = signer.sign(content);
        Entry e = new Entry(content.id(), xml, Instant.now());
        if (directory != null) {
            write(content.id(), xml);
        }
        entries.put(content.id(), e);
        return xml.clone();
    }

    private static byte[] fingerprint(RimContent c) {
        return Digests.sha256(RimSigner.unsigned(c).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] fingerprintOf(Entry e) {
        try {
            return fingerprint(Rim.parse(e.xml()).content(e.id(), RimContent.Kind.DRIVER));
        } catch (RuntimeException damaged) {
            return new byte[0];
        }
    }

    private void write(String id, byte[] xml) {
        try {
            Files.createDirectories(directory);
            Path tmp = Files.createTempFile(directory, id, ".tmp");
            Files.write(tmp, xml);
            Path target = directory.resolve(id + ".swidtag");
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep RIM " + id + " in " + directory, e);
        }
    }

    /**
     * @param id a RIM id
     * @return the published RIM
     */
    public Optional<Entry> get(String id) {
        return Optional.ofNullable(entries.get(id));
    }
}
