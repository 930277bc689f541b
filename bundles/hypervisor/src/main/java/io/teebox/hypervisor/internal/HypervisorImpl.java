package io.teebox.hypervisor.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.api.attestation.AttestationService;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.hypervisor.VcpuView;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeType;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImage;
import io.teebox.spi.loader.GuestImageLoader;
import io.teebox.spi.loader.LaunchStaging;

/**
 * The hypervisor: owns guests and binds every TEE backend present, dynamically. A backend that goes away pauses its
 * guests with their encrypted state kept; when a backend of the same type returns they resume. It knows no vendor:
 * each backend supplies its image loader, exit protocol and guest services, and the guest acts only through its
 * {@link GuestContext}.
 */
@Component(service = Hypervisor.class, immediate = true, configurationPid = "io.teebox.hypervisor")
@Designate(ocd = HypervisorConfig.class)
public final class HypervisorImpl implements Hypervisor {

    private static final Logger LOG = Logger.getLogger(HypervisorImpl.class.getName());
    /** Largest single memory access through the hypervisor API. */
    static final int MAX_ACCESS = GuestSide.MAX_ACCESS;
    /** How long create waits for a backend that is still registering. */
    private static final long BACKEND_GRACE_NANOS = 3_000_000_000L;

    private final Map<String, Backend> backends = new ConcurrentHashMap<>();
    private final Map<String, Guest> guests = new LinkedHashMap<>();
    /**
     * Firmware contexts of guests destroyed while their backend was away, by TEE type: the key slot they hold is
     * freed (DEACTIVATE, DECOMMISSION) as soon as a backend of that type is back.
     */
    private final Map<String, java.util.Set<Long>> orphaned = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final HostMemory host;
    private volatile int maxGuests;

    /**
     * @param config the configuration
     */
    @Activate
    public HypervisorImpl(HypervisorConfig config) {
        check(config);
        this.host = new HostMemory((long) config.hostMemoryMiB() << 20);
        this.maxGuests = config.maxGuests();
    }

    @Modified
    void modified(HypervisorConfig config) {
        check(config);
        long pages = ((long) config.hostMemoryMiB() << 20) / GuestPages.PAGE_SIZE;
        if (pages < host.capacityPages()) {
            LOG.warning("io.teebox.hypervisor: hostMemoryMiB cannot shrink at runtime (guests hold their pages); "
                    + "keeping " + (host.capacityPages() * GuestPages.PAGE_SIZE >> 20) + " MiB");
        } else if (pages > host.capacityPages()) {
            host.setCapacityPages(pages);
        }
        this.maxGuests = config.maxGuests();
    }

    private static void check(HypervisorConfig config) {
        if (config.hostMemoryMiB() < 16 || config.hostMemoryMiB() > 1 << 20) {
            throw new IllegalArgumentException("io.teebox.hypervisor: hostMemoryMiB must be 16..1048576, got "
                    + config.hostMemoryMiB());
        }
        if (config.maxGuests() < 1 || config.maxGuests() > 4096) {
            throw new IllegalArgumentException("io.teebox.hypervisor: maxGuests must be 1..4096, got "
                    + config.maxGuests());
        }
    }

