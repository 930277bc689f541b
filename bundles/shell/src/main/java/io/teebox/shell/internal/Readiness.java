package io.teebox.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Whether the platform has finished starting: every bundle that should run is ACTIVE and every enabled
 * Declarative Services component of those bundles is active (immediate ones) or satisfied (delayed ones). A TEE
 * backend bundle is ready only once its backend service is registered, and a command bundle once its commands are:
 * DS activates components asynchronously, so a batch run that only waited for the shell would miss them.
 * Components that wait for a configuration by design ({@code configuration-policy = require}) do not count.
 */
final class Readiness {

    private Readiness() {
    }

    /**
     * @param context any bundle context
     * @param scr the DS runtime
     * @param starting true while the platform starts: every installed bundle must then reach ACTIVE (the
     *            launcher starts them one after another); false later, when a stopped bundle was stopped on purpose
     * @return one line per bundle or component that is not ready yet; empty when the platform is ready
     */
    static List<String> pending(BundleContext context, ServiceComponentRuntime scr, boolean starting) {
        return pending(context, scr, starting, false);
    }

    /**
     * @param first true to stop at the first reason found, cheapest first (the launcher still starting bundles, a
     *            bundle, then components): a poll while the platform starts need not walk every component's DTOs,
     *            which every 20 ms took a fifth of a start's CPU on two cores
     */
    private static List<String> pending(BundleContext context, ServiceComponentRuntime scr, boolean starting,
            boolean first) {
        List<String> out = new ArrayList<>();
        if (starting && launchedByBnd(context) && !has(context, "(launcher.ready=true)")) {
            // The bnd launcher installs and starts the bundles one after another, then marks its service ready.
            out.add("the launcher has not started every bundle yet");
            if (first) {
                return out;
            }
        }
        if (has(context, "(teebox.busy=*)")) {
            // io.teebox.admin is checking a configuration change (and may put the previous one back)
            out.add("a configuration change is being checked");
        }
        if (first && !out.isEmpty()) {
            return out;
        }
        // a bundle above the framework's start level is not meant to run now (the launcher keeps the web console's
        // there in the one-shot modes)
        org.osgi.framework.startlevel.FrameworkStartLevel fsl = context.getBundle(0).adapt(
                org.osgi.framework.startlevel.FrameworkStartLevel.class);
        int active = fsl == null ? Integer.MAX_VALUE : fsl.getStartLevel();
        for (Bundle b : context.getBundles()) {
            boolean fragment = (b.adapt(BundleRevision.class) != null
                    && (b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0);
            org.osgi.framework.startlevel.BundleStartLevel level = b.adapt(
                    org.osgi.framework.startlevel.BundleStartLevel.class);
            if (fragment || b.getState() == Bundle.UNINSTALLED || (level != null && level.getStartLevel() > active)) {
                continue;
            }
            if (b.getState() == Bundle.STARTING
                    || (starting && (b.getState() == Bundle.INSTALLED || b.getState() == Bundle.RESOLVED))) {
                out.add("bundle " + b.getSymbolicName() + " is " + switch (b.getState()) {
                    case Bundle.INSTALLED -> "INSTALLED (not resolved: see lb and diag)";
                    case Bundle.RESOLVED -> "not started yet";
                    default -> "STARTING";
                });
            }
            // SCR reads a bundle's components on its own thread after the bundle started.
            if (b.getState() == Bundle.ACTIVE && b.getHeaders("").get("Service-Component") != null
                    && scr.getComponentDescriptionDTOs(b).isEmpty()) {
                out.add("bundle " + b.getSymbolicName() + ": Declarative Services has not read its components yet");
            }
        }
        if (first && !out.isEmpty()) {
            return out;
        }
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!scr.isComponentEnabled(d) || "require".equals(d.configurationPolicy)) {
                continue;
            }
            var configs = scr.getComponentConfigurationDTOs(d);
            if (configs.isEmpty() && d.factory != null) {
                continue;
            }
            if (configs.isEmpty()) {
                out.add("component " + d.name + " has no configuration yet");
            }
            for (ComponentConfigurationDTO c : configs) {
                boolean ready = c.state == ComponentConfigurationDTO.ACTIVE
                        || c.state == ComponentConfigurationDTO.FAILED_ACTIVATION
                        || (c.state == ComponentConfigurationDTO.SATISFIED && !d.immediate);
                if (!ready) {
                    List<String> missing = new ArrayList<>();
                    for (var r : c.unsatisfiedReferences) {
                        missing.add(r.name + " (" + r.target + ")");
                    }
                    out.add("component " + d.name + " is " + stateName(c.state)
                            + (missing.isEmpty() ? "" : ", waiting for " + missing));
                    if (first) {
                        return out;
                    }
                }
            }
        }
        out.addAll(uncomposed(context, scr));
        return out;
    }

    /**
     * The backends the hypervisor has not composed yet (it binds them as DS delivers them): a batch program that
     * creates a guest of that TEE would otherwise find no defaults for it. A backend counts when its service is
     * registered or when an enabled DS component declares it: while a dependency of the backend is re-created (a
     * configuration arriving after the defaults were used), its service is gone for a moment, and a check that
     * only looked at registered services would call the platform ready in that moment.
     */
    private static List<String> uncomposed(BundleContext context, ServiceComponentRuntime scr) {
        List<String> out = new ArrayList<>();
        org.osgi.framework.ServiceReference<io.teebox.api.hypervisor.Hypervisor> ref = context.getServiceReference(
                io.teebox.api.hypervisor.Hypervisor.class);
        if (ref == null) {
            return out;
        }
        io.teebox.api.hypervisor.Hypervisor hypervisor = context.getService(ref);
        if (hypervisor == null) {
            return out;
        }
        try {
            java.util.Set<String> composed = new java.util.HashSet<>();
            hypervisor.backends().forEach(d -> composed.add(d.teeType()));
            java.util.Set<String> expected = new java.util.TreeSet<>();
            for (org.osgi.framework.ServiceReference<io.teebox.api.tee.TeeBackend> b : context.getServiceReferences(
                    io.teebox.api.tee.TeeBackend.class, null)) {
                if (b.getProperty(io.teebox.api.tee.TeeType.PROPERTY) instanceof String t) {
                    expected.add(t);
                }
            }
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (scr.isComponentEnabled(d) && !"require".equals(d.configurationPolicy)
                        && java.util.Arrays.asList(d.serviceInterfaces).contains(
                                io.teebox.api.tee.TeeBackend.class.getName())
                        && d.properties.get(io.teebox.api.tee.TeeType.PROPERTY) instanceof String t) {
                    expected.add(t);
                }
            }
            for (String t : expected) {
                if (!composed.contains(t)) {
                    out.add("backend " + t + " is not composed by the hypervisor yet (a backend whose component "
                            + "fails to activate, e.g. on a bad configuration, stays so: scr:info names the error)");
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        } finally {
            context.ungetService(ref);
        }
        return out;
    }

    private static boolean launchedByBnd(BundleContext context) {
        return has(context, "(launcher.arguments=*)");
    }

    private static boolean has(BundleContext context, String filter) {
        try {
            return context.getServiceReferences((String) null, filter) != null;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    /**
     * Waits until {@link #pending} is empty.
     *
     * @param context any bundle context
     * @param scr the DS runtime
     * @param starting see {@link #pending}
     * @param timeoutMillis how long to wait at most
     * @return what is still not ready when the time ran out; empty if the platform became ready
     * @throws InterruptedException if interrupted while waiting
     */
    static List<String> await(BundleContext context, ServiceComponentRuntime scr, boolean starting,
            long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        List<String> pending = pending(context, scr, starting, true);
        int quiet = pending.isEmpty() ? 1 : 0;
        // ready when two looks 50 ms apart agree: the services DS re-registers while a configuration arrives come
        // and go between the looks of one check
        boolean trace = Boolean.getBoolean("teebox.readiness.trace");
        long t0 = System.nanoTime();
        String last = null;
        while (quiet < 2 && System.nanoTime() < deadline) {
            Thread.sleep(pending.isEmpty() ? 50 : 20);
            pending = pending(context, scr, starting, true);
            quiet = pending.isEmpty() ? quiet + 1 : 0;
            String now = pending.isEmpty() ? "ready" : pending.get(0);
            if (trace && !now.equals(last)) {
                System.err.printf("teebox: readiness +%d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, now);
                last = now;
            }
        }
        return pending.isEmpty() ? pending : pending(context, scr, starting, false);
    }

    private static String stateName(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
            case ComponentConfigurationDTO.SATISFIED -> "SATISFIED (activating)";
            default -> Integer.toString(state);
        };
    }
}
