package io.teebox.spi.handoff;

import java.util.Collection;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * Hands a backend's firmware state from one revision of its bundle to the next. A backend that emulates hardware
 * (a secure processor, a TDX module, an RMM) keeps its running guests' state — keys, contexts, page tables — in
 * objects of its own classes, which die with its bundle's revision; the bundle's persistent storage survives an
 * update but not an uninstall. Before its component goes away the backend puts its state here, as JDK and API
 * values only ({@code byte[]}, {@code String}, boxed numbers, collections of them, API objects such as
 * {@code io.teebox.api.launch.GuestMemory}); the next revision, of the same bundle or of a new install, takes it.
 * <p>
 * The values are registered as a {@code java.util.Map} service by the system bundle, so they outlive every other
 * bundle; they never leave the process (a framework shutdown takes them away, with the guests' memory, which was
 * never on disk either). Each key holds at most one hand-over: a second {@link #put} replaces the first.
 */
public final class RevisionHandoff {

    /** The service property naming a hand-over's key. */
    public static final String KEY_PROPERTY = "io.teebox.handoff";

    private static final String REGISTRATION = "io.teebox.handoff.registration";

    private RevisionHandoff() {
    }

    /**
     * @param context the calling bundle's context (it may be stopping)
     * @param key what the state is, for example the bundle's symbolic name
     * @param state the values for the next revision
     * @return false if the framework is shutting down and nothing was handed over
     */
    public static boolean put(BundleContext context, String key, Map<String, ?> state) {
        take(context, key);
        try {
            BundleContext system = context.getBundle(0).getBundleContext();
            Map<String, Object> box = new ConcurrentHashMap<>(state);
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(KEY_PROPERTY, key);
            ServiceRegistration<?> reg = system.registerService(Map.class.getName(), box, props);
            box.put(REGISTRATION, reg);
            return true;
        } catch (IllegalStateException | SecurityException e) {
            return false;
        }
    }

    /**
     * @param context the calling bundle's context
     * @param key the key {@link #put} was given
     * @return the values the previous revision handed over, or null if there are none; they are consumed
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static Map<String, Object> take(BundleContext context, String key) {
        if (key == null || key.isEmpty() || key.chars().anyMatch(c -> "()*\\=".indexOf(c) >= 0)) {
            throw new IllegalArgumentException("hand-over key must be non-empty without ( ) * \\ =, got '" + key
                    + "'");
        }
        Map<String, Object> out = null;
        try {
            Collection<ServiceReference<Map>> refs = context.getServiceReferences(Map.class, "(" + KEY_PROPERTY
                    + "=" + key + ")");
            for (ServiceReference<Map> ref : refs) {
                Map box = context.getService(ref);
                if (box != null) {
                    ServiceRegistration<?> reg = (ServiceRegistration<?>) box.remove(REGISTRATION);
                    out = new java.util.HashMap<>(box);
                    context.ungetService(ref);
                    if (reg != null) {
                        try {
                            reg.unregister();
                        } catch (IllegalStateException alreadyGone) {
                            // unregistered by a concurrent take
                        }
                    }
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return out;
        }
        return out;
    }
}
