package io.teebox.kbs.internal;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server from the Debian {@code postgresql} package's binaries: {@code initdb} into a
 * temporary directory (as the {@code postgres} user when the test runs as root, since initdb refuses root),
 * {@code pg_ctl start} on a free loopback port with trust authentication, and {@code pg_ctl stop} at the end. It
 * fails, never skips, when the binaries are missing.
 */
final class PostgresServer implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final boolean asPostgres;
    final int port;

    PostgresServer() throws Exception {
        this.bin = binaries();
        this.asPostgres = "root".equals(System.getProperty("user.name"));
        this.dir = Files.createTempDirectory(Path.of("/tmp"), "teebox-pg");
        if (asPostgres) {
            run(List.of("chown", "postgres", dir.toString()), false);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "kbs",
                "--auth=trust", "-E", "UTF8", "--no-sync"), true);
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
                "-l", dir.resolve("log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses="
                        + "127.0.0.1", "start"), true);
    }

    /** @return the JDBC URL of the server's postgres database */
    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        try (Stream<Path> versions = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.naturalOrder()).orElseThrow(() -> new AssertionError("the PostgreSQL server "
                            + "binaries are missing (/usr/lib/postgresql/*/bin/initdb): install the Debian package "
                            + "postgresql (.ci/run does)"));
        } catch (IOException e) {
            throw new AssertionError("cannot list " + root + ": " + e, e);
        }
    }

    private void run(List<String> command, boolean postgresUser) throws Exception {
        List<String> c = new ArrayList<>();
        if (postgresUser && asPostgres) {
            c.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        c.addAll(command);
        File out = File.createTempFile("teebox-pg", ".out");
        try {
            Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(out).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", c) + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", c) + " exited " + p.exitValue() + ": "
                        + Files.readString(out.toPath(), StandardCharsets.UTF_8));
            }
        } finally {
            out.delete();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop"), true);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
