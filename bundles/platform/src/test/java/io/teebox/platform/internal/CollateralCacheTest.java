package io.teebox.platform.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.api.tee.Bytes;
import io.teebox.spi.collateral.CollateralSource;

public class CollateralCacheTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final Map<String, String> KEY = Map.of("product", "Milan", "hwid", "ab12");

    /** A vendor service that counts its requests and can be switched off (no network). */
    private static final class Vendor implements CollateralSource {
        final List<String> asked = new ArrayList<>();
        volatile boolean down;
        volatile byte[] answer = {1, 2, 3};

        @Override
        public Optional<Bytes> fetch(String kind, Map<String, String> key) {
            asked.add(kind);
            if (down) {
                throw new UncheckedIOException("connection refused", new java.io.IOException("ECONNREFUSED"));
            }
            return kind.equals("none") ? Optional.empty() : Optional.of(Bytes.of(answer));
        }

        @Override
        public String describe() {
            return "vendor";
        }
    }

    private final Vendor vendor = new Vendor();
    private final Instant now = Instant.parse("2026-12-01T12:00:00Z");

    private CollateralCache cache(Path dir, boolean offline, Duration refresh) {
        return new CollateralCache(dir, offline, refresh, Clock.fixed(now, ZoneOffset.UTC), List.of(vendor));
    }

    @Test
    public void keepsWhatTheVendorAnsweredAndServesItWithoutAskingAgain() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("collateral");
        CollateralCache c = cache(dir, false, Duration.ZERO);
        assertEquals(Bytes.of(new byte[] {1, 2, 3}), c.fetch("crl", KEY).orElseThrow());
        Path f = dir.resolve("crl/hwid=ab12,product=Milan.bin");
        assertTrue(Files.exists(f));
        vendor.down = true;
        assertEquals(Bytes.of(new byte[] {1, 2, 3}), c.fetch("crl", KEY).orElseThrow());
        assertEquals(List.of("crl"), vendor.asked);
        vendor.down = false;
        assertEquals(Optional.empty(), cache(dir, false, Duration.ZERO).fetch("none", Map.of()));
        assertFalse(Files.exists(dir.resolve("none")));
    }

    @Test
    public void offlineServesOnlyTheFilesAndNeverAsks() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("airgap");
        Files.createDirectories(dir.resolve("tcb"));
        Files.write(dir.resolve("tcb/fmspc=00906ED50000.bin"), new byte[] {9});
        CollateralCache c = cache(dir, true, Duration.ZERO);
        assertEquals(Bytes.of(new byte[] {9}), c.fetch("tcb", Map.of("fmspc", "00906ED50000")).orElseThrow());
        assertEquals(Optional.empty(), c.fetch("tcb", Map.of("fmspc", "00A06F000000")));
        assertTrue(vendor.asked.isEmpty());
        assertTrue(c.describe(), c.describe().endsWith("(offline)"));
    }

    @Test
    public void aStaleFileIsFetchedAgainAndServedWhenTheVendorIsDown() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("c");
        CollateralCache c = cache(dir, false, Duration.ofHours(1));
        c.fetch("crl", KEY);
        Path f = c.file("crl", KEY);
        Files.setLastModifiedTime(f, FileTime.from(now.minus(Duration.ofHours(2))));
        vendor.answer = new byte[] {4};
        assertEquals(Bytes.of(new byte[] {4}), c.fetch("crl", KEY).orElseThrow());
        assertEquals(2, vendor.asked.size());
        Files.setLastModifiedTime(f, FileTime.from(now.minus(Duration.ofHours(2))));
        vendor.down = true;
        assertEquals(Bytes.of(new byte[] {4}), c.fetch("crl", KEY).orElseThrow());
        try {
            c.fetch("vcek", KEY);
            fail("nothing kept and the vendor down: the verifier must hear why");
        } catch (UncheckedIOException e) {
            assertEquals("no source answered vcek " + KEY + ": vendor: connection refused",
                    e.getMessage().replace("{hwid=ab12, product=Milan}", KEY.toString()));
        }
        try (var s = Files.list(f.getParent())) {
            assertFalse("no temporary file is left", s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    public void keysThatCannotNameAFileAreHashedAndBadConfigurationIsNamed() {
        CollateralCache c = cache(tmp.getRoot().toPath(), true, Duration.ZERO);
        String name = c.file("pckcert", Map.of("qeid", "a/../../b")).getFileName().toString();
        assertTrue(name, name.matches("sha256-[0-9a-f]{64}\\.bin"));
        message("collateral kind '../x' cannot name a file", () -> c.file("../x", Map.of()));
        message("mode is 'online'; accepted: cache, offline", () -> CollateralCache.mode("online"));
        message("collateral.vendor is 'AMD!'; give the sources' collateral.vendor, for example amd or intel",
                () -> CollateralCache.vendor("AMD!"));
        message("collateral.vendor is not set; give the sources' collateral.vendor, for example amd or intel",
                () -> CollateralCache.vendor(null));
        message("refresh.seconds is -1; accepted: 0..31536000", () -> CollateralCache.refresh(-1));
    }

    private static void message(String expected, Runnable r) {
        try {
            r.run();
            fail("accepted: " + expected);
        } catch (IllegalArgumentException e) {
            assertEquals(expected, e.getMessage());
        }
    }
}
