package io.teebox.hypervisor.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import io.teebox.api.hypervisor.GuestPage;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.hypervisor.VcpuView;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.launch.Measurement;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeType;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImageLoader;

/**
 * The hypervisor: owns guests and binds every TEE backend present, dynamically. A backend that goes away pauses its
 * guests with their encrypted state kept; when a backend of the same type returns they resume. It knows no vendor:
 * each backend supplies its image loader, exit protocol and guest services, and the guest acts only through its
 * {@link GuestContext}.
 *
 * <p>This component binds the services and configuration; the work is done by small parts with one job each:
 * {@link BackendRegistry} (the backends present, slots of guests destroyed while theirs was away),
 * {@link Guests} (the guests and their lifecycle), {@link Devices} (device assignment and DMA),
 * {@link LaunchDriver} (a launch), {@link HostView} (the host's
 * reads, writes and remaps), {@link GuestContextImpl} and {@link GuestSide} (the guest's side).
 */
@Component(service = {Hypervisor.class, DeviceAssignment.class}, immediate = true, configurationPid = "io.teebox.hypervisor")
@Designate(ocd = HypervisorConfig.class)
public final class HypervisorImpl implements Hypervisor, DeviceAssignment {

    private static final Logger LOG = Logger.getLogger(HypervisorImpl.class.getName());
    /** Largest single memory access through the hypervisor API. */
    static final int MAX_ACCESS = GuestSide.MAX_ACCESS;

    private final HostMemory host;
    private final Guests guests;
    private final BackendRegistry backends;
    private final LaunchDriver launches;
    private final HostView hostView;
    private final Devices devices;

    /**
     * @param config the configuration
     */
    @Activate
    public HypervisorImpl(HypervisorConfig config) {
        check(config);
        this.host = new HostMemory((long) config.hostMemoryMiB() << 20);
        this.guests = new Guests(host, config.maxGuests());
        this.backends = guests.backends();
        this.launches = new LaunchDriver(guests);
        this.hostView = new HostView(guests);
        this.devices = new Devices(guests);
    }

    /**
     * @param config the new configuration
     * @throws IllegalArgumentException if it is out of range or shrinks the host memory; nothing of it applies then
     */
    @Modified
    void modified(HypervisorConfig config) {
        check(config);
        long pages = ((long) config.hostMemoryMiB() << 20) / GuestPages.PAGE_SIZE;
        if (pages < host.capacityPages()) {
            // refused as a whole, before anything changes: the configuration guard reports it and puts the
            // previous configuration back
            throw new IllegalArgumentException("io.teebox.hypervisor: hostMemoryMiB cannot shrink at runtime (guests "
                    + "hold their pages): " + config.hostMemoryMiB() + " is below the "
                    + (host.capacityPages() * GuestPages.PAGE_SIZE >> 20) + " MiB in force");
        }
        if (pages > host.capacityPages()) {
            host.setCapacityPages(pages);
        }
        guests.setMaxGuests(config.maxGuests());
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

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindDeviceTee(DeviceTee service, Map<String, Object> props) {
        devices.bound(type(props), service);
    }

    public void unbindDeviceTee(DeviceTee service, Map<String, Object> props) {
        devices.unbound(type(props), service);
    }

    private static String type(Map<String, Object> props) {
        Object t = props.get(TeeType.PROPERTY);
        return t == null ? "" : t.toString();
    }

    void bound(Class<?> kind, Object service, Map<String, Object> props) {
        backends.bound(kind, service, props);
    }

    void unbound(Class<?> kind, Object service, Map<String, Object> props) {
        backends.unbound(kind, service, props);
    }

    Backend backend(String type) {
        return backends.require(type);
    }

    // ---- Hypervisor ------------------------------------------------------------------------------------------

    @Override
    public List<BackendDescriptor> backends() {
        return backends.descriptors();
    }

    @Override
    public GuestInfo create(GuestConfig config) {
        return guests.create(config);
    }

    @Override
    public List<GuestInfo> guests() {
        return guests.snapshot().stream().map(Guest::info).toList();
    }

    @Override
    public GuestInfo guest(String guest) {
        return guests.find(guest).info();
    }

    @Override
    public LaunchResult launch(String guest, LaunchPlan plan, LaunchOwner owner) {
        return launches.launch(guest, plan, owner);
    }

    @Override
    public GuestStatus firmwareStatus(String guest) {
        return guests.firmwareStatus(guest);
    }

    @Override
    public void pause(String guest) {
        guests.pause(guest);
    }

    @Override
    public void resume(String guest) {
        guests.resume(guest);
    }

    @Override
    public void destroy(String guest) {
        Guest g = guests.find(guest);
        guests.destroy(guest);
        devices.released(g);
    }

    // ---- DeviceAssignment ------------------------------------------------------------------------------------

    @Override
    public List<DeviceInfo> devices() {
        return devices.devices();
    }

    @Override
    public void attach(String guest, String device) {
        devices.attach(guest, device);
    }

    @Override
    public void detach(String guest, String device) {
        devices.detach(guest, device);
    }

    @Override
    public List<Assignment> assignments() {
        return devices.assignments();
    }

    @Override
    public GuestDevice device(String guest, String device) {
        return devices.device(guest, device);
    }

    @Override
    public GuestContext context(String guest) {
        return new GuestContextImpl(guests.find(guest), this);
    }

    @Override
    public <T> Optional<T> hostExtension(String guest, Class<T> type) {
        return hostView.hostExtension(guest, type);
    }

    @Override
    public HostAccessOutcome hostRemap(String guest, long firstGpa, long secondGpa) {
        return hostView.remap(guest, firstGpa, secondGpa);
    }

    @Override
    public byte[] hostRead(String guest, long guestPhysicalAddress, int length) {
        return hostView.read(guest, guestPhysicalAddress, length);
    }

    @Override
    public HostAccessOutcome hostWrite(String guest, long guestPhysicalAddress, byte[] data) {
        return hostView.write(guest, guestPhysicalAddress, data);
    }

    @Override
    public List<GuestPage> pages(String guest) {
        return hostView.pages(guest);
    }

    @Override
    public VcpuView hostVcpu(String guest, int vcpu) {
        return hostView.vcpu(guest, vcpu);
    }

    @Override
    public List<ExitTrace> exits(String guest) {
        return hostView.exits(guest);
    }

    @Override
    public List<LaunchLogEntry> launchLog(String guest) {
        Guest g = guests.find(guest);
        synchronized (g) {
            return g.log;
        }
    }

    @Override
    public Optional<Measurement> measurement(String guest) {
        Guest g = guests.find(guest);
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
            if (s instanceof DeviceTee d) {
                devices.bound(type, d);
            }
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
            if (services[i] instanceof DeviceTee d) {
                devices.unbound(type, d);
            }
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
