package io.teebox.nvidia.h100.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where each GPU's CC mode is kept, as the real GPU keeps it in its non-volatile configuration: a file per GPU in
 * the platform's state directory ({@code nvidia/h100/<gpu>.cc-mode}), written atomically, read at start. A GPU whose
 * mode was never set has the configured initial mode.
 */
final class ModeStore {

    private final Path directory;
    private final CcMode initial;

    ModeStore(Path stateDirectory, CcMode initial) {
        this.directory = stateDirectory.resolve("nvidia").resolve("h100");
        this.initial = initial;
    }

    CcMode mode(String gpu) {
        Path f = directory.resolve(gpu + ".cc-mode");
        if (!Files.exists(f)) {
            return initial;
        }
        try {
            return CcMode.of(Files.readString(f, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CC mode of " + gpu + " from " + f, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the CC mode of " + gpu + " in " + f + " is unreadable: "
                    + e.getMessage(), e);
        }
    }

    void store(String gpu, CcMode mode) {
        Path f = directory.resolve(gpu + ".cc-mode");
        try {
            Files.createDirectories(directory);
            Path tmp = Files.createTempFile(directory, gpu, ".tmp");
            Files.writeString(tmp, mode.text() + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the CC mode of " + gpu + " in " + f, e);
        }
    }
}
