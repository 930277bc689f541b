package io.teebox.features.internal;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureService;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Features at run time: {@code feature:list}, {@code info}, {@code install} and {@code uninstall} over the
 * descriptors of the feature directory (OSGi Features 1.0, read by the Feature Service), installing bundles from the
 * configured local repositories; {@code activate} and {@code deactivate} start and stop an installed feature's
 * bundles. Removing a backend's bundles (a stop or an uninstall) is a firmware update in progress: its guests pause
 * with their encrypted state kept, and resume when a backend of the same type returns.
 */
@Component(service = FeatureCommands.class, immediate = true, configurationPid = "io.teebox.features")
@Designate(ocd = FeaturesConfig.class)
@GogoCommand(scope = "feature", function = {"list", "info", "install", "uninstall", "activate", "deactivate"})
@Descriptor("Features: named groups of bundles (features/*.json, OSGi Features) installed, started, stopped or removed together")
public final class FeatureCommands {

    private static final long REFRESH_SECONDS = 60;

    private final BundleContext context;
    private final FeatureService service;
    private volatile Catalog catalog;
    private volatile Repositories repositories;

    /**
     * @param context this bundle's context
     * @param service the Feature Service
     * @param config the configuration
     */
    @Activate
    public FeatureCommands(BundleContext context, @Reference FeatureService service, FeaturesConfig config) {
        this.context = context;
        this.service = service;
        modified(config);
    }

    /** @param config the new configuration */
    @Modified
    void modified(FeaturesConfig config) {
        String dir = config.directory() == null || config.directory().isBlank() ? "features" : config.directory();
        this.catalog = new Catalog(service, Path.of(dir), this::jsonProvider);
        this.repositories = Repositories.of(config.repositories());
    }

    /** The class loader of an installed {@code jakarta.json} provider (Parsson), for the Feature Service's reads. */
    private ClassLoader jsonProvider() {
        for (Bundle b : context.getBundles()) {
            if ("org.eclipse.parsson".equals(b.getSymbolicName())) {
                BundleWiring w = b.adapt(BundleWiring.class);
                if (w != null) {
                    return w.getClassLoader();
                }
            }
        }
        return null;
    }

    /** @return each feature with its state and description */
    @Descriptor("List the features of the feature directory: installed (every bundle active), stopped, partly "
            + "installed or not installed")
    public List<String> list() {
        List<TeeboxFeature> all = catalog.all();
        List<String> out = new ArrayList<>();
        out.add(String.format("%-12s %-14s %-8s %s", "FEATURE", "STATE", "BUNDLES", "DESCRIPTION"));
        for (TeeboxFeature f : all) {
            Status s = status(f);
            out.add(String.format("%-12s %-14s %-8s %s", f.name(), s.word(), s.present + "/" + f.bundles().size(),
                    shortDescription(f.description())));
        }
        return out;
    }

    /** @return the feature's id, description, required features and each bundle's file and state */
    @Descriptor("Show a feature: its id, what it needs, and each bundle with the file it comes from and its state")
    public List<String> info(@Descriptor("feature name (for example amd) or descriptor file") String name) {
        TeeboxFeature f = catalog.find(name);
        Status s = status(f);
        List<String> out = new ArrayList<>();
        out.add("feature  " + f.name() + " (" + f.feature().getID() + "): " + s.word());
        out.add("file     " + f.source().toAbsolutePath().normalize());
        out.add("about    " + f.description());
        out.add("requires " + (f.requires().isEmpty() ? "nothing" : String.join(", ", f.requires())));
        for (FeatureBundle b : f.bundles()) {
            Optional<Repositories.Artifact> a = repositories.find(b.getID());
            Bundle installed = a.map(x -> installed(x.symbolicName())).orElse(null);
            String where = a.map(x -> x.symbolicName() + " " + x.version() + " from " + x.file().toAbsolutePath()
                    .normalize()).orElse("not in any repository " + repositories.roots());
            out.add("  " + b.getID() + "  " + (installed == null ? "NOT INSTALLED" : state(installed)) + "  " + where);
        }
        return out;
    }

