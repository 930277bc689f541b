package io.teebox.shell.internal;

import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.attestation.Evidence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Certificate files as {@code tee:verify} reads them ({@code report.certs.pem}, {@code --root}): PEM blocks
 * (X.509 or vendor format), one DER certificate, or a raw vendor-format certificate. {@link Evidences} refuses a
 * file with an {@code IllegalArgumentException} naming the file and block (the shell's contract for bad
 * arguments), or gives certificates that export to a PEM file and read back the same.
 */
class EvidencesFuzzTest {

    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("evidences-fuzz");
            DIR.toFile().deleteOnExit();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest
    void certificateFilesReadOrNameTheBlock(byte[] data) throws Exception {
        List<byte[]> certs = typed(() -> Evidences.certificates("certs.pem", data), IllegalArgumentException.class);
        if (certs == null) {
            return;
        }
        check("at least one certificate, none empty", !certs.isEmpty() && certs.stream().allMatch(c -> c.length > 0)
                || certs.size() == 1 && Arrays.equals(certs.get(0), data));
        if (certs.stream().anyMatch(c -> c.length == 0)) {
            return;
        }
        Path report = DIR.resolve("report.bin");
        Evidences.export(new Evidence("x", new byte[1], certs, Map.of()), report);
        List<byte[]> back = Evidences.certificates(Path.of(report + ".certs.pem"));
        check("export and read back: " + certs.size() + " certificates", back.size() == certs.size());
        for (int i = 0; i < certs.size(); i++) {
            check("certificate " + i + " reads back unchanged", Arrays.equals(certs.get(i), back.get(i)));
        }
    }
}
