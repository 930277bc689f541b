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
import io.teebox.api.attestation.Evidence;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
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
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.FirmwareArea;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.SevMetadataSection;
import io.teebox.kit.firmware.TdxMetadataSection;
import io.teebox.kit.x86.CpuModels;
import io.teebox.kit.x86.Vmsa;

/**
 * The hypervisor: owns guests and binds every TEE backend present, dynamically. A backend that goes away pauses its
 * guests with their encrypted state kept; when a backend of the same type returns they resume.
 */
@Component(service = Hypervisor.class, immediate = true, configurationPid = "io.teebox.hypervisor")
@Designate(ocd = HypervisorConfig.class)
public final class HypervisorImpl implements Hypervisor {

    private static final Logger LOG = Logger.getLogger(HypervisorImpl.class.getName());
    /** Largest single memory access through the hypervisor API. */
    static final int MAX_ACCESS = 1 << 20;
    private static final long BSP_RESET_EIP = 0xFFFF_FFF0L;
    /** How long create waits for a backend that is still registering. */
    private static final long BACKEND_GRACE_NANOS = 3_000_000_000L;
    /** Largest firmware section the hypervisor copies into a guest. */
    private static final long MAX_SECTION = 64L << 20;

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
    void bindBackend(TeeBackend service, Map<String, Object> props) {
        bound(TeeBackend.class, service, props);
    }