    /** @return what was installed and started */
    @Descriptor("Install a feature and the features it needs from the repositories, and start their bundles; "
            + "a backend's paused guests resume")
    public String install(@Descriptor("feature name (for example intel) or descriptor file") String name)
            throws BundleException {
        TeeboxFeature root = catalog.find(name);
        List<TeeboxFeature> order = withRequirements(root);
        // resolve every bundle to an installed bundle or a repository file before changing anything
        Map<FeatureBundle, Repositories.Artifact> files = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (TeeboxFeature f : order) {
            for (FeatureBundle b : f.bundles()) {
                Optional<Repositories.Artifact> a = repositories.find(b.getID());
                if (a.isEmpty()) {
                    missing.add(repositories.missing(b.getID()));
                } else {
                    files.put(b, a.get());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("feature " + root.name() + " cannot be installed: " + missing.get(0)
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : ""));
        }
        List<Bundle> added = new ArrayList<>();
        List<Bundle> toStart = new ArrayList<>();
        try {
            for (Repositories.Artifact a : files.values()) {
                Bundle b = installed(a.symbolicName());
                if (b == null) {
                    b = context.installBundle(a.file().toAbsolutePath().normalize().toUri().toString());
                    added.add(b);
                }
                if (!toStart.contains(b)) {
                    toStart.add(b);
                }
            }
            for (Bundle b : toStart) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.ACTIVE) {
                    b.start();
                }
            }
        } catch (BundleException | RuntimeException e) {
            for (Bundle b : added) {
                try {
                    b.uninstall();
                } catch (BundleException | IllegalStateException ignored) {
                    // already gone
                }
            }
            throw new IllegalStateException("feature " + root.name() + " was not installed (what this command added "
                    + "was removed again): " + oneLine(e), e);
        }
        Set<String> own = new LinkedHashSet<>();
        for (FeatureBundle b : root.bundles()) {
            own.add(files.get(b).symbolicName());
        }
        long ownAdded = added.stream().filter(b -> own.contains(b.getSymbolicName())).count();
        long othersAdded = added.size() - ownAdded;
        List<String> needed = order.stream().map(TeeboxFeature::name).filter(n -> !n.equals(root.name())).toList();
        return "feature " + root.name() + " installed: " + own.size() + " bundles active, " + ownAdded
                + " of them installed from the repositories" + (othersAdded == 0 ? ""
                        : "; " + othersAdded + " more installed for " + String.join(", ", needed));
    }

    /** @return what was removed */
    @Descriptor("Stop and remove a feature's bundles (those no other installed feature holds); guests of its "
            + "backends pause with their encrypted state kept until it is installed again")
    public String uninstall(@Descriptor("feature name (for example intel)") String name) throws BundleException,
            InterruptedException {
        TeeboxFeature f = catalog.find(name);
        List<TeeboxFeature> all = catalog.all();
        refuseSelf(f, "removing");
        List<String> dependents = new ArrayList<>();
        for (TeeboxFeature other : all) {
            if (!other.name().equals(f.name()) && other.requires().contains(f.name()) && status(other).present > 0) {
                dependents.add(other.name());
            }
        }
        if (!dependents.isEmpty()) {
            throw new IllegalStateException("feature " + f.name() + " is needed by installed feature(s) "
                    + String.join(", ", dependents) + "; uninstall them first");
        }
        Set<String> heldElsewhere = new LinkedHashSet<>();
        for (TeeboxFeature other : all) {
            if (!other.name().equals(f.name()) && status(other).present > 0) {
                for (FeatureBundle b : other.bundles()) {
                    repositories.find(b.getID()).ifPresent(a -> heldElsewhere.add(a.symbolicName()));
                }
            }
        }
        List<Bundle> remove = new ArrayList<>();
        int kept = 0;
        for (FeatureBundle b : f.bundles()) {
            Optional<Repositories.Artifact> a = repositories.find(b.getID());
            if (a.isPresent() && heldElsewhere.contains(a.get().symbolicName())) {
                kept++;
            } else if (a.isPresent()) {
                Bundle installed = installed(a.get().symbolicName());
                if (installed != null) {
                    remove.add(installed);
                }
            }
        }
        if (remove.isEmpty()) {
            return "feature " + f.name() + " is not installed: nothing to remove";
        }
        List<Bundle> reversed = new ArrayList<>(remove);
        Collections.reverse(reversed);
        for (Bundle b : reversed) {
            if (b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING) {
                b.stop();
            }
        }
        for (Bundle b : reversed) {
            b.uninstall();
        }
        refresh(remove);
        return "feature " + f.name() + " uninstalled: " + remove.size() + " bundles removed"
                + (kept == 0 ? "" : " (" + kept + " that other installed features hold were kept)")
                + "; guests of its backends are paused with their encrypted state kept until it returns";
    }

    /** @return what was started */
    @Descriptor("Start the installed bundles of a feature (install installs what is missing)")
    public String activate(@Descriptor("feature name, for example amd") String name) throws BundleException {
        TeeboxFeature f = catalog.find(name);
        List<String> done = new ArrayList<>();
        for (FeatureBundle fb : f.bundles()) {
            Bundle b = installedFor(fb);
            if (b == null) {
                throw new IllegalStateException("feature " + f.name() + ": " + fb.getID()
                        + " is not installed; feature:install " + f.name() + " installs it");
            }
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
            done.add(b.getSymbolicName());
        }
        return "feature " + f.name() + " started: " + done;
    }

    /** @return what was stopped */
    @Descriptor("Stop the bundles of a feature, keeping them installed; guests of a stopped backend pause with "
            + "their state kept")
    public String deactivate(@Descriptor("feature name, for example amd") String name) throws BundleException {
        TeeboxFeature f = catalog.find(name);
        refuseSelf(f, "stopping");
        List<String> done = new ArrayList<>();
        List<FeatureBundle> reversed = new ArrayList<>(f.bundles());
        Collections.reverse(reversed);
        for (FeatureBundle fb : reversed) {
            Bundle b = installedFor(fb);
            if (b != null && b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.stop();
                done.add(b.getSymbolicName());
            }
        }
        return "feature " + f.name() + " stopped: " + done;
    }

    /** The feature with the features it needs, those first, each once; a cycle is refused. */
    private List<TeeboxFeature> withRequirements(TeeboxFeature root) {
        List<TeeboxFeature> order = new ArrayList<>();
        visit(root, new ArrayDeque<>(), order);
        return order;
    }

    private void visit(TeeboxFeature f, Deque<String> path, List<TeeboxFeature> order) {
        if (order.stream().anyMatch(o -> o.name().equals(f.name()))) {
            return;
        }
        if (path.contains(f.name())) {
            throw new IllegalArgumentException("features require each other in a cycle: " + String.join(" -> ",
                    path) + " -> " + f.name());
        }
        path.addLast(f.name());
        for (String r : f.requires()) {
            TeeboxFeature req;
            try {
                req = catalog.find(r);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("feature " + f.name() + " requires '" + r + "', which is not in "
                        + catalog.dir().toAbsolutePath(), e);
            }
            visit(req, path, order);
        }
        path.removeLast();
        order.add(f);
    }

    private void refuseSelf(TeeboxFeature f, String verb) {
        for (FeatureBundle fb : f.bundles()) {
            Bundle b = installedFor(fb);
            if (b != null && (b.getBundleId() == context.getBundle().getBundleId()
                    || "org.apache.felix.gogo.runtime".equals(b.getSymbolicName()))) {
                throw new IllegalArgumentException("feature " + f.name() + " holds " + b.getSymbolicName()
                        + ", which runs this command; " + verb + " it would leave no console");
            }
        }
    }

    private void refresh(List<Bundle> removed) throws InterruptedException {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(removed, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        if (!done.await(REFRESH_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the framework did not finish refreshing after the removal within "
                    + REFRESH_SECONDS + " s");
        }
    }

    private record Status(int present, int active, int total) {
        String word() {
            if (present == 0) {
                return "not installed";
            }
            if (present < total) {
                return "partial";
            }
            return active == total ? "installed" : "stopped";
        }
    }

    private Status status(TeeboxFeature f) {
        int present = 0;
        int active = 0;
        for (FeatureBundle fb : f.bundles()) {
            Bundle b = installedFor(fb);
            if (b != null) {
                present++;
                if (b.getState() == Bundle.ACTIVE || b.getHeaders().get(Constants.FRAGMENT_HOST) != null
                        && b.getState() == Bundle.RESOLVED) {
                    active++;
                }
            }
        }
        return new Status(present, active, f.bundles().size());
    }

    private Bundle installedFor(FeatureBundle fb) {
        return repositories.find(fb.getID()).map(a -> installed(a.symbolicName())).orElse(null);
    }

    private Bundle installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() != Bundle.UNINSTALLED) {
                return b;
            }
        }
        return null;
    }

    private static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }

    private static String shortDescription(String d) {
        int dot = d.indexOf(": ");
        String s = dot > 0 ? d.substring(0, dot) : d;
        return s.length() > 90 ? s.substring(0, 87) + "..." : s;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
