package io.teebox.nvidia.h100.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.function.Supplier;

import io.teebox.api.platform.PlatformState;

/** A state directory in files, as the platform's: values made once and kept, so a second backend reads them. */
final class TestPlatform implements PlatformState {

    private final Path dir;

    TestPlatform(Path dir) {
        this.dir = dir;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public synchronized byte[] secret(String platform, String name, int length) {
        return kept(platform, name + ".secret", () -> {
            byte[] b = new byte[length];
            new SecureRandom().nextBytes(b);
            return b;
        });
    }

    @Override
    public synchronized byte[] kept(String platform, String name, Supplier<byte[]> create) {
        // the platform's StateDirectory accepts these names only
        for (String part : new String[] {platform, name}) {
            if (!part.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
                throw new IllegalArgumentException("bad state name '" + part + "'");
            }
        }
        Path f = dir.resolve(platform).resolve(name);
        try {
            if (Files.exists(f)) {
                return Files.readAllBytes(f);
            }
            Files.createDirectories(f.getParent());
            byte[] v = create.get();
            Files.write(f, v);
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