    // ---- backend binding -------------------------------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindBackend(TeeBackend service, Map<String, Object> props) {
        bound(TeeBackend.class, service, props);
    }

    public void unbindBackend(TeeBackend service, Map<String, Object> props) {
        unbound(TeeBackend.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindMemoryEncryption(MemoryEncryption service, Map<String, Object> props) {
        bound(MemoryEncryption.class, service, props);
    }

    public void unbindMemoryEncryption(MemoryEncryption service, Map<String, Object> props) {
        unbound(MemoryEncryption.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindLaunchService(LaunchService service, Map<String, Object> props) {
        bound(LaunchService.class, service, props);
    }

    public void unbindLaunchService(LaunchService service, Map<String, Object> props) {
        unbound(LaunchService.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindImageLoader(GuestImageLoader service, Map<String, Object> props) {
        bound(GuestImageLoader.class, service, props);
    }

    public void unbindImageLoader(GuestImageLoader service, Map<String, Object> props) {
        unbound(GuestImageLoader.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindExitProtocol(ExitProtocol service, Map<String, Object> props) {
        bound(ExitProtocol.class, service, props);
    }

    public void unbindExitProtocol(ExitProtocol service, Map<String, Object> props) {
        unbound(ExitProtocol.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindGuestServices(GuestServices service, Map<String, Object> props) {
        bound(GuestServices.class, service, props);
    }

    public void unbindGuestServices(GuestServices service, Map<String, Object> props) {
        unbound(GuestServices.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindAttestationService(AttestationService service, Map<String, Object> props) {
        bound(AttestationService.class, service, props);
    }

    public void unbindAttestationService(AttestationService service, Map<String, Object> props) {
        unbound(AttestationService.class, service, props);
    }

    private static String typeOf(Object service, Map<String, Object> props) {
        Object type = props.get(TeeType.PROPERTY);
        if (!(type instanceof String) || ((String) type).isBlank()) {
            LOG.warning(service.getClass().getName() + " has no " + TeeType.PROPERTY + " property; ignored");
            return null;
        }
        return (String) type;
    }

    void bound(Class<?> kind, Object service, Map<String, Object> props) {
        String type = typeOf(service, props);
        if (type == null) {
            return;
        }
        Backend now = backends.compute(type, (t, b) -> (b == null ? Backend.empty(t) : b).with(kind, service));
        if (now.complete()) {
            decommissionOrphans(now);
            resumeAwaiting(now);
        }
    }

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
            pauseForLostBackend(type);
        }
    }

    private void pauseForLostBackend(String type) {
        for (Guest g : snapshot()) {
            synchronized (g) {
                if (g.config.teeType().equals(type)
                        && (g.state == GuestState.RUNNING || g.state == GuestState.PAUSED)) {
                    if (g.state == GuestState.RUNNING) {
                        g.state = GuestState.PAUSED;
                        g.awaitingBackend = true;
                    }
                    g.note = "backend " + type + " went away (stopped or being updated); encrypted state kept";
                }
            }
        }
    }

    private void orphan(String type, long handle) {
        orphaned.computeIfAbsent(type, t -> ConcurrentHashMap.newKeySet()).add(handle);
        // The backend may have come back between the destroy's look and now: free the slot right away then.
        Backend b = backends.get(type);
        if (b != null && b.complete()) {
            decommissionOrphans(b);
        }
    }

    private void decommissionOrphans(Backend b) {
        java.util.Set<Long> handles = orphaned.get(b.type());
        if (handles == null) {
            return;
        }
        for (Long handle : List.copyOf(handles)) {
            if (!handles.remove(handle)) {
                continue; // another thread took it
            }
            try {
                b.launch().deactivate(handle);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "DEACTIVATE of destroyed guest handle " + handle + " failed", e);
            }
            try {
                b.launch().decommission(handle);
            } catch (RuntimeException e) {
                LOG.warning("DECOMMISSION of guest handle " + handle + ", destroyed while " + b.type()
                        + " was away, failed: " + e.getMessage());
            }
        }
    }

    private void resumeAwaiting(Backend b) {
        for (Guest g : snapshot()) {
            synchronized (g) {
                if (!g.config.teeType().equals(b.type()) || g.state != GuestState.PAUSED) {
                    continue;
                }
                try {
                    GuestStatus status = b.launch().status(g.handle);
                    String fw = b.tee().descriptor().firmware().toString();
                    if (g.awaitingBackend) {
                        g.state = GuestState.RUNNING;
                        g.awaitingBackend = false;
                        g.note = "resumed on " + b.type() + " firmware " + fw + " (firmware state " + status.state()
                                + ")";
                    } else {
                        g.note = "paused by the operator; backend " + b.type() + " firmware " + fw + " is back";
                    }
                } catch (RuntimeException e) {
                    g.state = GuestState.TERMINATED;
                    g.awaitingBackend = false;
                    g.note = "backend " + b.type() + " returned without this guest's context: " + e.getMessage();
                    g.handle = 0;
                    g.slot = null;
                    releaseMemory(g);
                }
            }
        }
    }

    Backend backend(String type) {
        Backend b = backends.get(type);
        if (b == null || !b.complete()) {
            throw new IllegalStateException("no " + type + " backend is present (is its bundle started?"
                    + (b == null ? "" : " it lacks " + b.missing()) + "); present: " + presentTypes());
        }
        return b;
    }

    /** Gives a backend whose bundle is starting a moment to register its services (DS activates asynchronously). */
    private void awaitBackend(String type) {
        long deadline = System.nanoTime() + BACKEND_GRACE_NANOS;
        while (System.nanoTime() < deadline) {
            Backend b = backends.get(type);
            if (b != null && b.complete()) {
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

    @Override
    public List<BackendDescriptor> backends() {
        List<BackendDescriptor> out = new ArrayList<>();
        for (Backend b : backends.values()) {
            if (b.complete()) {
                try {
                    out.add(b.tee().descriptor());
                } catch (RuntimeException e) {
                    // One failing provider must not hide the others.
                    LOG.log(Level.WARNING, "backend " + b.type() + " failed to describe itself", e);
                }
            }
        }
        out.sort(Comparator.comparing(BackendDescriptor::teeType));
        return out;
    }

    // ---- guests ----------------------------------------------------------------------------------------------

    private synchronized List<Guest> snapshot() {
        return new ArrayList<>(guests.values());
    }

    private synchronized Guest find(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("no guest named: give a guest id or name");
        }
        Guest g = guests.get(ref);
        if (g != null) {
            return g;
        }
        for (Guest candidate : guests.values()) {
            if (candidate.matches(ref)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no guest '" + ref + "'; guests: "
                + guests.values().stream().map(x -> x.id + "/" + x.config.name()).toList());
    }

    @Override
    public GuestInfo create(GuestConfig config) {
        awaitBackend(config.teeType());
        Backend b = backend(config.teeType());
        io.teebox.api.tee.LaunchDefaults defaults = b.tee().descriptor().defaults();
        if (!defaults.allows(config.vcpuType())) {
            throw new IllegalArgumentException("vCPU model '" + config.vcpuType() + "' is not one the "
                    + config.teeType() + " backend runs; it runs: " + String.join(", ", defaults.vcpuModels()));
        }
        synchronized (this) {
            for (Guest g : guests.values()) {
                if (g.config.name().equals(config.name())) {
                    throw new IllegalArgumentException("a guest named '" + config.name() + "' exists already ("
                            + g.id + ", " + g.state + ")");
                }
            }
            if (guests.size() >= maxGuests) {
                throw new IllegalStateException("guest limit reached: " + maxGuests
                        + " guests exist; destroy one or raise maxGuests in io.teebox.hypervisor");
            }
            String id = "g" + nextId.getAndIncrement();
            Guest g = new Guest(id, config, host);
            guests.put(id, g);
            return g.info();
        }
    }

    @Override
    public List<GuestInfo> guests() {
        return snapshot().stream().map(Guest::info).toList();
    }

    @Override
    public GuestInfo guest(String guest) {
        return find(guest).info();
    }

    @Override
    public LaunchResult launch(String guestRef, LaunchPlan plan, LaunchOwner owner) {
        if (plan == null || owner == null) {
            throw new IllegalArgumentException("launch needs a plan and a guest owner");
        }
        Guest g = find(guestRef);
        synchronized (g) {
            if (g.state != GuestState.CREATED) {
                throw new IllegalStateException("guest " + g.config.name() + " is " + g.state
                        + "; only a CREATED guest can be launched");
            }
            Backend b = backend(g.config.teeType());
            GuestImage image = GuestImage.of(plan.firmware(), plan.kernel(), plan.initrd(), plan.cmdline());
            // Refused before anything is created, as QEMU refuses an image the TEE cannot launch or measure.
            b.loader().check(image, g.config);
            g.state = GuestState.LAUNCHING;
            g.note = "";
            LaunchSession session = null;
            try {
                BackendDescriptor descriptor = b.tee().descriptor();
                LaunchRequest request = owner.start(descriptor, b.tee().platformCertificates(), g.config);
                session = b.launch().begin(request, g.firmwareView);
                g.handle = session.handle();
                g.slot = session.keySlot();
                g.policy = request.policy();

                b.loader().load(image, session, staging(g));
                Measurement m = session.measure();
                g.measurement = m;
                List<SecretPacket> secrets = owner.approve(m);
                for (SecretPacket p : secrets) {
                    session.injectSecret(p);
                }
                session.finish();
                g.state = GuestState.RUNNING;
                g.appendLog(session.log());
                return new LaunchResult(g.info(), m, secrets.size(), g.log);
            } catch (RuntimeException e) {
                if (session != null) {
                    g.appendLog(session.log());
                }
                g.state = GuestState.TERMINATED;
                g.note = "launch failed: " + e.getMessage();
                teardown(g, b);
                throw e;
            }
        }
    }

    /** The host's side of loading an image: plaintext into pages not yet encrypted, vCPU reset states. */
    private static LaunchStaging staging(Guest g) {
        return new LaunchStaging() {
            @Override
            public GuestConfig config() {
                return g.config;
            }

            @Override
            public void place(long gpa, byte[] data) {
                g.memory.checkRange(gpa, data.length);
                GuestSide.forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
                    GuestPages.Page p = g.memory.page(pageGpa);
                    if (p.priv) {
                        throw new IllegalStateException(String.format("page 0x%X is already encrypted", pageGpa));
                    }
                    System.arraycopy(data, off, p.raw, inPage, n);
                });
            }

            @Override
            public void resetVcpu(int vcpu, byte[] saveArea, boolean encrypted) {
                if (vcpu < 0 || vcpu >= g.vcpus.length || saveArea.length != GuestPages.PAGE_SIZE) {
                    throw new IllegalArgumentException("vCPU " + vcpu + " with a " + saveArea.length
                            + "-byte save area: the guest has vCPUs 0.." + (g.vcpus.length - 1) + " and save areas of "
                            + GuestPages.PAGE_SIZE + " bytes");
                }
                g.vcpus[vcpu].saveArea = saveArea.clone();
                g.vcpus[vcpu].encrypted = encrypted;
            }
        };
    }

    private void teardown(Guest g, Backend b) {
        if (g.handle != 0 && (b == null || !b.complete())) {
            orphan(g.config.teeType(), g.handle);
        } else if (g.handle != 0) {
            try {
                b.launch().deactivate(g.handle);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "DEACTIVATE of " + g.id + " failed", e);
            }
            try {
                b.launch().decommission(g.handle);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "DECOMMISSION of guest " + g.id + " failed: " + e.getMessage());
            }
        }
        // The guest holds no firmware context or key slot any more (or the orphan list holds it for the backend).
        g.handle = 0;
        g.slot = null;
        releaseMemory(g);
    }

    private static void releaseMemory(Guest g) {
        g.memory.releaseAll();
        for (Vcpu v : g.vcpus) {
            v.saveArea = new byte[GuestPages.PAGE_SIZE];
            v.encrypted = false;
        }
    }

    @Override
    public GuestStatus firmwareStatus(String guestRef) {
        Guest g = find(guestRef);
        synchronized (g) {
            if (g.handle == 0) {
                throw new IllegalStateException("guest " + g.config.name() + " has no firmware context (state "
                        + g.state + ")");
            }
            return backend(g.config.teeType()).launch().status(g.handle);
        }
    }

    @Override
    public void pause(String guestRef) {
        Guest g = find(guestRef);
        synchronized (g) {
            require(g, GuestState.RUNNING, "paused");
            g.state = GuestState.PAUSED;
            g.note = "paused by the operator";
        }
    }

    @Override
    public void resume(String guestRef) {
        Guest g = find(guestRef);
        synchronized (g) {
            require(g, GuestState.PAUSED, "resumed");
            Backend b = backend(g.config.teeType());
            b.launch().status(g.handle);
            g.state = GuestState.RUNNING;
            g.awaitingBackend = false;
            g.note = "";
        }
    }

    @Override
    public void destroy(String guestRef) {
        Guest g = find(guestRef);
        synchronized (g) {
            if (g.state == GuestState.LAUNCHING) {
                throw new IllegalStateException("guest " + g.config.name() + " is LAUNCHING; destroy it after the "
                        + "launch returns");
            }
            Backend b = backends.get(g.config.teeType());
            // Also for a guest the TEE terminated (a TD killed by a MAC failure, a guest that asked to terminate):
            // its firmware context still holds a key slot until it is decommissioned.
            teardown(g, b != null && b.complete() ? b : null);
            g.state = GuestState.TERMINATED;
        }
        synchronized (this) {
            guests.remove(g.id);
        }
    }

    private static void require(Guest g, GuestState wanted, String verb) {
        if (g.state != wanted) {
            throw new IllegalStateException("guest " + g.config.name() + " is " + g.state + "; only a " + wanted
                    + " guest can be " + verb);
        }
    }

    // ---- the guest's side ------------------------------------------------------------------------------------

    @Override
    public GuestContext context(String guestRef) {
        return new GuestContextImpl(find(guestRef), this);
    }

    @Override
    public <T> Optional<T> hostExtension(String guestRef, Class<T> type) {
        Objects.requireNonNull(type, "type");
        Guest g = find(guestRef);
        java.util.function.Function<GuestSide, Optional<T>> lookup = s -> s.b.services() == null ? Optional.empty()
                : s.b.services().hostExtension(type, s);
        if (asHost(g, "use " + type.getSimpleName(), lookup).isEmpty()) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        T proxy = (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return m.getName().equals("toString") ? type.getSimpleName() + " of guest " + g.config.name()
                                : m.getName().equals("hashCode") ? System.identityHashCode(p) : p == args[0];
                    }
                    return asHost(g, "use " + type.getSimpleName(), s -> GuestContextImpl.invoke(lookup.apply(s)
                            .orElseThrow(() -> new IllegalStateException("backend " + s.b.type()
                                    + " no longer offers " + type.getName())), m, args));
                });
        return Optional.of(proxy);
    }

    /** Runs a host-side vendor action: the guest must be launched, not terminated, and its backend present. */
    private <R> R asHost(Guest g, String action, java.util.function.Function<GuestSide, R> body) {
        synchronized (g) {
            if (g.handle == 0 || g.state == GuestState.TERMINATED || g.state == GuestState.LAUNCHING) {
                throw new io.teebox.api.tee.TeeException(io.teebox.api.tee.FirmwareStatus.INVALID_GUEST_STATE,
                        "guest " + g.config.name() + " is " + g.state + (g.handle == 0 ? " with no firmware context"
                                : "") + "; the host cannot " + action + " on it");
            }
            return body.apply(new GuestSide(g, backend(g.config.teeType())));
        }
    }

    @Override
    public HostAccessOutcome hostRemap(String guestRef, long first, long second) {
        Guest g = find(guestRef);
        synchronized (g) {
            g.memory.checkPageAligned(first);
            g.memory.checkPageAligned(second);
            if (first == second) {
                throw new IllegalArgumentException("remap needs two different pages");
            }
            if (g.state == GuestState.CREATED || g.state == GuestState.TERMINATED) {
                throw new IllegalStateException("guest " + g.config.name() + " is " + g.state);
            }
            HostAccessOutcome outcome = backend(g.config.teeType()).memory().hostAccess(HostAccess.REMAP);
            if (outcome.effect() != HostAccessOutcome.Effect.HOST_FAULT) {
                g.memory.swap(first, second);
            }
            return outcome;
        }
    }

    @Override
    public byte[] hostRead(String guestRef, long gpa, int length) {
        GuestSide.checkLength(length);
        Guest g = find(guestRef);
        synchronized (g) {
            g.memory.checkRange(gpa, length);
            boolean fixed = g.state != GuestState.CREATED && hostReadRule(g) == HostAccessOutcome.Effect.FIXED_DATA;
            byte[] out = new byte[length];
            GuestSide.forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
                GuestPages.Page p = g.memory.peek(pageGpa);
                if (p != null && !(fixed && p.priv)) {
                    System.arraycopy(p.raw, inPage, out, off, n);
                }
            });
            return out;
        }
    }

    @Override
    public HostAccessOutcome hostWrite(String guestRef, long gpa, byte[] data) {
        GuestSide.checkLength(data.length);
        Guest g = find(guestRef);
        synchronized (g) {
            g.memory.checkRange(gpa, data.length);
            if (g.state == GuestState.TERMINATED) {
                throw new IllegalStateException("guest " + g.config.name() + " is TERMINATED; its memory is gone");
            }
            HostAccessOutcome privateOutcome = null;
            if (g.state != GuestState.CREATED && touchesPrivate(g, gpa, data.length)) {
                privateOutcome = backend(g.config.teeType()).memory().hostAccess(HostAccess.WRITE);
                if (privateOutcome.effect() == HostAccessOutcome.Effect.HOST_FAULT) {
                    return privateOutcome;
                }
            }
            GuestSide.forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
                GuestPages.Page p = g.memory.page(pageGpa);
                System.arraycopy(data, off, p.raw, inPage, n);
            });
            if (privateOutcome != null) {
                return privateOutcome;
            }
            return new HostAccessOutcome(HostAccessOutcome.Effect.UNDETECTED, g.state == GuestState.CREATED
                    ? "the guest is not launched: the host writes plaintext that a launch would measure"
                    : "the page is not private to the guest: host writes are allowed");
        }
    }

    /**
     * What a host read of the guest's private pages yields, as the backend declares it; the memory controller keeps
     * its rule while the backend's bundle is away, so the last declared rule is kept with the guest.
     */
    private HostAccessOutcome.Effect hostReadRule(Guest g) {
        Backend b = backends.get(g.config.teeType());
        if (b != null) {
            g.hostReadRule = b.memory().hostAccess(HostAccess.READ).effect();
        }
        return g.hostReadRule;
    }

    private static boolean touchesPrivate(Guest g, long gpa, int length) {
        boolean[] any = new boolean[1];
        GuestSide.forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
            GuestPages.Page p = g.memory.peek(pageGpa);
            any[0] |= p != null && p.priv;
        });
        return any[0];
    }

    @Override
    public VcpuView hostVcpu(String guestRef, int vcpu) {
        Guest g = find(guestRef);
        synchronized (g) {
            if (vcpu < 0 || vcpu >= g.vcpus.length) {
                throw new IllegalArgumentException("vCPU " + vcpu + " does not exist; guest " + g.config.name()
                        + " has vCPUs 0.." + (g.vcpus.length - 1));
            }
            Vcpu v = g.vcpus[vcpu];
            Backend b = backends.get(g.config.teeType());
            Map<String, Long> registers = b == null || !b.complete() || g.handle == 0 && !hasSaveArea(v) ? Map.of()
                    : b.exits().registers(v.saveArea.clone(), v.encrypted);
            return new VcpuView(vcpu, v.encrypted, v.saveArea, registers);
        }
    }

    private static boolean hasSaveArea(Vcpu v) {
        for (byte x : v.saveArea) {
            if (x != 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<ExitTrace> exits(String guestRef) {
        Guest g = find(guestRef);
        synchronized (g) {
            return List.copyOf(g.exits);
        }
    }

    @Override
    public List<LaunchLogEntry> launchLog(String guestRef) {
        Guest g = find(guestRef);
        synchronized (g) {
            return g.log;
        }
    }

    @Override
    public Optional<Measurement> measurement(String guestRef) {
        Guest g = find(guestRef);
        synchronized (g) {
            return Optional.ofNullable(g.measurement);
        }
    }

    /**
     * Binds every backend service the object implements, as DS would, for tests and the contract test kit that run
     * a backend without a framework.
     *
     * @param type the backend's tee.type
     * @param services objects implementing backend service interfaces
     */
    public void bindAll(String type, Object... services) {
        Map<String, Object> props = Map.of(TeeType.PROPERTY, type);
        for (Object s : services) {
            for (Class<?> kind : Backend.KINDS) {
                if (kind.isInstance(s)) {
                    bound(kind, s, props);
                }
            }
        }
    }

    /**
     * Unbinds what {@link #bindAll} bound, in reverse order, as a bundle stop would.
     *
     * @param type the backend's tee.type
     * @param services the objects
     */
    public void unbindAll(String type, Object... services) {
        Map<String, Object> props = Map.of(TeeType.PROPERTY, type);
        for (int i = services.length - 1; i >= 0; i--) {
            for (Class<?> kind : Backend.KINDS) {
                if (kind.isInstance(services[i])) {
                    unbound(kind, services[i], props);
                }
            }
        }
    }

    /** For tests: host pages in use. */
    public long hostPagesInUse() {
        return host.pagesInUse();
    }
}
