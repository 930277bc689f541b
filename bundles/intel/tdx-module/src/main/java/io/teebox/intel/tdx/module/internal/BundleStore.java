package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.LaunchLogEntry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Collection;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * Keeps the TDX module's state across a stop, restart or update of this bundle. The snapshot goes to the bundle's
 * persistent storage ({@code tdx-module.bin}, which survives an update). The hypervisor's memory views cannot be
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
        File f = context.getDataFile(FILE);
        if (f == null || !f.isFile()) {
            return null;
        }
        byte[] snapshot;
        try {
            snapshot = Files.readAllBytes(f.toPath());
            Files.delete(f.toPath());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read the TDX module snapshot " + f + "; running TDs are lost", e);
            return null;
        }
        Map<Long, GuestMemory> memories = new HashMap<>();
        Map<Long, List<LaunchLogEntry>> logs = new HashMap<>();
        try {
            Collection<ServiceReference<Map>> refs = context.getServiceReferences(Map.class,
                    "(" + HANDOFF_PROPERTY + "=true)");
            for (ServiceReference<Map> ref : refs) {
                Map box = context.getService(ref);
                if (box != null) {
                    memories.putAll((Map<Long, GuestMemory>) box.get("memories"));
                    Object l = box.get("logs");
                    if (l != null) {
                        logs.putAll((Map<Long, List<LaunchLogEntry>>) l);
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
        return new Handoff(snapshot, memories, logs);
    }

    @Override
    public void put(Handoff handoff) {
        File f = context.getDataFile(FILE);
        if (f == null) {
            LOG.warning("the framework gives this bundle no persistent storage; running TDs are lost");
            return;
        }
        try {
            Files.write(f.toPath(), handoff.snapshot());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write the TDX module snapshot " + f + "; running TDs are lost", e);
            return;
        }
        if (!handoff.memories().isEmpty() || !handoff.logs().isEmpty()) {
            try {
                BundleContext system = context.getBundle(0).getBundleContext();
                Map<String, Object> box = new ConcurrentHashMap<>();
                box.put("memories", new HashMap<>(handoff.memories()));
                box.put("logs", new HashMap<>(handoff.logs()));
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(HANDOFF_PROPERTY, "true");
                ServiceRegistration<?> reg = system.registerService(Map.class.getName(), box, props);
                box.put("registration", reg);
            } catch (IllegalStateException | SecurityException e) {
                // The framework is shutting down: the hypervisor's memory goes with it, nothing to hand over.
                LOG.log(Level.FINE, "TD memory views not handed over", e);
            }
        }
    }
}
