package io.teebox.disk.image;

import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the independent tools; a missing tool fails the test, naming its Debian package. */
final class Tools {

    record Result(int rc, String out) {
    }

    private Tools() {
    }

    static Result run(String debianPackage, Path dir, byte[] stdin, String... cmd) {
        ProcessBuilder pb = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            fail(cmd[0] + " cannot run (" + e.getMessage() + "): install the Debian package " + debianPackage);
            throw new AssertionError(e);
        }
        // a reader may stop at its archive's end (cpio at TRAILER!!!) before all input is written
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // the tool closed its input early; its exit code and output decide the test
            }
        });
        feeder.start();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream o = p.getInputStream()) {
                o.transferTo(out);
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(cmd[0] + " did not finish in 120 s");
            }
            feeder.join();
            return new Result(p.exitValue(), out.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " output cannot be read: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String ok(Result r, String what) {
        if (r.rc() != 0) {
            fail(what + " failed with exit code " + r.rc() + ": " + r.out());
        }
        return r.out();
    }

    static String sgdisk(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "sgdisk";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return ok(run("gdisk", null, null, cmd), "sgdisk " + String.join(" ", args));
    }

    static String sfdiskJson(Path image) {
        return ok(run("fdisk", null, null, "sfdisk", "--json", image.toString()), "sfdisk --json");
    }
}
