package io.teebox.platform.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;

import io.teebox.api.platform.PlatformState;
import io.teebox.api.tee.Bytes;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/**
 * Vendor collateral in files, as a collateral source ranked before the vendor's others: verification without the
 * vendor's service (users ask for air-gapped verification). In {@code cache} mode a request the files cannot answer
 * (or whose file is older than the refresh time) goes to the vendor's other sources in their ranking order and their
 * answer is kept, written atomically; in {@code offline} mode only the files answer. A file is
 * {@code <directory>/<kind>/<key>.bin}, the key its members sorted ({@code fmspc=00906ED50000}), so a directory can
 * be filled by hand or by a cache run online and copied; the verifiers check what it holds (signatures, validity)
 * as they check any source's answer. One per configuration of factory pid {@code io.teebox.collateral.cache}.
 */
@Component(service = CollateralSource.class, configurationPid = "io.teebox.collateral.cache",
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = CollateralCache.MARK + "=true")
@Designate(ocd = CollateralCacheConfig.class, factory = true)
public final class CollateralCache implements CollateralSource {

    /** The service property that marks a cache, so that caches never ask one another. */
    static final String MARK = "collateral.cache";

    private static final Logger LOG = Logger.getLogger(CollateralCache.class.getName());

    private final Path dir;
    private final boolean offline;
    private final Duration refresh;
    private final Clock clock;
    private final Supplier<List<CollateralSource>> others;
    private final ServiceTracker<CollateralSource, CollateralSource> tracker;

    /**
     * @param context the bundle's context, to find the vendor's other sources
     * @param state the state directory
     * @param config the configuration
     * @throws IllegalArgumentException for no vendor, an unknown mode or a refresh time out of range, naming it
     */
    @Activate
    public CollateralCache(BundleContext context, @Reference PlatformState state, CollateralCacheConfig config) {
        String vendor = vendor(config.collateral_vendor());
        this.dir = state.directory().resolve(config.directory());
        this.offline = mode(config.mode());
        this.refresh = refresh(config.refresh_seconds());
        this.clock = Clock.systemUTC();
        try {
            this.tracker = new ServiceTracker<>(context, context.createFilter("(&(objectClass="
                    + CollateralSource.class.getName() + ")(" + VENDOR + "=" + vendor + ")(!(" + MARK + "=true)))"),
                    null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException("vendor '" + vendor + "' makes no valid filter: " + e.getMessage(), e);
        }
        tracker.open();
        this.others = () -> {
            ServiceReference<CollateralSource>[] refs = tracker.getServiceReferences();
            CollateralSources s = new CollateralSources();
            if (refs != null) {
                for (ServiceReference<CollateralSource> r : refs) {
                    CollateralSource src = tracker.getService(r);
                    if (src != null) {
                        s.add(src, Map.of(Constants.SERVICE_RANKING, r.getProperty(Constants.SERVICE_RANKING)
                                instanceof Integer i ? i : 0, Constants.SERVICE_ID, r.getProperty(
                                        Constants.SERVICE_ID)));
                    }
                }
            }
            return s.inOrder();
        };
    }

    /** For tests: the given other sources and clock. */
    CollateralCache(Path dir, boolean offline, Duration refresh, Clock clock, List<CollateralSource> others) {
        this.dir = dir;
        this.offline = offline;
        this.refresh = refresh;
        this.clock = clock;
        this.others = () -> others;
        this.tracker = null;
    }

    /** Stops following the vendor's sources. */
    @Deactivate
    void close() {
        if (tracker != null) {
            tracker.close();
        }
    }

    static String vendor(String v) {
        if (v == null || !v.matches("[a-z0-9][a-z0-9._-]{0,31}")) {
            throw new IllegalArgumentException("collateral.vendor is " + (v == null ? "not set" : "'" + v + "'")
                    + "; give the sources' collateral.vendor, for example amd or intel");
        }
        return v;
    }

    static boolean mode(String m) {
        return switch (m == null ? "" : m) {
            case "cache" -> false;
            case "offline" -> true;
            default -> throw new IllegalArgumentException("mode is '" + m + "'; accepted: cache, offline");
        };
    }

    static Duration refresh(long seconds) {
        if (seconds < 0 || seconds > 31_536_000) {
            throw new IllegalArgumentException("refresh.seconds is " + seconds + "; accepted: 0..31536000");
        }
        return Duration.ofSeconds(seconds);
    }

    /** @return the file for a request */
    Path file(String kind, Map<String, String> key) {
        if (!kind.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("collateral kind '" + kind + "' cannot name a file");
        }
        StringBuilder name = new StringBuilder();
        new TreeMap<>(key).forEach((k, v) -> name.append(name.isEmpty() ? "" : ",").append(k).append('=')
                .append(v));
        String n = name.toString();
        if (n.isEmpty()) {
            n = "_";
        }
        if (!n.matches("[A-Za-z0-9_.,=-]{1,240}")) {
            n = "sha256-" + sha256(n);
        }
        return dir.resolve(kind).resolve(n + ".bin");
    }

    @Override
    public Optional<Bytes> fetch(String kind, Map<String, String> key) {
        Path f = file(kind, key);
        Optional<Bytes> kept = read(f);
        if (offline || kept.isPresent() && !stale(f)) {
            return kept;
        }
        List<String> problems = new ArrayList<>();
        for (CollateralSource s : others.get()) {
            Optional<CollateralSources.Answer> a = CollateralSources.ask(s, kind, key, problems);
            if (a.isPresent()) {
                write(f, a.get().value().value());
                return Optional.of(a.get().value());
            }
        }
        if (kept.isPresent()) {
            LOG.fine(() -> "collateral cache: " + f + " is stale and no source answered " + problems
                    + "; serving it");
            return kept;
        }
        if (!problems.isEmpty()) {
            String why = "no source answered " + kind + " " + key + ": " + String.join("; ", problems);
            throw new UncheckedIOException(why, new IOException(why));
        }
        return Optional.empty();
    }

    private boolean stale(Path f) {
        if (refresh.isZero()) {
            return false;
        }
        try {
            return Files.getLastModifiedTime(f).toInstant().plus(refresh).isBefore(clock.instant());
        } catch (IOException e) {
            return true;
        }
    }

    private static Optional<Bytes> read(Path f) {
        try {
            return Files.isRegularFile(f) ? Optional.of(Bytes.of(Files.readAllBytes(f))) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path f, byte[] value) {
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), ".collateral", ".tmp");
            try {
                Files.write(tmp, value);
                try {
                    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.warning("collateral cache: cannot keep " + f + ": " + e.getMessage());
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String describe() {
        return "collateral files in " + dir + (offline ? " (offline)" : " (cache)");
    }
}
