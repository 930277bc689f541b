package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.LaunchLogEntry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import io.teebox.spi.handoff.RevisionHandoff;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;

/**
 * Keeps the TDX module's state across a stop, restart, update or uninstall of this bundle. The snapshot goes to the
 * bundle's persistent storage ({@code tdx-module.bin}, which survives an update) and, with the hypervisor's memory
 * views and call logs of the TDs (API objects, not written to a file), to the SPI's {@link RevisionHandoff}, which
 * also survives an uninstall (the intel feature removed and installed again).
 */
final class BundleStore implements ModuleStore {

    static final String FILE = "tdx-module.bin";
    static final String HANDOFF_KEY = "io.teebox.intel-tdx-module";
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
        Map<Long, List<LaunchLogEntry>> logs = new HashMap<>();
        Map<String, Object> box = RevisionHandoff.take(context, HANDOFF_KEY);
        if (box != null) {
            if (box.get("memories") instanceof Map<?, ?> views) {
                memories.putAll((Map<Long, GuestMemory>) views);
            }
            if (box.get("logs") instanceof Map<?, ?> l) {
                logs.putAll((Map<Long, List<LaunchLogEntry>>) l);
            }
            if (box.get("snapshot") instanceof byte[] b) {
                snapshot = b;
            }
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
        return snapshot == null ? null : new Handoff(snapshot, memories, logs);
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
        // the snapshot goes with the memory views, so that it outlives an uninstall of this bundle too (the intel
        // feature removed and installed again), which deletes the bundle's persistent storage; a framework shutdown
        // takes both away with the hypervisor's memory
        RevisionHandoff.put(context, HANDOFF_KEY, Map.of("memories", new HashMap<>(handoff.memories()), "logs",
                new HashMap<>(handoff.logs()), "snapshot", handoff.snapshot().clone()));
    }
}
