package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Collection;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * Keeps the TDX module's state across a stop, restart, update or uninstall of this bundle. The snapshot goes to the
 * bundle's persistent storage ({@code tdx-module.bin}, which survives an update) and, with the memory views, into
 * the registry (which also survives an uninstall: the intel feature removed and installed again). The hypervisor's memory views cannot be
 * written to a file; they are handed over as a {@code java.util.Map} registered in the service registry by the system
 * bundle (so it outlives this bundle's revision), holding only JDK and API objects; the next revision takes and
 * unregisters it.
 */
final class BundleStore implements ModuleStore {

    static final String FILE = "tdx-module.bin";
    static final String HANDOFF_PROPERTY = "io.teebox.intel.tdx.handoff";
    private static final Logger LOG = Logger.getLogger(BundleStore.class.getName());

    private final BundleContext context;

    BundleStore(BundleContext context) {
        this.context = context;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Handoff take() {
        byte[] snapshot = null;
        Map<Long, GuestMemory> memories = new HashMap<>();
        try {
            Collection<ServiceReference<Map>> refs = context.getServiceReferences(Map.class,
                    "(" + HANDOFF_PROPERTY + "=true)");
            for (ServiceReference<Map> ref : refs) {
                Map box = context.getService(ref);
                if (box != null) {
                    Map<Long, GuestMemory> views = (Map<Long, GuestMemory>) box.get("memories");
                    if (views != null) {
                        memories.putAll(views);
                    }
                    if (box.get("snapshot") instanceof byte[] b) {
                        snapshot = b;
                    }
                    ServiceRegistration<?> reg = (ServiceRegistration<?>) box.get("registration");
                    context.ungetService(ref);
                    if (reg != null) {
                        reg.unregister();
                    }
                }
            }
        } catch (InvalidSyntaxException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot take over the TDs' memory views", e);
        }
        File f = context.getDataFile(FILE);
        if (f != null && f.isFile()) {
            try {
                byte[] onDisk = Files.readAllBytes(f.toPath());
                Files.delete(f.toPath());
                if (snapshot == null) {
                    snapshot = onDisk;
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot read the TDX module snapshot " + f, e);
            }
        }
        return snapshot == null ? null : new Handoff(snapshot, memories);
    }

    @Override
    public void put(Handoff handoff) {
        File f = context.getDataFile(FILE);
        if (f != null) {
            try {
                Files.write(f.toPath(), handoff.snapshot());
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot write the TDX module snapshot " + f, e);
            }
        }
        try {
            // the snapshot goes with the memory views, so that it outlives an uninstall of this bundle too (the
            // intel feature removed and installed again), which deletes the bundle's persistent storage
            BundleContext system = context.getBundle(0).getBundleContext();
            Map<String, Object> box = new ConcurrentHashMap<>();
            box.put("memories", new HashMap<>(handoff.memories()));
            box.put("snapshot", handoff.snapshot().clone());
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(HANDOFF_PROPERTY, "true");
            ServiceRegistration<?> reg = system.registerService(Map.class.getName(), box, props);
            box.put("registration", reg);
        } catch (IllegalStateException | SecurityException e) {
            // The framework is shutting down: the hypervisor's memory goes with it, nothing to hand over.
            LOG.log(Level.FINE, "TD state not handed over", e);
        }
    }
}
