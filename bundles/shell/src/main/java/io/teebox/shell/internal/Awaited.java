package io.teebox.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Services of one kind a command needs, by key (a {@code tee.type}, an evidence format), bound dynamically. Bundles
 * start and DS activates their components asynchronously, so a command issued right after start waits a moment for
 * the service, as the hypervisor waits for a backend; if it does not come, the error names the bundles that declare
 * such a service and their states, so the operator knows which one to start.
 *
 * @param <S> the service type
 */
final class Awaited<S> {

    /** How long a command waits for a service that is not there yet. */
    static final long GRACE_MS = 3_000;

    private final Class<S> type;
    private final String what;
    private final String keyName;
    private final Map<String, S> services = new ConcurrentHashMap<>();

    /**
     * @param type the service interface
     * @param what what the service is, for messages ("guest owner")
     * @param keyName what the key is, for messages ("tee.type")
     */
    Awaited(Class<S> type, String what, String keyName) {
        this.type = type;
        this.what = what;
        this.keyName = keyName;
    }

    void put(String key, S service) {
        services.put(key, service);
    }

    void remove(String key, S service) {
        services.remove(key, service);
    }

    /** @return the keys present now, sorted */
    Set<String> keys() {
        return new TreeSet<>(services.keySet());
    }

    /** @return the service for a key if present now, else null */
    S now(String key) {
        return services.get(key);
    }

    /**
     * Waits up to {@link #GRACE_MS} for the service.
     *
     * @param key the key
     * @param context a bundle context, to name the bundles that could provide it
     * @return the service
     * @throws IllegalStateException naming the bundles that declare such services, if none comes
     */
    S await(String key, BundleContext context) {
        long deadline = System.nanoTime() + GRACE_MS * 1_000_000;
        S s = services.get(key);
        while (s == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            s = services.get(key);
        }
        if (s == null) {
            throw new IllegalStateException("no " + what + " for " + keyName + " " + key + " is present after "
                    + GRACE_MS / 1000 + " s; present: " + (services.isEmpty() ? "none" : keys()) + "; bundles that "
                    + "provide " + what + "s: " + providers(context));
        }
        return s;
    }

    /** @return the bundles whose manifest declares a service of this type, with their states */
    private String providers(BundleContext context) {
        if (context == null) {
            return "unknown";
        }
        List<String> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            BundleRevision r = b.adapt(BundleRevision.class);
            if (r == null) {
                continue;
            }
            for (BundleCapability c : r.getDeclaredCapabilities("osgi.service")) {
                Object classes = c.getAttributes().get("objectClass");
                if (classes instanceof List<?> l && l.contains(type.getName())
                        || type.getName().equals(classes)) {
                    out.add(b.getSymbolicName() + " (" + state(b) + ")");
                    break;
                }
            }
        }
        return out.isEmpty() ? "none is installed" : String.join(", ", out);
    }

    private static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.RESOLVED -> "RESOLVED, not started";
            case Bundle.INSTALLED -> "INSTALLED, not resolved";
            default -> "UNINSTALLED";
        };
    }
}
