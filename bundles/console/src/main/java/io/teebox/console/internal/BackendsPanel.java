package io.teebox.console.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonObject;

import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeType;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Backends: each TEE present with vendor, firmware, TCB, key-slot use, capabilities and its bundle's state; stop,
 * update and start a backend bundle (a firmware update) and watch its guests pause and resume. A backend whose bundle
 * is stopped stays listed with its guests, paused, until it returns.
 */
@Component(service = Servlet.class, property = {ServletConstants.PLUGIN_LABEL + "=" + BackendsPanel.LABEL,
    ServletConstants.PLUGIN_TITLE + "=TEE backends", ServletConstants.PLUGIN_CATEGORY + "=teebox"})
public final class BackendsPanel extends Panel {

    private static final long serialVersionUID = 1L;
    static final String LABEL = "teebox-backends";

    private final transient Hypervisor hypervisor;
    private final transient BundleContext context;
    /** tee.type to the bundle that registered it, kept while the bundle is stopped. */
    private final transient Map<String, Long> seen = new TreeMap<>();

    /**
     * @param hypervisor the platform's hypervisor
     * @param context this bundle's context, to find and drive backend bundles
     */
    @Activate
    public BackendsPanel(@Reference Hypervisor hypervisor, BundleContext context) {
        this.hypervisor = hypervisor;
        this.context = context;
    }

    @Override
    String label() {
        return LABEL;
    }

    private synchronized Map<String, Long> bundles() {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(TeeBackend.class.getName(), null);
            for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
                Object t = r.getProperty(TeeType.PROPERTY);
                if (t != null && r.getBundle() != null) {
                    seen.put(t.toString(), r.getBundle().getBundleId());
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        seen.values().removeIf(id -> context.getBundle(id) == null);
        return new TreeMap<>(seen);
    }

    @Override
    Object read(String what, HttpServletRequest request) {
        if (!what.equals("backends")) {
            throw new IllegalArgumentException("no data named '" + what + "' on " + LABEL + " (backends)");
        }
        Map<String, BackendDescriptor> present = new TreeMap<>();
        for (BackendDescriptor d : hypervisor.backends()) {
            present.put(d.teeType(), d);
        }
        Map<String, Long> bundles = bundles();
        TreeMap<String, Object> all = new TreeMap<>();
        for (String t : present.keySet()) {
            all.put(t, null);
        }
        for (String t : bundles.keySet()) {
            all.put(t, null);
        }
        List<GuestInfo> guests = hypervisor.guests();
        List<Object> out = new ArrayList<>();
        for (String t : all.keySet()) {
            BackendDescriptor d = present.get(t);
            Long id = bundles.get(t);
            Bundle b = id == null ? null : context.getBundle(id);
            Map<String, Object> m = map("teeType", t, "present", d != null);
            if (d != null) {
                KeySlotLimits k = d.keySlots();
                m.put("vendor", d.vendor());
                m.put("product", d.product());
                m.put("kind", d.kind().name());
                m.put("architecture", d.architecture());
                m.put("firmware", d.firmware() == null ? null : d.firmware().text());
                m.put("tcb", d.tcb() == null ? null : d.tcb().components());
                m.put("tcbRaw", d.tcb() == null || d.tcb().raw() == null ? null : d.tcb().raw().hex());
                m.put("keySlots", k == null ? null : map("name", k.slotName(), "first", k.first(), "last",
                        k.last(), "inUse", k.inUse(), "capacity", k.capacity()));
                m.put("capabilities", d.capabilities().stream().map(Enum::name).sorted().toList());
            }
            m.put("bundle", b == null ? null : map("id", b.getBundleId(), "symbolicName", b.getSymbolicName(),
                    "version", b.getVersion().toString(), "state", state(b.getState())));
            m.put("guests", guests.stream().filter(g -> g.config().teeType().equals(t)).map(g -> map("name",
                    g.config().name(), "state", g.state().name())).toList());
            out.add(m);
        }
        return map("backends", out);
    }

    /**
     * Updates a backend bundle from a jar: a firmware update, its guests pause and resume. The jar must be a bundle
     * of the same symbolic name (another version of this backend, a new firmware or TCB).
     */
    private static void update(Bundle b, byte[] jar) throws BundleException {
        if (jar == null || jar.length == 0) {
            throw new IllegalArgumentException("update " + b.getSymbolicName() + ": choose the bundle jar to update "
                    + "it from (the running one came from inside the launcher, " + b.getLocation() + ")");
        }
        String name;
        try (java.util.jar.JarInputStream in = new java.util.jar.JarInputStream(new java.io.ByteArrayInputStream(
                jar))) {
            java.util.jar.Manifest m = in.getManifest();
            name = m == null ? null : m.getMainAttributes().getValue("Bundle-SymbolicName");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("update " + b.getSymbolicName() + ": the file is not a jar ("
                    + e.getMessage() + ")");
        }
        String bsn = name == null ? null : name.split(";")[0].strip();
        if (!b.getSymbolicName().equals(bsn)) {
            throw new IllegalArgumentException("update " + b.getSymbolicName() + ": the jar is " + (bsn == null
                    ? "not an OSGi bundle (no Bundle-SymbolicName)" : "bundle " + bsn + ", not this backend's"));
        }
        b.update(new java.io.ByteArrayInputStream(jar));
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }

    @Override
    Object act(String action, JsonObject body) {
        String t = string(body, "teeType");
        Long id = bundles().get(t);
        Bundle b = id == null ? null : context.getBundle(id);
        if (b == null) {
            throw new IllegalArgumentException("no backend bundle of type '" + t + "' is known (known: "
                    + bundles().keySet() + ")");
        }
        try {
            switch (action) {
                case "stop" -> b.stop(Bundle.STOP_TRANSIENT);
                case "start" -> b.start(Bundle.START_TRANSIENT);
                case "update" -> update(b, base64(body, "jar"));
                default -> throw new IllegalArgumentException("no action named '" + action + "' on " + LABEL
                        + " (stop, start, update)");
            }
        } catch (BundleException e) {
            throw new IllegalStateException(action + " " + b.getSymbolicName() + ": " + e.getMessage(), e);
        }
        return map("teeType", t, "bundle", b.getSymbolicName(), "state", state(b.getState()));
    }
}
