package io.teebox.shell.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Features: named groups of bundles ({@code features/*.json}) started or stopped together. Stopping a backend
 * feature is a firmware update in progress: its guests pause with their encrypted state kept.
 */
@Component(service = FeatureCommands.class, immediate = true)
@GogoCommand(scope = "feature", function = {"list", "activate", "deactivate"})
@Descriptor("Features: named groups of bundles started or stopped together")
public final class FeatureCommands {

    /** Framework property naming the directory of feature descriptors. */
    static final String DIR_PROPERTY = "teebox.features";

    private final BundleContext context;

    /**
     * @param context this bundle's context
     */
    @Activate
    public FeatureCommands(BundleContext context) {
        this.context = context;
    }

    private Path dir() {
        return dir(context);
    }

    /** @return the features directory: framework property {@value #DIR_PROPERTY}, else {@code features} */
    static Path dir(BundleContext context) {
        String d = context.getProperty(DIR_PROPERTY);
        return Path.of(d == null || d.isBlank() ? "features" : d);
    }

    /** @return the features with the state of each bundle */
    @Descriptor("List the features and the state of their bundles")
    public List<String> list() {
        List<String> out = new ArrayList<>();
        for (Feature f : Feature.readAll(dir())) {
            StringBuilder states = new StringBuilder();
            for (String b : f.bundles()) {
                Bundle bundle = find(b);
                states.append(states.length() == 0 ? "" : ", ").append(b).append('=')
                        .append(bundle == null ? "MISSING" : state(bundle.getState()));
            }
            out.add(String.format("%-8s %s%n         %s", f.id(), f.description(), states));
        }
        return out;
    }

    /** @return what was started */
    @Descriptor("Start the bundles of a feature (installing any given by location)")
    public String activate(@Descriptor("feature id, for example amd") String id) throws BundleException {
        Feature f = feature(id);
        List<String> done = new ArrayList<>();
        for (String b : f.bundles()) {
            Bundle bundle = find(b);
            if (bundle == null) {
                if (!b.contains(":")) {
                    throw new IllegalArgumentException("feature " + id + ": bundle " + b
                            + " is not installed and has no location to install it from");
                }
                bundle = context.installBundle(b);
            }
            bundle.start();
            done.add(bundle.getSymbolicName());
        }
        return "feature " + id + " started: " + done;
    }

    /** @return what was stopped */
    @Descriptor("Stop the bundles of a feature; guests of a stopped backend pause with their state kept")
    public String deactivate(@Descriptor("feature id, for example amd") String id) throws BundleException {
        Feature f = feature(id);
        if (f.bundles().contains(context.getBundle().getSymbolicName())) {
            throw new IllegalArgumentException("feature " + id + " holds the shell itself ("
                    + context.getBundle().getSymbolicName() + "); stopping it would leave no console");
        }
        List<String> done = new ArrayList<>();
        List<String> reversed = new ArrayList<>(f.bundles());
        java.util.Collections.reverse(reversed);
        for (String b : reversed) {
            Bundle bundle = find(b);
            if (bundle != null) {
                bundle.stop();
                done.add(bundle.getSymbolicName());
            }
        }
        return "feature " + id + " stopped: " + done;
    }

    private Feature feature(String id) {
        return Feature.readAll(dir()).stream().filter(f -> f.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no feature '" + id + "' in " + dir().toAbsolutePath()));
    }

    private Bundle find(String symbolicNameOrLocation) {
        for (Bundle b : context.getBundles()) {
            if (symbolicNameOrLocation.equals(b.getSymbolicName()) || symbolicNameOrLocation.equals(b.getLocation())) {
                return b;
            }
        }
        return null;
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }
}
