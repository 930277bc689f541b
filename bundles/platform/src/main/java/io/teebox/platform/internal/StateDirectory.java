package io.teebox.platform.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.api.platform.PlatformState;

/**
 * The state directory on disk: {@code <dir>/<platform>/<name>}, each value written once to a temporary file and
 * linked into place, so a crash never leaves half a value and two processes creating the same value agree on the
 * first one. Files are readable by the owner only (they hold private key material).
 */
@Component(service = PlatformState.class, configurationPid = "io.teebox.platform")
@Designate(ocd = StateConfig.class)
public final class StateDirectory implements PlatformState {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;

    /**
     * @param config the configuration
     * @param context the bundle's context, for the launcher's {@value #LAUNCHER_PROPERTY}
     * @throws IllegalArgumentException if the directory cannot be created or written, naming it
     */
    @Activate
    public StateDirectory(StateConfig config, org.osgi.framework.BundleContext context) {
        this(Path.of(context.getProperty(LAUNCHER_PROPERTY) != null ? context.getProperty(LAUNCHER_PROPERTY)
                : config.stateDirectory()));
    }

    /**
     * A configuration arriving after the defaults (FileInstall reads config/ a moment after the bundles start) keeps
     * this instance when it names the directory in use, as it does under the launcher, whose directory wins: without
     * this method DS would re-create the component and re-register the service, and every component holding it
     * (the platforms' keys, the backends, the broker) would be re-created in turn.
     *
     * @param config the new configuration
     * @param context the bundle's context
     * @throws IllegalArgumentException if it names another directory: that takes effect at the next start
     */
    @org.osgi.service.component.annotations.Modified
    void modified(StateConfig config, org.osgi.framework.BundleContext context) {
        if (context.getProperty(LAUNCHER_PROPERTY) != null) {
            return;
        }
        Path next = Path.of(config.stateDirectory()).toAbsolutePath().normalize();
        if (!next.equals(dir)) {
            throw new IllegalArgumentException("io.teebox.platform: stateDirectory " + next + " takes effect at the "
                    + "next start; teebox runs on " + dir);
        }
    }

    /**
     * Framework property the launcher sets to the directory it resolved from the same configuration file (and the
     * framework storage lives in); it wins over the configuration so both always agree.
     */
    static final String LAUNCHER_PROPERTY = "teebox.state";

    /**
     * @param dir the directory, created if missing
     * @throws IllegalArgumentException if it cannot be created, naming it
     */
    public StateDirectory(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (dir.toString().isBlank()) {
            throw new IllegalArgumentException("io.teebox.platform: stateDirectory must not be empty");
        }
        try {
            this.dir = Files.createDirectories(dir.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new IllegalArgumentException("io.teebox.platform: stateDirectory " + dir + " cannot be created: "
                    + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
        if (!Files.isWritable(this.dir)) {
            throw new IllegalArgumentException("io.teebox.platform: stateDirectory " + this.dir + " is not writable");
        }
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public byte[] secret(String platform, String name, int length) {
        if (length < 16 || length > 4096) {
            throw new IllegalArgumentException("a platform secret is 16..4096 bytes, asked for " + length);
        }
        byte[] value = kept(platform, name, () -> {
            byte[] b = new byte[length];
            RANDOM.nextBytes(b);
            return b;
        });
        if (value.length != length) {
            throw new IllegalStateException("state file " + file(platform, name) + " is " + value.length
                    + " bytes, expected " + length + "; it is damaged: restore it, or re-provision the platform "
                    + "(./teebox reprovision " + platform + ") to give it a new identity");
        }
        return value;
    }

    @Override
    public byte[] kept(String platform, String name, Supplier<byte[]> create) {
        Path f = file(platform, name);
        byte[] existing = read(f);
        if (existing != null) {
            return existing;
        }
        byte[] value = Objects.requireNonNull(create.get(), "created value");
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), "." + name, ".tmp");
            try {
                restrict(tmp);
                Files.write(tmp, value);
                Files.createLink(f, tmp);
            } catch (FileAlreadyExistsException e) {
                // another process created it first: its value is the platform's
                return Objects.requireNonNull(read(f));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException("state file " + f + " cannot be written: " + e.getClass().getSimpleName()
                    + " " + e.getMessage(), e);
        }
        return value.clone();
    }

    private Path file(String platform, String name) {
        for (String part : new String[] {platform, name}) {
            if (part == null || !NAME.matcher(part).matches()) {
                throw new IllegalArgumentException("state name '" + part + "' must be 1..64 of a-z, 0-9, '.', '_', "
                        + "'-', starting with a letter or digit");
            }
        }
        return dir.resolve(platform).resolve(name);
    }

    private static byte[] read(Path f) {
        if (!Files.exists(f)) {
            return null;
        }
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new IllegalStateException("state file " + f + " cannot be read: " + e.getClass().getSimpleName()
                    + " " + e.getMessage(), e);
        }
    }

    private static void restrict(Path f) throws IOException {
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own permissions apply
        }
    }
}
