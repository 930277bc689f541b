package io.teebox.amd.sp.internal;

import java.util.Collection;
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
 * Hands a secure processor snapshot from one revision of this bundle to the next. The bytes go into a
 * {@code java.util.Map} registered by the system bundle, so that they outlive this bundle's revision, its
 * persistent storage and an uninstall (the AMD feature removed and installed again); the next revision takes and
 * unregisters it. A framework shutdown takes it away with the guests' memory, which was never on disk either.
 */
final class SpHandoff {

    static final String PROPERTY = "io.teebox.amd.sp.handoff";
    private static final Logger LOG = Logger.getLogger(SpHandoff.class.getName());

    private SpHandoff() {
    }

    /**
     * @param context this bundle's context
     * @param snapshot the snapshot
     */
    static void put(BundleContext context, byte[] snapshot) {
        try {
            BundleContext system = context.getBundle(0).getBundleContext();
            Map<String, Object> box = new ConcurrentHashMap<>();
            box.put("snapshot", snapshot);
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(PROPERTY, "true");
            ServiceRegistration<?> reg = system.registerService(Map.class.getName(), box, props);
            box.put("registration", reg);
        } catch (IllegalStateException | SecurityException e) {
            LOG.log(Level.FINE, "the framework is stopping: no secure processor state to hand over", e);
        }
    }

    /**
     * @param context this bundle's context
     * @return what the previous revision handed over, or null; it is consumed
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static byte[] take(BundleContext context) {
        byte[] out = null;
        try {
            Collection<ServiceReference<Map>> refs = context.getServiceReferences(Map.class, "(" + PROPERTY
                    + "=true)");
            for (ServiceReference<Map> ref : refs) {
                Map box = context.getService(ref);
                if (box != null) {
                    out = (byte[]) box.get("snapshot");
                    ServiceRegistration<?> reg = (ServiceRegistration<?>) box.get("registration");
                    context.ungetService(ref);
                    if (reg != null) {
                        reg.unregister();
                    }
                }
            }
        } catch (InvalidSyntaxException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot take over the secure processor state of the previous revision", e);
        }
        return out;
    }
}
