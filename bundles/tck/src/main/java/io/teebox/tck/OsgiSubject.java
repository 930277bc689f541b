package io.teebox.tck;

import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeType;

/**
 * A {@link ContractSubject} found in a running framework: the backend's services by their {@code tee.type}, the
 * backend's bundle as the bundle that registered its {@link TeeBackend} service. A subclass names what a relying
 * party trusts ({@link #trustedRoots()}).
 */
public abstract class OsgiSubject implements ContractSubject {

    /** How long to wait for a service or for the hypervisor to bind a backend, in milliseconds. */
    public static final long TIMEOUT_MS = 15_000;

    private final BundleContext context;
    private final String teeType;
    /** The backend's bundle while it is stopped, to start the same one again. */
    private Bundle stopped;

    /**
     * @param context a bundle context of the framework the backend runs in
     * @param teeType the backend's {@code tee.type}
     */
    protected OsgiSubject(BundleContext context, String teeType) {
        this.context = context;
        this.teeType = teeType;
    }

    @Override
    public String teeType() {
        return teeType;
    }

    /** @return the bundle context the subject looks services up in */
    protected BundleContext context() {
        return context;
    }

    @Override
    public Hypervisor hypervisor() {
        return service(Hypervisor.class, null);
    }

    @Override
    public TeeBackend backend() {
        return service(TeeBackend.class, typeFilter());
    }

    @Override
    public MemoryEncryption memoryEncryption() {
        return service(MemoryEncryption.class, typeFilter());
    }

    @Override
    public LaunchService launchService() {
        return service(LaunchService.class, typeFilter());
    }

    @Override
    public GuestOwnerService owner() {
        return service(GuestOwnerService.class, typeFilter());
    }

    @Override
    public Optional<EvidenceVerifier> verifier(String format) {
        try {
            var refs = context.getServiceReferences(EvidenceVerifier.class,
                    "(" + EvidenceVerifier.FORMAT_PROPERTY + "=" + format + ")");
            if (refs.isEmpty()) {
                return Optional.empty();
            }
            return Optional.ofNullable(context.getService(refs.iterator().next()));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("evidence format '" + format + "' cannot be used in a filter", e);
        }
    }

    /** @return the bundle that registered the backend */
    public Bundle backendBundle() {
        backend();
        try {
            ServiceReference<TeeBackend> ref = context.getServiceReferences(TeeBackend.class, typeFilter()).stream()
                    .findFirst().orElseThrow(() -> new AssertionError("no TeeBackend with " + typeFilter()));
            return ref.getBundle();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("tee.type '" + teeType + "' cannot be used in a filter", e);
        }
    }

    @Override
    public void stopBackend() {
        Bundle b = backendBundle();
        stopped = b;
        try {
            b.stop();
        } catch (BundleException e) {
            throw new AssertionError("stopping " + b.getSymbolicName() + ": " + e.getMessage(), e);
        }
        await("the hypervisor lists no " + teeType + " backend after stopping " + b.getSymbolicName(),
                () -> hypervisor().backends().stream().noneMatch(d -> d.teeType().equals(teeType)));
    }

    @Override
    public void startBackend() {
        Bundle b = stoppedBundle();
        try {
            b.start();
        } catch (BundleException e) {
            throw new AssertionError("starting " + b.getSymbolicName() + ": " + e.getMessage(), e);
        }
        awaitBound(b);
    }

    @Override
    public void updateBackend() {
        Bundle b = backendBundle();
        try {
            b.update();
        } catch (BundleException e) {
            throw new AssertionError("updating " + b.getSymbolicName() + ": " + e.getMessage(), e);
        }
        awaitBound(b);
    }

    private Bundle stoppedBundle() {
        if (stopped == null) {
            throw new AssertionError("startBackend() without stopBackend()");
        }
        return stopped;
    }

    private void awaitBound(Bundle b) {
        await("the hypervisor binds a " + teeType + " backend after " + b.getSymbolicName() + " is active",
                () -> b.getState() == Bundle.ACTIVE
                        && hypervisor().backends().stream().anyMatch(d -> d.teeType().equals(teeType)));
    }

    private String typeFilter() {
        return "(" + TeeType.PROPERTY + "=" + teeType + ")";
    }

    /**
     * Waits for a service.
     *
     * @param type the service interface
     * @param filter an LDAP filter on its properties, or null
     * @param <T> the interface
     * @return the service
     */
    protected <T> T service(Class<T> type, String filter) {
        String f = "(objectClass=" + type.getName() + ")";
        if (filter != null) {
            f = "(&" + f + filter + ")";
        }
        Filter parsed;
        try {
            parsed = FrameworkUtil.createFilter(f);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(f, e);
        }
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, parsed, null);
        tracker.open();
        try {
            T s = tracker.waitForService(TIMEOUT_MS);
            if (s == null) {
                throw new AssertionError("no service " + f + " after " + TIMEOUT_MS + " ms");
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + f, e);
        } finally {
            tracker.close();
        }
    }

    /**
     * Waits until a condition holds; a condition that throws is retried.
     *
     * @param what the condition, for the failure message
     * @param condition the condition
     */
    public static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + TIMEOUT_MS * 1_000_000;
        RuntimeException last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                last = null;
            } catch (RuntimeException e) {
                last = e; // a service may be replaced meanwhile: retry
            }
            if (System.nanoTime() > end) {
                AssertionError error = new AssertionError("timed out after " + TIMEOUT_MS + " ms waiting until "
                        + what);
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }
}
