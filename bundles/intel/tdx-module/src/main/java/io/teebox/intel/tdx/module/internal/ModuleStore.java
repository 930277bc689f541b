package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import java.util.Map;

/**
 * Where the TDX module keeps its state while the bundle is stopped or updated: the snapshot bytes and the
 * hypervisor's memory views of the TDs (objects of an API type, valid across revisions of this bundle).
 */
interface ModuleStore {

    /**
     * What one revision hands to the next.
     *
     * @param snapshot {@link ModuleSnapshot} bytes
     * @param memories each TD's memory view by handle
     * @param logs each TD's call log by handle (API objects, so not copied into the snapshot)
     */
    record Handoff(byte[] snapshot, Map<Long, GuestMemory> memories,
            Map<Long, java.util.List<io.teebox.api.launch.LaunchLogEntry>> logs) {
    }

    /** @return what the previous revision saved, or null; it is consumed */
    Handoff take();

    /** @param handoff what the next revision takes over */
    void put(Handoff handoff);

    /** A store in memory, for tests: what one module puts, the next one takes. */
    final class InMemory implements ModuleStore {
        private Handoff saved;

        @Override
        public synchronized Handoff take() {
            Handoff h = saved;
            saved = null;
            return h;
        }

        @Override
        public synchronized void put(Handoff handoff) {
            saved = handoff;
        }
    }
}
