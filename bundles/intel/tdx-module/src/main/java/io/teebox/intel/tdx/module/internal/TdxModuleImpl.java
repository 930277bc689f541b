package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.PageType;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.platform.PlatformState;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.intel.tdx.module.TdxModule;
import io.teebox.intel.tdx.module.TdxPlatformInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The emulated TDX module (SEAM): the SEAMCALLs a VMM uses to build, run and tear down TDs, the TDCALLs a TD makes,
 * and the memory controller's TME-MK engine with per-line MACs for the TDs' private HKIDs. Every SEAMCALL and TDCALL
 * is appended to the TD's log with the completion status it returned. The platform's identity (its seed kept in the
 * machine's state directory) lives here, where the CPU keeps its fuses. TD contexts outlive a restart or update of
 * this bundle: they are handed to the next revision through {@link BundleStore}. Thread-safe.
 *
 * <p>A facade over the parts that do the work: {@link TdTable} and {@link HkidAllocator} (the TDs and their
 * HKIDs), {@link TdBuilder} (TDH.MNG.CREATE .. TDH.VP.ENTER, MRTD), {@link TdLifecycle} (status, teardown,
 * reclaim), {@link SecureEpt}, {@link MemoryController} (TME-MK keys and MACs), {@link TdCalls} (TDCALLs and the
 * TD's memory accesses) and {@link ReportMac} (TDREPORT and EVERIFYREPORT2).
 */
@org.osgi.annotation.bundle.Header(name = ModuleImage.HEADER, value = ModuleImage.BUILT_IN)
@Component(service = TdxModule.class, immediate = true, configurationPid = "io.teebox.intel.tdx")
@Designate(ocd = TdxConfig.class)
public final class TdxModuleImpl implements TdxModule {

    private static final Logger LOG = Logger.getLogger(TdxModuleImpl.class.getName());

    private final TdxPlatform platform;
    private final ModuleStore store;
    private final TdTable tds;
    private final TdBuilder builder;
    private final TdLifecycle lifecycle;
    private final SecureEpt ept;
    private final MemoryController memory;
    private final ReportMac reports;
    private final TdCalls calls;

    /**
     * @param context the bundle context (persistent storage for the module's state)
     * @param config the platform configuration
     * @param state the machine's state: the platform seed is made there on first start and kept, unless configured
     */
    @Activate
    public TdxModuleImpl(BundleContext context, TdxConfig config, @Reference PlatformState state) {
        this(loaded(TdxConfigs.platform(config, state, ModuleImage.of(context.getBundle().getHeaders())),
                context), new BundleStore(context));
    }

    private static TdxPlatform loaded(TdxPlatform p, BundleContext context) {
        LOG.info("TDX module " + p.moduleVersion() + " (TEE_TCB_SVN " + io.teebox.kit.hex.Hex.encode(p.teeTcbSvn())
                + ") loaded from " + context.getBundle().getSymbolicName() + " " + context.getBundle().getVersion());
        return p;
    }

    /**
     * @param platform the platform
     * @param store where the previous revision left its TDs, and where this one leaves them
     */
    TdxModuleImpl(TdxPlatform platform, ModuleStore store) {
        this.platform = platform;
        this.store = store;
        this.tds = new TdTable(new HkidAllocator(platform.firstHkid(), platform.lastHkid()));
        this.builder = new TdBuilder(tds);
        this.lifecycle = new TdLifecycle(tds);
        this.ept = new SecureEpt(tds);
        this.memory = new MemoryController(tds);
        this.reports = new ReportMac(platform, tds);
        this.calls = new TdCalls(tds, ept, reports);
        takeOver(store.take());
    }

    /** Adopts the TDs the previous revision handed over, with the memory views the hypervisor bound them to. */
    private void takeOver(ModuleStore.Handoff h) {
        if (h == null) {
            return;
        }
        ModuleSnapshot.Restored restored = ModuleSnapshot.read(h.snapshot(), h.logs());
        List<TdContext> restoredTds = restored.tds();
        tds.continueHandlesFrom(restored.nextHandle());
        for (TdContext td : restoredTds) {
            if (td.hkid < platform.firstHkid() || td.hkid > platform.lastHkid()) {
                LOG.warning("TD " + td.handle + " holds HKID " + td.hkid + ", outside the configured range "
                        + platform.firstHkid() + ".." + platform.lastHkid() + "; kept until destroyed");
            }
            td.memory = h.memories().get(td.handle);
            tds.adopt(td);
        }
        if (!restoredTds.isEmpty()) {
            LOG.info("took over " + restoredTds.size() + " TDs from the previous revision of the TDX module");
        }
    }

    /** The bundle stops or is updated: hand the TDs to the next revision. */
    @Deactivate
    void handOver() {
        Map<Long, GuestMemory> memories = new HashMap<>();
        List<TdContext> all = tds.all();
        for (TdContext td : all) {
            if (td.memory != null) {
                memories.put(td.handle, td.memory);
            }
        }
        Map<Long, List<LaunchLogEntry>> logs = new HashMap<>();
        byte[] snapshot = ModuleSnapshot.write(all, tds.nextHandle(), logs);
        store.put(new ModuleStore.Handoff(snapshot, memories, logs));
    }

    ModuleStore store() {
        return store;
    }

    TdxPlatform tdxPlatform() {
        return platform;
    }

    /** @return every TD the module holds */
    List<TdContext> all() {
        return tds.all();
    }

    @Override
    public TdxPlatformInfo platform() {
        return platform.info();
    }

    @Override
    public List<String> vcpuTypes() {
        return TdBuilder.VCPU_TYPES;
    }

    @Override
    public byte[] enclaveKey(String name) {
        return platform.enclaveKey(name);
    }

    @Override
    public int hkidsInUse() {
        return tds.hkids().inUse();
    }

    // ---- build ------------------------------------------------------------------------------------------------

    @Override
    public long create(LaunchRequest request, GuestMemory memory) {
        return builder.create(request, memory);
    }

    @Override
    public void addPages(long handle, long gpa, long length, PageType type) {
        builder.addPages(handle, gpa, length, type);
    }

    @Override
    public void vpInit(long handle, int vcpu) {
        builder.vpInit(handle, vcpu);
    }

    @Override
    public byte[] finalizeMr(long handle) {
        return builder.finalizeMr(handle);
    }

    @Override
    public void enter(long handle) {
        builder.enter(handle);
    }

    @Override
    public KeySlot keySlot(long handle) {
        return new KeySlot(Tdx.KEY_SLOT, tds.td(handle).hkid);
    }

    @Override
    public byte[] tdParams(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            if (td.params == null) {
                throw TdxStatus.TDX_OP_STATE_INCORRECT.error("TD " + handle + " has no TD_PARAMS before TDH.MNG.INIT");
            }
            return td.params.toBytes();
        }
    }

    @Override
    public void bindMemory(long handle, GuestMemory memory) {
        if (memory != null) {
            tds.td(handle).memory = memory;
        }
    }

    // ---- lifecycle --------------------------------------------------------------------------------------------

    @Override
    public GuestStatus status(long handle) {
        return lifecycle.status(handle);
    }

    @Override
    public void activate(long handle) {
        lifecycle.activate(handle);
    }

    @Override
    public void deactivate(long handle) {
        lifecycle.deactivate(handle);
    }

    @Override
    public void decommission(long handle) {
        lifecycle.decommission(handle);
    }

    // ---- the memory controller --------------------------------------------------------------------------------

    @Override
    public long handleOf(KeySlot slot) {
        return memory.handleOf(slot);
    }

    @Override
    public byte[] encrypt(KeySlot slot, long hpa, byte[] plaintext) {
        return memory.encrypt(slot, hpa, plaintext);
    }

    @Override
    public byte[] decrypt(KeySlot slot, long hpa, byte[] ciphertext) {
        return memory.decrypt(slot, hpa, ciphertext);
    }

    // ---- TDCALLs and the TD's memory --------------------------------------------------------------------------

    @Override
    public byte[][] rtmrs(long handle) {
        return calls.rtmrs(handle);
    }

    @Override
    public byte[] rtmrExtend(long handle, int index, byte[] data48, String description) {
        return calls.rtmrExtend(handle, index, data48, description);
    }

    @Override
    public byte[] tdReport(long handle, byte[] reportData) {
        return calls.tdReport(handle, reportData);
    }

    @Override
    public TdxStatus acceptPage(long handle, long gpa) {
        return calls.acceptPage(handle, gpa);
    }

    @Override
    public byte[] eventLog(long handle) {
        return calls.eventLog(handle);
    }

    @Override
    public byte[] read(long handle, long gpa, int length) {
        return calls.read(handle, gpa, length);
    }

    @Override
    public void write(long handle, long gpa, byte[] data) {
        calls.write(handle, gpa, data);
    }

    @Override
    public byte[] debugRead(long handle, long gpa, int length) {
        return calls.debugRead(handle, gpa, length);
    }

    @Override
    public void logCall(long handle, String command, TdxStatus status, String detail) {
        tds.td(handle).log(command, status, detail);
    }

    @Override
    public List<LaunchLogEntry> calls(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            return List.copyOf(td.log);
        }
    }

    // ---- host Secure-EPT SEAMCALLs ----------------------------------------------------------------------------

    @Override
    public void augPage(long handle, long gpa) {
        ept.augPage(handle, gpa);
    }

    @Override
    public void blockRange(long handle, long gpa) {
        ept.blockRange(handle, gpa);
    }

    @Override
    public void track(long handle) {
        ept.track(handle);
    }

    @Override
    public void removePage(long handle, long gpa) {
        ept.removePage(handle, gpa);
    }

    @Override
    public String pageState(long handle, long gpa) {
        return ept.pageState(handle, gpa);
    }

    // ---- the quoting enclave's view ---------------------------------------------------------------------------

    @Override
    public Optional<String> verifyReport(byte[] tdReport) {
        return reports.verifyReport(tdReport);
    }

    /** @return a fresh TDREPORT of a TD for the quoting enclave tests (no TDCALL logged) */
    byte[] reportFor(long handle, byte[] reportData) {
        return reports.reportFor(handle, reportData);
    }
}
