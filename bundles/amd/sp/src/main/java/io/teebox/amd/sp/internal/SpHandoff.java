package io.teebox.amd.sp.internal;

import java.util.Map;

import org.osgi.framework.BundleContext;

import io.teebox.spi.handoff.RevisionHandoff;

/**
 * Hands a secure processor snapshot from one revision of this bundle to the next through the SPI's
 * {@link RevisionHandoff}, so that it outlives this bundle's revision, its persistent storage and an uninstall (the
 * AMD feature removed and installed again).
 */
final class SpHandoff {

    private static final String KEY = "io.teebox.amd-sp";
    private static final String SNAPSHOT = "snapshot";

    private SpHandoff() {
    }

    /**
     * @param context this bundle's context
     * @param snapshot the snapshot
     */
    static void put(BundleContext context, byte[] snapshot) {
        RevisionHandoff.put(context, KEY, Map.of(SNAPSHOT, snapshot));
    }

    /**
     * @param context this bundle's context
     * @return what the previous revision handed over, or null; it is consumed
     */
    static byte[] take(BundleContext context) {
        Map<String, Object> box = RevisionHandoff.take(context, KEY);
        return box != null && box.get(SNAPSHOT) instanceof byte[] b ? b : null;
    }
}