    void unbindBackend(TeeBackend service, Map<String, Object> props) {
        unbound(TeeBackend.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMemoryEncryption(MemoryEncryption service, Map<String, Object> props) {
        bound(MemoryEncryption.class, service, props);
    }

    void unbindMemoryEncryption(MemoryEncryption service, Map<String, Object> props) {
        unbound(MemoryEncryption.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLaunchService(LaunchService service, Map<String, Object> props) {
        bound(LaunchService.class, service, props);
    }

    void unbindLaunchService(LaunchService service, Map<String, Object> props) {
        unbound(LaunchService.class, service, props);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAttestationService(AttestationService service, Map<String, Object> props) {
        bound(AttestationService.class, service, props);
    }

    void unbindAttestationService(AttestationService service, Map<String, Object> props) {
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
        Backend now = backends.compute(type,
                (t, b) -> (b == null ? new Backend(t, null, null, null, null) : b).with(kind, service));
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

    private Backend backend(String type) {
        Backend b = backends.get(type);
        if (b == null || !b.complete()) {
            throw new IllegalStateException("no " + type + " backend is present (is its bundle started?); present: "
                    + presentTypes());
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
        List<String> models = b.tee().descriptor().vcpuModels();
        // QEMU's versioned model names (SapphireRapids-v2) run where their base model does.
        String base = config.vcpuType().replaceFirst("-v[0-9]+$", "");
        if (!models.isEmpty() && models.stream().noneMatch(m -> m.equalsIgnoreCase(config.vcpuType())
                || m.equalsIgnoreCase(base))) {
            throw new IllegalArgumentException("vCPU model '" + config.vcpuType() + "' is not one the "
                    + config.teeType() + " backend runs; it runs: " + String.join(", ", models));
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
            byte[] fw = plan.firmware() != null ? plan.firmware() : DefaultFirmware.image();
            OvmfImage image = OvmfImage.parse(fw);
            String layout = b.tee().descriptor().firmwareLayout();
            if (BackendDescriptor.LAYOUT_TDVF.equals(layout)) {
                if (!image.hasTdxMetadata() || image.tdxMetadata().isEmpty()) {
                    throw new IllegalArgumentException("the firmware has no TDX metadata (TDVF descriptor), so a "
                            + g.config.teeType() + " guest cannot be built from it");
                }
                if (plan.kernel() != null) {
                    throw new IllegalArgumentException("direct kernel boot is not supported for " + layout
                            + " firmware: TDVF measures a kernel into RTMRs at runtime; launch without --kernel");
                }
            } else if (BackendDescriptor.LAYOUT_OVMF_SNP.equals(layout)) {
                if (image.sevMetadata().isEmpty()) {
                    throw new IllegalArgumentException("the firmware has no SEV metadata (footer GUID "
                            + OvmfImage.SEV_METADATA_GUID + "), so an SEV-SNP guest cannot be built from it");
                }
            } else if (!BackendDescriptor.LAYOUT_OVMF_SEV.equals(layout)) {
                throw new IllegalStateException("backend " + g.config.teeType() + " asks for firmware layout '"
                        + layout + "', which this hypervisor does not know");
            }
            if (plan.kernel() != null) {
                // Refused before anything is loaded, as QEMU refuses -kernel with such a firmware: a kernel the
                // firmware cannot measure must never run unmeasured.
                if (BackendDescriptor.LAYOUT_OVMF_SNP.equals(layout)) {
                    image.requireSnpKernelHashesSection();
                } else {
                    image.requireKernelHashesArea();
                }
            }
            if (plan.kernel() == null && (plan.initrd() != null || plan.cmdline() != null)) {
                throw new IllegalArgumentException("an initrd or command line needs a kernel");
            }
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

                if (BackendDescriptor.LAYOUT_TDVF.equals(descriptor.firmwareLayout())) {
                    loadTdvf(g, image, session);
                } else if (BackendDescriptor.LAYOUT_OVMF_SNP.equals(descriptor.firmwareLayout())) {
                    loadOvmfSnp(g, image, plan, session);
                } else {
                    loadOvmf(g, image, plan, session, descriptor);
                }
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

    /** SEV family: the whole image as one measured region, then the kernel-hashes table, then the VMSAs. */
    private static void loadOvmf(Guest g, OvmfImage image, LaunchPlan plan, LaunchSession session,
            BackendDescriptor descriptor) {
        byte[] fw = image.bytes();
        placePlaintext(g, image.loadAddress(), fw);
        session.addPages(image.loadAddress(), fw.length, PageType.NORMAL);
        if (plan.kernel() != null) {
            FirmwareArea area = image.requireKernelHashesArea();
            byte[] table = KernelHashes.table(plan.kernel(), plan.initrd(), plan.cmdline());
            placePlaintext(g, area.gpa(), table);
            session.addPages(area.gpa(), table.length, PageType.NORMAL);
        }
        if (descriptor.has(Capability.REGISTER_ENCRYPTION) && g.vcpus.length > 1 && image.sevEsResetEip().isEmpty()) {
            throw new IllegalArgumentException("the firmware has no SEV-ES AP reset block (footer GUID "
                    + OvmfImage.SEV_ES_RESET_BLOCK_GUID + "), so the APs of an encrypted-state guest cannot start");
        }
        resetVcpus(g, image, 0);
        if (descriptor.has(Capability.REGISTER_ENCRYPTION)) {
            for (int i = 0; i < g.vcpus.length; i++) {
                session.addVcpuState(i);
            }
        }
    }

    /** SEV-SNP guest features in each VMSA's SEV_FEATURES: SNPActive. */
    static final long SNP_FEATURES = 0x1;

    /**
     * SEV-SNP, as QEMU launches OVMF: the image as NORMAL pages, the SEV metadata sections by type (the CPUID page
     * filled by the host for the firmware to check), the kernel-hashes page, then one VMSA per vCPU.
     */
    private static void loadOvmfSnp(Guest g, OvmfImage image, LaunchPlan plan, LaunchSession session) {
        byte[] fw = image.bytes();
        placePlaintext(g, image.loadAddress(), fw);
        session.addPages(image.loadAddress(), fw.length, PageType.NORMAL);
        for (SevMetadataSection s : image.sevMetadata()) {
            switch (s.type()) {
                case SNP_SEC_MEM, SVSM_CAA -> session.addPages(s.gpa(), s.size(), PageType.ZERO);
                case SNP_SECRETS -> session.addPages(s.gpa(), s.size(), PageType.SECRETS);
                case CPUID -> {
                    placePlaintext(g, s.gpa(), cpuidPage(g));
                    session.addPages(s.gpa(), s.size(), PageType.CPUID);
                }
                case SNP_KERNEL_HASHES -> {
                    if (plan.kernel() == null) {
                        session.addPages(s.gpa(), s.size(), PageType.ZERO);
                    } else {
                        long area = image.requireKernelHashesArea().gpa();
                        byte[] page = KernelHashes.page(KernelHashes.table(plan.kernel(), plan.initrd(),
                                plan.cmdline()), area);
                        placePlaintext(g, s.gpa(), page);
                        session.addPages(s.gpa(), page.length, PageType.NORMAL);
                    }
                }
            }
        }
        if (g.vcpus.length > 1 && image.sevEsResetEip().isEmpty()) {
            throw new IllegalArgumentException("the firmware has no SEV-ES AP reset block (footer GUID "
                    + OvmfImage.SEV_ES_RESET_BLOCK_GUID + "), so the APs of an SEV-SNP guest cannot start");
        }
        resetVcpus(g, image, SNP_FEATURES);
        for (int i = 0; i < g.vcpus.length; i++) {
            session.addVcpuState(i);
        }
    }

    /** The CPUID page the host offers (count, then 48-byte entries): leaves 0 and 1 of the vCPU model. */
    private static byte[] cpuidPage(Guest g) {
        byte[] page = new byte[GuestPages.PAGE_SIZE];
        long sig = CpuModels.signature(g.config.vcpuType());
        long[][] entries = {{0, 0, 0x10, 0x68747541L, 0x444D4163L, 0x69746E65L}, {1, 0, sig, 0, 0, 0}};
        io.teebox.kit.codec.LittleEndian.put32(page, 0, entries.length);
        for (int i = 0; i < entries.length; i++) {
            int off = 16 + 48 * i;
            io.teebox.kit.codec.LittleEndian.put32(page, off, entries[i][0]);
            io.teebox.kit.codec.LittleEndian.put32(page, off + 4, entries[i][1]);
            for (int r = 0; r < 4; r++) {
                io.teebox.kit.codec.LittleEndian.put32(page, off + 24 + 4 * r, entries[i][2 + r]);
            }
        }
        return page;
    }

    /**
     * TDX: each TDVF metadata section in order, added (and extended when its attribute says so) at its address;
     * sections marked PAGE.AUG are left for the TD to accept at runtime. vCPU state lives in the TDX module.
     */
    private static void loadTdvf(Guest g, OvmfImage image, LaunchSession session) {
        byte[] fw = image.bytes();
        for (TdxMetadataSection s : image.tdxMetadata()) {
            if ((s.attributes() & TdxMetadataSection.ATTR_PAGE_AUG) != 0) {
                continue;
            }
            if (s.memoryDataSize() > MAX_SECTION) {
                throw new IllegalArgumentException(String.format("TDX metadata section at 0x%X is %d bytes; at most "
                        + "%d bytes are loaded", s.memoryAddress(), s.memoryDataSize(), MAX_SECTION));
            }
            byte[] content = new byte[(int) s.memoryDataSize()];
            System.arraycopy(fw, (int) s.dataOffset(), content, 0, (int) Math.min(s.rawDataSize(), content.length));
            placePlaintext(g, s.memoryAddress(), content);
            session.addPages(s.memoryAddress(), content.length, s.extendMr() ? PageType.NORMAL : PageType.UNMEASURED);
        }
        for (Vcpu v : g.vcpus) {
            v.saveArea = new byte[GuestPages.PAGE_SIZE];
            v.encrypted = true;
            session.addVcpuState(v.index);
        }
    }

    /** The host copies plaintext into guest pages before the firmware encrypts them in place. */
    private static void placePlaintext(Guest g, long gpa, byte[] data) {
        g.memory.checkRange(gpa, data.length);
        long pos = gpa;
        int off = 0;
        while (off < data.length) {
            long pageGpa = GuestPages.pageOf(pos);
            int inPage = (int) (pos - pageGpa);
            int n = Math.min(GuestPages.PAGE_SIZE - inPage, data.length - off);
            GuestPages.Page p = g.memory.page(pageGpa);
            if (p.priv) {
                throw new IllegalStateException(String.format("page 0x%X is already encrypted", pageGpa));
            }
            System.arraycopy(data, off, p.raw, inPage, n);
            off += n;
            pos += n;
        }
    }

    /** QEMU's reset state for each vCPU: the BSP at the reset vector, the APs at the firmware's AP reset block. */
    private static void resetVcpus(Guest g, OvmfImage image, long sevFeatures) {
        long signature = CpuModels.signature(g.config.vcpuType());
        long apEip = image.sevEsResetEip().orElse(BSP_RESET_EIP);
        for (Vcpu v : g.vcpus) {
            v.saveArea = Vmsa.qemuReset(v.index == 0 ? BSP_RESET_EIP : apEip, signature, sevFeatures);
            v.encrypted = false;
        }
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

    // ---- memory ----------------------------------------------------------------------------------------------

    private static void checkLength(int length) {
        if (length < 0 || length > MAX_ACCESS) {
            throw new IllegalArgumentException("length must be 0.." + MAX_ACCESS + " bytes, got " + length);
        }
    }

    private Guest runningGuest(String ref, String action) {
        Guest g = find(ref);
        if (g.state != GuestState.RUNNING) {
            throw new IllegalStateException("guest " + g.config.name() + " is " + g.state + "; it cannot " + action
                    + " until it runs" + (g.note.isEmpty() ? "" : " (" + g.note + ")"));
        }
        return g;
    }

    @Override
    public byte[] guestRead(String guestRef, long gpa, int length) {
        checkLength(length);
        Guest g = runningGuest(guestRef, "read its memory");
        synchronized (g) {
            g.memory.checkRange(gpa, length);
            Backend b = backend(g.config.teeType());
            byte[] out = new byte[length];
            forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
                byte[] plain = plaintext(g, b, pageGpa);
                System.arraycopy(plain, inPage, out, off, n);
            });
            return out;
        }
    }

    @Override
    public void guestWrite(String guestRef, long gpa, byte[] data) {
        checkLength(data.length);
        Guest g = runningGuest(guestRef, "write its memory");
        synchronized (g) {
            g.memory.checkRange(gpa, data.length);
            Backend b = backend(g.config.teeType());
            forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
                byte[] plain = plaintext(g, b, pageGpa);
                System.arraycopy(data, off, plain, inPage, n);
                GuestPages.Page p = g.memory.page(pageGpa);
                if (p.priv || !p.shared) {
                    if (!p.priv) {
                        b.memory().assignPage(g.slot, pageGpa, p.hpa);
                    }
                    p.raw = b.memory().guestEncrypt(g.slot, pageGpa, p.hpa, plain);
                    p.priv = true;
                } else {
                    p.raw = plain;
                }
            });
        }
    }

    @Override
    public void setPageShared(String guestRef, long gpa, boolean shared) {
        Guest g = runningGuest(guestRef, "convert its pages");
        synchronized (g) {
            g.memory.checkPageAligned(gpa);
            GuestPages.Page p = g.memory.page(gpa);
            p.priv = !shared;
            p.shared = shared;
        }
    }

    @Override
    public int acceptPage(String guestRef, long gpa, boolean accept) {
        Guest g = runningGuest(guestRef, "validate pages");
        synchronized (g) {
            g.memory.checkPageAligned(gpa);
            Backend b = backend(g.config.teeType());
            GuestPages.Page p = g.memory.page(gpa);
            if (!p.priv) {
                b.memory().assignPage(g.slot, gpa, p.hpa);
                p.priv = true;
                p.shared = false;
            }
            return b.memory().acceptPage(g.slot, gpa, p.hpa, accept);
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

    private byte[] plaintext(Guest g, Backend b, long pageGpa) {
        GuestPages.Page p = g.memory.peek(pageGpa);
        if (p == null) {
            if (!b.tee().descriptor().capabilities().contains(Capability.MEMORY_INTEGRITY)) {
                return new byte[GuestPages.PAGE_SIZE];
            }
            // On TEEs that track page ownership (SNP RMP, TDX Secure EPT) the guest's private access to a page it
            // was never given is the backend's to answer: #VC, #VE.
            p = g.memory.page(pageGpa);
            return b.memory().guestDecrypt(g.slot, pageGpa, p.hpa, p.raw);
        }
        if (!p.priv) {
            return p.raw.clone();
        }
        try {
            return b.memory().guestDecrypt(g.slot, pageGpa, p.hpa, p.raw);
        } catch (TeeException e) {
            if (b.memory().hostAccess(HostAccess.WRITE).effect() == HostAccessOutcome.Effect.GUEST_TERMINATED) {
                g.state = GuestState.TERMINATED;
                g.note = String.format("terminated by the TEE on reading page 0x%X: %s", pageGpa, e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public byte[] hostRead(String guestRef, long gpa, int length) {
        checkLength(length);
        Guest g = find(guestRef);
        synchronized (g) {
            g.memory.checkRange(gpa, length);
            byte[] out = new byte[length];
            forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
                GuestPages.Page p = g.memory.peek(pageGpa);
                if (p != null) {
                    System.arraycopy(p.raw, inPage, out, off, n);
                }
            });
            return out;
        }
    }

    @Override
    public HostAccessOutcome hostWrite(String guestRef, long gpa, byte[] data) {
        checkLength(data.length);
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
            forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
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

    private static boolean touchesPrivate(Guest g, long gpa, int length) {
        boolean[] any = new boolean[1];
        forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
            GuestPages.Page p = g.memory.peek(pageGpa);
            any[0] |= p != null && p.priv;
        });
        return any[0];
    }

    @FunctionalInterface
    private interface PageChunk {
        void accept(long pageGpa, int inPage, int offset, int length);
    }

    private static void forEachPage(long gpa, int length, PageChunk chunk) {
        long pos = gpa;
        int off = 0;
        while (off < length) {
            long pageGpa = GuestPages.pageOf(pos);
            int inPage = (int) (pos - pageGpa);
            int n = Math.min(GuestPages.PAGE_SIZE - inPage, length - off);
            chunk.accept(pageGpa, inPage, off, n);
            off += n;
            pos += n;
        }
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
            return new VcpuView(vcpu, v.encrypted, v.saveArea, Vmsa.registers(v.saveArea));
        }
    }

    // ---- intercepts and the GHCB ------------------------------------------------------------------------------

    private Vcpu vcpu(Guest g, int vcpu) {
        if (vcpu < 0 || vcpu >= g.vcpus.length) {
            throw new IllegalArgumentException("vCPU " + vcpu + " does not exist; guest " + g.config.name()
                    + " has vCPUs 0.." + (g.vcpus.length - 1));
        }
        return g.vcpus[vcpu];
    }

    @Override
    public ExitTrace execute(String guestRef, int vcpu, GuestInstruction instruction) {
        Objects.requireNonNull(instruction, "instruction");
        Intercepts.check(instruction);
        Guest g = runningGuest(guestRef, "execute instructions");
        synchronized (g) {
            Vcpu v = vcpu(g, vcpu);
            BackendDescriptor d = backend(g.config.teeType()).tee().descriptor();
            if (!v.encrypted) {
                return Intercepts.automatic(g, d, v, instruction);
            }
            if (g.ghcbGpa[vcpu] == 0) {
                long gpa = g.config.memoryBytes() - (long) (vcpu + 1) * GuestPages.PAGE_SIZE;
                ghcbMsr(guestRef, vcpu, 0x012 | gpa);
            }
            long gpa = g.ghcbGpa[vcpu];
            GuestPages.Page page = g.memory.page(gpa);
            page.raw = Intercepts.fill(instruction, gpa).page;
            return vmgexit(guestRef, vcpu);
        }
    }

    @Override
    public long ghcbMsr(String guestRef, int vcpu, long request) {
        Guest g = runningGuest(guestRef, "use the GHCB MSR protocol");
        synchronized (g) {
            Vcpu v = vcpu(g, vcpu);
            if (!v.encrypted) {
                throw new IllegalStateException("guest " + g.config.name() + " has a plaintext save area: its "
                        + "intercepts exit automatically and it has no GHCB");
            }
            BackendDescriptor d = backend(g.config.teeType()).tee().descriptor();
            int code = (int) (request & 0xFFF);
            long response;
            Map<String, Long> saw = new LinkedHashMap<>();
            saw.put("ghcb_msr", request);
            switch (code) {
                case 0x002 -> response = 0x001 | 2L << 48 | 1L << 32 | Intercepts.C_BIT << 24;
                case 0x004 -> {
                    long fn = request >>> 32;
                    int reg = (int) (request >>> 30) & 3;
                    response = 0x005 | (Intercepts.cpuid(g, d, fn)[reg] & 0xFFFF_FFFFL) << 32;
                }
                case 0x012 -> {
                    long gpa = request & ~0xFFFL;
                    if (gpa + GuestPages.PAGE_SIZE > g.config.memoryBytes()) {
                        response = 0x013 | 0xF_FFFF_FFFF_FFFFL << 12;
                    } else {
                        GuestPages.Page p = g.memory.page(gpa);
                        p.priv = false;
                        p.shared = true;
                        g.ghcbGpa[vcpu] = gpa;
                        response = 0x013 | gpa;
                    }
                }
                case 0x014 -> {
                    int op = (int) (request >>> 52) & 0xF;
                    long gpa = ((request >>> 12) & ((1L << 40) - 1)) << 12;
                    boolean inRam = gpa + GuestPages.PAGE_SIZE <= g.config.memoryBytes();
                    if (!inRam || (op != 1 && op != 2)) {
                        response = 0x015 | 1L << 32;
                    } else {
                        Backend b = backend(g.config.teeType());
                        GuestPages.Page p = g.memory.page(gpa);
                        if (op == 1) {
                            b.memory().assignPage(g.slot, gpa, p.hpa);
                            p.priv = true;
                            p.shared = false;
                        } else {
                            b.memory().releasePage(g.slot, gpa, p.hpa);
                            p.priv = false;
                            p.shared = true;
                        }
                        response = 0x015;
                    }
                }
                case 0x080 -> response = 0x081;
                case 0x100 -> {
                    g.state = GuestState.TERMINATED;
                    g.note = String.format("the guest requested termination (reason set %d, code 0x%X)",
                            (request >>> 12) & 0xF, (request >>> 16) & 0xFF);
                    response = 0;
                }
                default -> throw new IllegalArgumentException(String.format("GHCB MSR request 0x%X has the unknown "
                        + "GHCBInfo code 0x%03X; known: 0x002 SEV_INFO, 0x004 CPUID, 0x012 register GHCB, 0x014 "
                        + "page state change, 0x080 hypervisor features, 0x100 terminate", request, code));
            }
            Map<String, Long> result = new LinkedHashMap<>();
            result.put("ghcb_msr", response);
            Intercepts.record(g, vcpu, null, Intercepts.MSR_PROTOCOL, 0, saw, result);
            return response;
        }
    }

    @Override
    public ExitTrace vmgexit(String guestRef, int vcpu) {
        Guest g = runningGuest(guestRef, "execute VMGEXIT");
        synchronized (g) {
            Vcpu v = vcpu(g, vcpu);
            if (!v.encrypted || g.ghcbGpa[vcpu] == 0) {
                throw new IllegalStateException("vCPU " + vcpu + " of guest " + g.config.name() + " has no GHCB "
                        + "registered (GHCB MSR request 0x012 first)");
            }
            long gpa = g.ghcbGpa[vcpu];
            GuestPages.Page page = g.memory.page(gpa);
            if (!page.shared) {
                throw new IllegalStateException(String.format("the GHCB page 0x%X is private again; the host "
                        + "cannot read it", gpa));
            }
            Ghcb h = new Ghcb(page.raw.clone());
            ExitTrace t = Intercepts.handle(g, backend(g.config.teeType()).tee().descriptor(), vcpu, h, gpa);
            page.raw = h.page;
            return t;
        }
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

    @Override
    public Evidence attest(String guestRef, byte[] reportData) {
        Guest g = runningGuest(guestRef, "request evidence");
        synchronized (g) {
            Backend b = backend(g.config.teeType());
            AttestationService a = b.attestation();
            if (a == null) {
                throw new IllegalStateException("backend " + b.type() + " offers no attestation service");
            }
            return a.attest(g.handle, g.firmwareView, reportData);
        }
    }

    /** For tests: host pages in use. */
    long hostPagesInUse() {
        return host.pagesInUse();
    }
}
