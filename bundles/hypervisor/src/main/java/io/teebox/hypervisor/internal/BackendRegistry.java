package io.teebox.hypervisor.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.TeeType;

/**
 * The backends present, by {@code tee.type}, assembled from the services each vendor bundle registers; and the
 * firmware contexts of guests destroyed while their backend was away, freed when it is back. Tells the guest
 * registry when a backend is lost (its guests pause) and when it is complete again (they resume).
 */
final class BackendRegistry {

    private static final Logger LOG = Logger.getLogger(BackendRegistry.class.getName());
    /** How long create waits for a backend that is still registering. */
    private static final long GRACE_NANOS = 3_000_000_000L;

    /** What the guests do when a backend comes and goes. */
    interface Listener {
        /** @param type a backend that went away */
        void lost(String type);

        /** @param backend a backend that is complete again */
        void back(Backend backend);
    }

    private final Map<String, Backend> backends = new ConcurrentHashMap<>();
    /**
     * Firmware contexts of guests destroyed while their backend was away, by TEE type: the key slot they hold is
     * freed (DEACTIVATE, DECOMMISSION) as soon as a backend of that type is back.
     */
    private final Map<String, Set<Long>> orphaned = new ConcurrentHashMap<>();
    private final Listener listener;

    BackendRegistry(Listener listener) {
        this.listener = listener;
    }

    /** A backend service was registered. */
    void bound(Class<?> kind, Object service, Map<String, Object> props) {
        String type = typeOf(service, props);
        if (type == null) {
            return;
        }
        Backend now = backends.compute(type, (t, b) -> (b == null ? Backend.empty(t) : b).with(kind, service));
        if (now.complete()) {
            decommissionOrphans(now);
            listener.back(now);
        }
    }

    /** A backend service went away. */
    void unbound(Class<?> kind, Object service, Map<String, Object> props) {
        String type = typeOf(service, props);
        if (type == null) {
            return;
        }
        boolean[] lost = new boolean[1];
        backends.computeIfPresent(type, (t, b) -> {
            boolean wasComplete = b.complete();
            Backend after = b.holds(kind, service) ? b.with(kind, null) : b;
            lost[0] = wasComplete && !after.complete();
            return after.empty() ? null : after;
        });
        if (lost[0]) {
            listener.lost(type);
        }
    }

    private static String typeOf(Object service, Map<String, Object> props) {
        Object type = props.get(TeeType.PROPERTY);
        if (!(type instanceof String) || ((String) type).isBlank()) {
            LOG.warning(service.getClass().getName() + " has no " + TeeType.PROPERTY + " property; ignored");
            return null;
        }
        return (String) type;
    }

    /**
     * @param type a tee.type
     * @return the complete backend
     * @throws IllegalStateException naming what is missing and what is present
     */
    Backend require(String type) {
        Backend b = backends.get(type);
        if (b != null && !b.complete() && device(b)) {
            throw new IllegalStateException(type + " is a device TEE: it launches no guest; attach its devices to a "
                    + "running confidential guest instead (gpu:attach); CPU TEEs present: " + presentTypes());
        }
        if (b == null || !b.complete()) {
            throw new IllegalStateException("no " + type + " backend is present (is its bundle started?"
                    + (b == null ? "" : " it lacks " + b.missing()) + "); present: " + presentTypes());
        }
        return b;
    }

    /** @return the complete backend of a type, or null */
    Backend present(String type) {
        Backend b = backends.get(type);
        return b != null && b.complete() ? b : null;
    }

    private static boolean device(Backend b) {
        try {
            return b.tee() != null && b.tee().descriptor().kind() == io.teebox.api.tee.TeeKind.DEVICE;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Gives a backend whose bundle is starting a moment to register its services (DS activates asynchronously). */
    void await(String type) {
        long deadline = System.nanoTime() + GRACE_NANOS;
        while (System.nanoTime() < deadline && present(type) == null) {
            Backend b = backends.get(type);
            if (b != null && device(b)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private List<String> presentTypes() {
        return backends.values().stream().filter(Backend::complete).map(Backend::type).sorted().toList();
    }

    /**
     * @return the descriptors of the complete backends and of the device TEEs (which launch no guest, so have only
     *         their TeeBackend here), by type; one failing backend does not hide the others
     */
    List<BackendDescriptor> descriptors() {
        List<BackendDescriptor> out = new ArrayList<>();
        for (Backend b : backends.values()) {
            if (b.tee() != null) {
                try {
                    BackendDescriptor d = b.tee().descriptor();
                    if (b.complete() || d.kind() == io.teebox.api.tee.TeeKind.DEVICE) {
                        out.add(d);
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "backend " + b.type() + " failed to describe itself", e);
                }
            }
        }
        out.sort(Comparator.comparing(BackendDescriptor::teeType));
        return out;
    }

    /**
     * Frees a firmware context now if its backend is present, else when it returns.
     *
     * @param type the guest's tee.type
     * @param handle its firmware handle
     */
    void decommission(String type, long handle) {
        Backend b = present(type);
        if (b == null) {
            orphaned.computeIfAbsent(type, t -> ConcurrentHashMap.newKeySet()).add(handle);
            // The backend may have come back between the look and now: free the slot right away then.
            b = present(type);
            if (b != null) {
                decommissionOrphans(b);
            }
            return;
        }
        free(b, handle);
    }

    private void decommissionOrphans(Backend b) {
        Set<Long> handles = orphaned.get(b.type());
        if (handles == null) {
            return;
        }
        for (Long handle : List.copyOf(handles)) {
            if (handles.remove(handle)) { // else another thread took it
                free(b, handle);
            }
        }
    }

    private static void free(Backend b, long handle) {
        try {
            b.launch().deactivate(handle);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "DEACTIVATE of guest handle " + handle + " failed", e);
        }
        try {
            b.launch().decommission(handle);
        } catch (RuntimeException e) {
            LOG.warning("DECOMMISSION of guest handle " + handle + " on " + b.type() + " failed: " + e.getMessage());
        }
    }
}
