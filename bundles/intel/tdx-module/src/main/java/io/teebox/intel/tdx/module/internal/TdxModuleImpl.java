package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.PageType;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.VirtualizationException;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.IntelIdentities;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.intel.tdx.abi.TdParams;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.Hmac;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import io.teebox.api.platform.PlatformState;
import io.teebox.intel.tdx.module.TdxModule;
import io.teebox.intel.tdx.module.TdxPlatformInfo;
import java.util.HashMap;
import java.util.Optional;
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
 */
@Component(service = TdxModule.class, immediate = true, configurationPid = "io.teebox.intel.tdx")
@Designate(ocd = TdxConfig.class)
public final class TdxModuleImpl implements TdxModule {

    private static final Logger LOG = Logger.getLogger(TdxModuleImpl.class.getName());

    static final int PAGE = 4096;
    static final int MAX_ACCESS = 1 << 20;
    /** TEE_TCB_INFO.VALID: VALID, TEE_TCB_SVN, MRSEAM and TEE_TCB_SVN2 are valid (bit i = field at 8*i). */
    static final long TEE_TCB_INFO_VALID = 0x301FFL;
    /** TDVPS page "addresses" the vCPU save areas are encrypted at (they live in TDX-module-owned memory). */
    static final long TDVPS_BASE = 0x7FFF_0000_0000L;

    private final TdxPlatform platform;
    private final byte[] reportKey;
    private final ModuleStore store;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, TdContext> tds = new ConcurrentHashMap<>();
    private final Map<Integer, TdContext> byHkid = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final BitSet hkidsInUse = new BitSet();

    /**
     * @param context the bundle context (persistent storage for the module's state)
     * @param config the platform configuration
     * @param state the machine's state: the platform seed is made there on first start and kept, unless configured
     */
    @Activate
    public TdxModuleImpl(BundleContext context, TdxConfig config, @Reference PlatformState state) {
        this(TdxConfigs.platform(config, state), new BundleStore(context));
    }

    /**
     * @param platform the platform
     * @param store where the previous revision left its TDs, and where this one leaves them
     */
    TdxModuleImpl(TdxPlatform platform, ModuleStore store) {
        this.platform = platform;
        this.reportKey = platform.reportKey();
        this.store = store;
        ModuleStore.Handoff h = store.take();
        if (h != null) {
            ModuleSnapshot.Restored restored = ModuleSnapshot.read(h.snapshot());
            List<TdContext> restoredTds = restored.tds();
            continueHandlesFrom(restored.nextHandle());
            for (TdContext td : restoredTds) {
                if (td.hkid < platform.firstHkid() || td.hkid > platform.lastHkid()) {
                    LOG.warning("TD " + td.handle + " holds HKID " + td.hkid + ", outside the configured range "
                            + platform.firstHkid() + ".." + platform.lastHkid() + "; kept until destroyed");
                }
                td.memory = h.memories().get(td.handle);
                adopt(td);
            }
            if (!restoredTds.isEmpty()) {
                LOG.info("took over " + restoredTds.size() + " TDs from the previous revision of the TDX module");
            }
        }
    }

    /** The bundle stops or is updated: hand the TDs to the next revision. */
    @Deactivate
    void handOver() {
        Map<Long, GuestMemory> memories = new HashMap<>();
        List<TdContext> all = all();
        for (TdContext td : all) {
            if (td.memory != null) {
                memories.put(td.handle, td.memory);
            }
        }
        store.put(new ModuleStore.Handoff(ModuleSnapshot.write(all, nextHandle()), memories));
    }

    ModuleStore store() {
        return store;
    }

    @Override
    public TdxPlatformInfo platform() {
        return platform.info();
    }

    TdxPlatform tdxPlatform() {
        return platform;
    }

    @Override
    public List<String> vcpuTypes() {
        return VCPU_TYPES;
    }

    @Override
    public byte[] enclaveKey(String name) {
        return platform.enclaveKey(name);
    }

    // ---- key slots ---------------------------------------------------------------------------------------------

    @Override
    public synchronized int hkidsInUse() {
        return hkidsInUse.cardinality();
    }

    private synchronized int allocateHkid() {
        for (int h = platform.firstHkid(); h <= platform.lastHkid(); h++) {
            if (!hkidsInUse.get(h)) {
                hkidsInUse.set(h);
                return h;
            }
        }
        int n = platform.lastHkid() - platform.firstHkid() + 1;
        throw new TeeException(new FirmwareStatus("tdx-host", "ENOSPC", 28), String.format("no free private HKID: "
                + "all %d of %d..%d are in use, so the host cannot pick one for TDH.MNG.CREATE (destroy a TD or "
                + "configure more private KeyIDs)", n, platform.firstHkid(), platform.lastHkid()));
    }

    private synchronized void freeHkid(int hkid) {
        hkidsInUse.clear(hkid);
    }

    synchronized void reserveHkid(int hkid) {
        hkidsInUse.set(hkid);
    }

    // ---- build: TDH.MNG.CREATE .. TDH.MR.FINALIZE -------------------------------------------------------------

    /**
     * TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG, TDH.MNG.ADDCX, TDH.MNG.INIT and TDH.VP.CREATE per vCPU. On a refusal the
     * context is torn down again (TDH.MNG.KEY.FREEID) and the exception thrown.
     */
    @Override
    public long create(LaunchRequest request, GuestMemory memory) {
        return build(request, memory).handle;
    }

    TdContext build(LaunchRequest request, GuestMemory memory) {
        checkVcpuType(request.vcpuType());
        TdParams params = tdParams(request);
        int hkid = allocateHkid();
        TdContext td = new TdContext(nextHandle.getAndIncrement(), hkid);
        td.memory = memory;
        td.vcpus = request.vcpuCount();
        td.vcpuInitialized = new boolean[td.vcpus];
        synchronized (td) {
            td.log("TDH.MNG.CREATE", TdxStatus.TDX_SUCCESS, String.format("TDR handle=%d HKID=%d", td.handle, hkid));
            tds.put(td.handle, td);
            byHkid.put(hkid, td);
            try {
                td.keys = MemoryKeys.random(random);
                td.lifecycle = TdContext.Lifecycle.KEYS_CONFIGURED;
                td.log("TDH.MNG.KEY.CONFIG", TdxStatus.TDX_SUCCESS, String.format("HKID %d: fresh AES-XTS-128 key "
                        + "and MAC integrity key programmed into the memory controller of package 0", hkid));
                td.log("TDH.MNG.ADDCX", TdxStatus.TDX_SUCCESS, "TDCS pages added");
                mngInit(td, params, request.policy());
                for (int i = 0; i < td.vcpus; i++) {
                    if (i >= params.maxVcpus()) {
                        throw refuse(td, "TDH.VP.CREATE", TdxStatus.TDX_MAX_VCPUS_EXCEEDED, String.format(
                                "vCPU %d exceeds TD_PARAMS.MAX_VCPUS %d", i, params.maxVcpus()));
                    }
                    td.log("TDH.VP.CREATE", TdxStatus.TDX_SUCCESS, "vcpu=" + i + " TDVPR created");
                    td.log("TDH.VP.ADDCX", TdxStatus.TDX_SUCCESS, "vcpu=" + i + " TDVPS pages added");
                }
                return td;
            } catch (RuntimeException e) {
                tds.remove(td.handle);
                byHkid.remove(hkid);
                freeHkid(hkid);
                td.log("TDH.MNG.KEY.FREEID", TdxStatus.TDX_SUCCESS, "HKID " + hkid + " freed after the refused build");
                throw e;
            }
        }
    }

    /**
     * The vCPU models a TD can present: QEMU's Intel models of TDX-capable CPUs (and their short names), or the host
     * CPU. The model is not measured (CPUID is virtualized through TD_PARAMS.CPUID_CONFIG), but an AMD model on the
     * TDX module is a configuration error.
     */
    static final List<String> VCPU_TYPES = List.of("host", "SPR", "SapphireRapids", "EMR", "EmeraldRapids", "GNR",
            "GraniteRapids");

    static void checkVcpuType(String vcpuType) {
        String base = vcpuType == null ? "" : vcpuType.replaceFirst("-v[0-9]+$", "");
        if (VCPU_TYPES.stream().noneMatch(t -> t.equalsIgnoreCase(base))) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("TDH.MNG.INIT: vCPU type '" + vcpuType + "' is not an Intel "
                    + "TDX-capable CPU model; a TD runs on the host's Intel CPU: one of " + VCPU_TYPES
                    + " (QEMU's -vN versions too)");
        }
    }

    private static TdParams tdParams(LaunchRequest request) {
        byte[] raw = request.ownerParameter(Tdx.OWNER_TD_PARAMS);
        if (raw == null) {
            return TdParams.defaults(request.policy(), Math.max(request.vcpuCount(), 1));
        }
        try {
            return TdParams.parse(raw);
        } catch (MalformedStructureException e) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("TDH.MNG.INIT: TD_PARAMS is malformed: " + e.getMessage());
        }
    }

    private void mngInit(TdContext td, TdParams p, long policy) {
        String cmd = "TDH.MNG.INIT";
        if (p.attributes() != policy) {
            throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("TD_PARAMS.ATTRIBUTES 0x%X differs from "
                    + "the launch policy 0x%X", p.attributes(), policy));
        }
        if ((p.attributes() & ~TdAttributes.SUPPORTED) != 0) {
            throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("ATTRIBUTES 0x%016X sets bits 0x%X "
                    + "that this module does not support", p.attributes(), p.attributes() & ~TdAttributes.SUPPORTED));
        }
        if ((p.xfam() & 0x3) != 0x3) {
            throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("XFAM 0x%X lacks x87 and SSE (bits 0 "
                    + "and 1 must be set)", p.xfam()));
        }
        if (p.maxVcpus() < 1) {
            throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, "MAX_VCPUS is 0, expected at least 1");
        }
        long eptp = p.eptpControls();
        long walk = (eptp >> 3) & 0x7;
        if ((eptp & 0x7) != 6 || (walk != 3 && walk != 4) || (eptp & ~0x3FL) != 0) {
            throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("EPTP_CONTROLS 0x%X is not write-back "
                    + "(6) with a 4- or 5-level walk (0x1E or 0x26)", eptp));
        }
        if ((p.configFlags() & ~(TdParams.CONFIG_MAX_GPAW | TdParams.CONFIG_NO_RBP_MOD)) != 0) {
            throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("CONFIG_FLAGS 0x%X sets reserved bits",
                    p.configFlags()));
        }
        if (p.tscFrequency() < 4 || p.tscFrequency() > 400) {
            throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, "TSC_FREQUENCY " + p.tscFrequency()
                    + " (x 25 MHz) is outside 4..400 (100 MHz..10 GHz)");
        }
        td.params = p;
        td.building = new TdMeasurement();
        td.op = TdContext.OpState.INITIALIZED;
        td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("ATTRIBUTES=0x%X (%s) XFAM=0x%X MAX_VCPUS=%d GPAW=%d",
                p.attributes(), TdAttributes.describe(p.attributes()), p.xfam(), p.maxVcpus(),
                p.sharedBit() == 51 ? 52 : 48));
    }

    private static TeeException refuse(TdContext td, String command, TdxStatus status, String reason) {
        td.log(command, status, reason);
        return status.error(command + ": " + reason);
    }

    /** TDH.MEM.PAGE.ADD per page, and TDH.MR.EXTEND of its 16 chunks for NORMAL pages. */
    @Override
    public void addPages(long handle, long gpa, long length, PageType type) {
        TdContext td = td(handle);
        synchronized (td) {
            String cmd = "TDH.MEM.PAGE.ADD";
            switch (type) {
                case NORMAL, UNMEASURED -> {
                }
                default -> throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, "TDX has no " + type + " pages: "
                        + "TDH.MEM.PAGE.ADD copies a host page into the TD, measured (MR.EXTEND) or not; there is no "
                        + "zero, secrets or CPUID page type");
            }
            if ((gpa & (PAGE - 1)) != 0 || gpa < 0 || length < 0) {
                throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X is not 4 KiB aligned", gpa));
            }
            if (td.op != TdContext.OpState.INITIALIZED) {
                throw refuse(td, cmd, TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.op
                        + "; pages can be added only between TDH.MNG.INIT and TDH.MR.FINALIZE");
            }
            long pages = (length + PAGE - 1) / PAGE;
            for (long i = 0; i < pages; i++) {
                long p = gpa + i * PAGE;
                if (isShared(td, p)) {
                    throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X has the shared bit %d "
                            + "set; only private pages are added", p, td.params.sharedBit()));
                }
                if (td.sept.containsKey(p)) {
                    throw refuse(td, cmd, TdxStatus.TDX_EPT_ENTRY_NOT_FREE, String.format("GPA 0x%X is mapped already",
                            p));
                }
                byte[] plain = td.memory.readPage(p);
                long hpa = td.memory.hostPhysicalAddress(p);
                byte[] ct = td.keys.encrypt(hpa, plain);
                td.macs.put(hpa, td.keys.macs(hpa, ct));
                td.memory.writePage(p, ct);
                td.map(p, hpa, TdContext.PageState.MAPPED);
                td.building.pageAdd(p);
                td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X hpa=0x%X%s", p, hpa,
                        type == PageType.UNMEASURED ? " (GPA measured, content not)" : ""));
                if (type == PageType.NORMAL) {
                    for (int c = 0; c < PAGE; c += TdMeasurement.EXTEND_CHUNK) {
                        byte[] chunk = new byte[TdMeasurement.EXTEND_CHUNK];
                        System.arraycopy(plain, c, chunk, 0, chunk.length);
                        td.building.extend(p + c, chunk);
                        td.log("TDH.MR.EXTEND", TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X", p + c));
                    }
                }
            }
        }
    }

    /** TDH.VP.INIT: the vCPU's TDVPS gets its initial state, encrypted with the TD's key. */
    @Override
    public void vpInit(long handle, int vcpu) {
        TdContext td = td(handle);
        synchronized (td) {
            String cmd = "TDH.VP.INIT";
            if (vcpu < 0 || vcpu >= td.vcpus) {
                throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, "vCPU " + vcpu + " was not created (the TD has "
                        + td.vcpus + ")");
            }
            if (td.op != TdContext.OpState.INITIALIZED) {
                throw refuse(td, cmd, TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.op);
            }
            if (td.vcpuInitialized[vcpu]) {
                throw refuse(td, cmd, TdxStatus.TDX_VCPU_STATE_INCORRECT, "vCPU " + vcpu + " is initialized already");
            }
            byte[] vps = new byte[PAGE];
            LittleEndian.put64(vps, 0x00, 0xFFFF_FFF0L); // RIP: the reset vector
            LittleEndian.put64(vps, 0x08, 0x2L); // RFLAGS
            LittleEndian.put64(vps, 0x10, 0x21L); // CR0: PE | NE
            LittleEndian.put64(vps, 0x18, 0x40L); // CR4: MCE
            LittleEndian.put64(vps, 0x20, vcpu); // RCX/R8: the vCPU index the TDVF reads
            byte[] ct = td.keys.encrypt(TDVPS_BASE + (long) vcpu * PAGE, vps);
            td.memory.writeSaveArea(vcpu, ct, true);
            td.vcpuInitialized[vcpu] = true;
            td.log(cmd, TdxStatus.TDX_SUCCESS, "vcpu=" + vcpu + " initial RIP 0xFFFFFFF0 in the TDVPS, encrypted with "
                    + "HKID " + td.hkid);
        }
    }

    /** TDH.MR.FINALIZE: MRTD is fixed and the TD becomes runnable. */
    @Override
    public byte[] finalizeMr(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            if (td.op != TdContext.OpState.INITIALIZED) {
                throw refuse(td, "TDH.MR.FINALIZE", TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.op
                        + "; MRTD can be finalized once, after TDH.MNG.INIT");
            }
            td.mrtd = td.building.finish();
            td.log("TDH.MR.FINALIZE", TdxStatus.TDX_SUCCESS, String.format("MRTD=%s (%d pages added, %d chunks "
                    + "extended)", Hex.encode(td.mrtd), td.building.pagesAdded(), td.building.chunksExtended()));
            td.building = null;
            td.op = TdContext.OpState.RUNNABLE;
            return td.mrtd.clone();
        }
    }

    /** TDH.VP.ENTER of vCPU 0: the TD runs. */
    @Override
    public void enter(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            if (td.op != TdContext.OpState.RUNNABLE) {
                throw refuse(td, "TDH.VP.ENTER", TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.op
                        + "; it runs after TDH.MR.FINALIZE");
            }
            for (int i = 0; i < td.vcpus; i++) {
                if (!td.vcpuInitialized[i]) {
                    throw refuse(td, "TDH.VP.ENTER", TdxStatus.TDX_VCPU_STATE_INCORRECT, "vCPU " + i
                            + " has not been initialized (TDH.VP.INIT)");
                }
            }
            td.launched = true;
            td.log("TDH.VP.ENTER", TdxStatus.TDX_SUCCESS, "vcpu=0: the TD runs from 0xFFFFFFF0");
        }
    }

    // ---- lookup and lifecycle ---------------------------------------------------------------------------------

    TdContext td(long handle) {
        TdContext td = tds.get(handle);
        if (td == null) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("no TD with handle " + handle + " (TDR not found); TDs: "
                    + tds.keySet());
        }
        return td;
    }

    List<TdContext> all() {
        return new ArrayList<>(tds.values());
    }

    @Override
    public GuestStatus status(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("lifecycle", td.lifecycle.name());
            d.put("op state", td.op.name());
            if (td.fatal != null) {
                d.put("fatal", td.fatal);
            }
            if (td.params != null) {
                d.put("attributes", TdAttributes.describe(td.params.attributes()));
                d.put("xfam", String.format("0x%X", td.params.xfam()));
            }
            d.put("MRTD", td.mrtd == null ? "(not finalized)" : Hex.encode(td.mrtd));
            for (int i = 0; i < 4; i++) {
                d.put("RTMR" + i, Hex.encode(td.rtmr[i]));
            }
            d.put("vcpus", Integer.toString(td.vcpus));
            d.put("private pages", Long.toString(td.sept.values().stream()
                    .filter(p -> p.state == TdContext.PageState.MAPPED).count()));
            d.put("pending pages", Long.toString(td.sept.values().stream()
                    .filter(p -> p.state == TdContext.PageState.PENDING).count()));
            d.put("events", Integer.toString(td.events.size()));
            KeySlot slot = td.lifecycle == TdContext.Lifecycle.BLOCKED ? null : new KeySlot(Tdx.KEY_SLOT, td.hkid);
            return new GuestStatus(td.handle, td.stateName(), slot, td.params == null ? 0 : td.params.attributes(), d);
        }
    }

    /** The TD's key is programmed already; a torn-down TD cannot be brought back. */
    @Override
    public void activate(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            if (td.lifecycle == TdContext.Lifecycle.BLOCKED) {
                throw refuse(td, "TDH.MNG.KEY.CONFIG", TdxStatus.TDX_LIFECYCLE_STATE_INCORRECT, "the TD is torn "
                        + "down (VPFLUSHDONE); its key cannot be configured again");
            }
            td.log("TDH.MNG.KEY.CONFIG", TdxStatus.TDX_KEY_CONFIGURED, "HKID " + td.hkid + " is configured already");
        }
    }

    /** TDH.VP.FLUSH, TDH.MNG.VPFLUSHDONE and TDH.PHYMEM.CACHE.WB: the TD stops for good. */
    @Override
    public void deactivate(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            if (td.lifecycle == TdContext.Lifecycle.BLOCKED) {
                return;
            }
            for (int i = 0; i < td.vcpus; i++) {
                td.log("TDH.VP.FLUSH", TdxStatus.TDX_SUCCESS, "vcpu=" + i);
            }
            td.log("TDH.MNG.VPFLUSHDONE", TdxStatus.TDX_SUCCESS, "no vCPU is associated any more");
            td.log("TDH.PHYMEM.CACHE.WB", TdxStatus.TDX_SUCCESS, "cache lines of HKID " + td.hkid + " written back");
            td.lifecycle = TdContext.Lifecycle.BLOCKED;
        }
    }

    /** TDH.MNG.KEY.FREEID and TDH.PHYMEM.PAGE.RECLAIM of every page: the TD is gone and its HKID free. */
    @Override
    public void decommission(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            if (td.lifecycle != TdContext.Lifecycle.BLOCKED) {
                throw refuse(td, "TDH.MNG.KEY.FREEID", TdxStatus.TDX_FLUSHVP_NOT_DONE, "TDH.MNG.VPFLUSHDONE has not "
                        + "been done (deactivate the TD first)");
            }
            td.log("TDH.MNG.KEY.FREEID", TdxStatus.TDX_SUCCESS, "HKID " + td.hkid + " freed");
            td.log("TDH.PHYMEM.PAGE.RECLAIM", TdxStatus.TDX_SUCCESS, td.sept.size() + " private pages, the TDR and "
                    + "TDCS reclaimed");
            tds.remove(handle);
            byHkid.remove(td.hkid);
            freeHkid(td.hkid);
            td.sept.clear();
            td.macs.clear();
        }
    }

    // ---- the memory controller --------------------------------------------------------------------------------

    /** @return the handle of the TD a key slot belongs to */
    @Override
    public long handleOf(KeySlot slot) {
        return tdOfSlot(slot).handle;
    }

    private TdContext tdOfSlot(KeySlot slot) {
        if (slot == null || !Tdx.KEY_SLOT.equals(slot.kind())) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("expected an HKID key slot, got " + slot);
        }
        TdContext td = byHkid.get(slot.id());
        if (td == null) {
            throw TdxStatus.TDX_TD_KEYS_NOT_CONFIGURED.error("no key is configured for HKID " + slot.id());
        }
        return td;
    }

    private static void checkPage(long hpa, byte[] page) {
        if (page == null || page.length != PAGE) {
            throw new IllegalArgumentException("a page is 4096 bytes, got " + (page == null ? "none" : page.length));
        }
        if ((hpa & (PAGE - 1)) != 0) {
            throw TdxStatus.TDX_OPERAND_INVALID.error(String.format("host physical address 0x%X is not 4 KiB aligned",
                    hpa));
        }
    }

    private static void keysUsable(TdContext td) {
        if (td.fatal != null) {
            throw TdxStatus.TDX_TD_FATAL.error("the TD is FATAL: " + td.fatal);
        }
        if (td.lifecycle == TdContext.Lifecycle.BLOCKED) {
            throw TdxStatus.TDX_LIFECYCLE_STATE_INCORRECT.error("the TD is torn down; HKID " + td.hkid
                    + " no longer encrypts or decrypts");
        }
        if (td.keys == null) {
            throw TdxStatus.TDX_TD_KEYS_NOT_CONFIGURED.error("HKID " + td.hkid + " has no key yet");
        }
    }

    /** The Secure EPT check of a TD access; throws the #VE (or EPT-violation exit) it causes. */
    private static TdContext.Page accessible(TdContext td, Long gpa, long hpa) {
        TdContext.Page p = gpa == null ? null : td.sept.get(gpa);
        boolean ve = td.params == null || (td.params.attributes() & TdAttributes.SEPT_VE_DISABLE) == 0;
        if (p == null || p.hpa != hpa) {
            throw new VirtualizationException(gpa == null ? -1 : gpa, ve, String.format("host page 0x%X is not "
                    + "mapped in the TD's Secure EPT (never added or accepted, or removed)", hpa));
        }
        if (p.blocked) {
            throw new VirtualizationException(gpa, false, "the page is BLOCKED (TDH.MEM.RANGE.BLOCK): the access exits "
                    + "to the host");
        }
        if (p.state == TdContext.PageState.PENDING) {
            throw new VirtualizationException(gpa, ve, "the page is PENDING: the host added it with "
                    + "TDH.MEM.PAGE.AUG and the TD has not accepted it (TDG.MEM.PAGE.ACCEPT)");
        }
        return p;
    }

    /** A TD store of a whole page through its HKID: checks the Secure EPT, encrypts and records the line MACs. */
    @Override
    public byte[] encrypt(KeySlot slot, long hpa, byte[] plaintext) {
        checkPage(hpa, plaintext);
        TdContext td = tdOfSlot(slot);
        synchronized (td) {
            keysUsable(td);
            accessible(td, td.gpaOfHpa.get(hpa), hpa);
            byte[] ct = td.keys.encrypt(hpa, plaintext);
            td.macs.put(hpa, td.keys.macs(hpa, ct));
            return ct;
        }
    }

    /** A TD load of a page through its HKID: checks the Secure EPT and every line's MAC, then decrypts. */
    @Override
    public byte[] decrypt(KeySlot slot, long hpa, byte[] ciphertext) {
        checkPage(hpa, ciphertext);
        TdContext td = tdOfSlot(slot);
        synchronized (td) {
            keysUsable(td);
            Long gpa = td.gpaOfHpa.get(hpa);
            accessible(td, gpa, hpa);
            return decryptChecked(td, gpa, hpa, ciphertext);
        }
    }

    /** Called holding the TD's monitor. A MAC failure poisons the line; consuming it makes the TD FATAL. */
    private static byte[] decryptChecked(TdContext td, Long gpa, long hpa, byte[] ciphertext) {
        int[] expected = td.macs.get(hpa);
        int[] actual = td.keys.macs(hpa, ciphertext);
        int bad = expected == null ? 0 : MemoryKeys.firstMismatch(expected, actual);
        if (bad >= 0) {
            String reason = String.format("integrity check failed on cache line %d of GPA 0x%X (HPA 0x%X): MAC "
                    + "0x%07X, expected 0x%07X; the line was changed outside the TD, it is poisoned and the TD "
                    + "consumed it (#MC)", bad, gpa == null ? -1 : gpa, hpa + (long) bad * MemoryKeys.LINE,
                    actual[bad], expected == null ? 0 : expected[bad]);
            td.fatal = reason;
            td.log("#MC", TdxStatus.TDX_TD_FATAL, reason);
            throw TdxStatus.TDX_TD_FATAL.error("the TDX module marked TD " + td.handle + " FATAL: " + reason);
        }
        return td.keys.decrypt(hpa, ciphertext);
    }

    // ---- TDCALLs ----------------------------------------------------------------------------------------------

    private static void running(TdContext td, String cmd) {
        if (td.fatal != null) {
            throw refuse(td, cmd, TdxStatus.TDX_TD_FATAL, "the TD is FATAL: " + td.fatal);
        }
        if (td.lifecycle == TdContext.Lifecycle.BLOCKED) {
            throw refuse(td, cmd, TdxStatus.TDX_LIFECYCLE_STATE_INCORRECT, "the TD is torn down");
        }
        if (!td.launched) {
            throw refuse(td, cmd, TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.stateName()
                    + "; it has not run yet");
        }
    }

    private static boolean isShared(TdContext td, long gpa) {
        int bit = td.params == null ? 47 : td.params.sharedBit();
        return (gpa >>> bit & 1) != 0;
    }

    private static GuestMemory memory(TdContext td) {
        GuestMemory m = td.memory;
        if (m == null) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("TD " + td.handle + " has no host memory bound (it was restored "
                    + "without the hypervisor's memory view)");
        }
        return m;
    }

    /** @return the TD's four RTMRs */
    @Override
    public byte[][] rtmrs(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            byte[][] out = new byte[td.rtmr.length][];
            for (int i = 0; i < out.length; i++) {
                out[i] = td.rtmr[i].clone();
            }
            return out;
        }
    }

    @Override
    public byte[] rtmrExtend(long handle, int index, byte[] data48, String description) {
        TdContext td = td(handle);
        synchronized (td) {
            String cmd = "TDG.MR.RTMR.EXTEND";
            running(td, cmd);
            if (index < 0 || index > 3) {
                throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, "RTMR index " + index + " is not 0..3");
            }
            if (data48 == null || data48.length != TdMeasurement.DIGEST_SIZE) {
                throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, "extend data is "
                        + (data48 == null ? "missing" : data48.length + " bytes") + ", expected 48");
            }
            String text = description == null ? "" : description;
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            // the guest's event: when it extended the hash of its description the digest is defined over the event
            // data (EV_ACTION) and a verifier checks it; a digest of something else is an EV_IPL the data describes
            long type = MessageDigest.isEqual(Digests.sha384(data), data48) ? EventLog.EV_ACTION : EventLog.EV_IPL;
            td.rtmr[index] = TdMeasurement.extendRtmr(td.rtmr[index], data48);
            td.events.add(new EventLog.Event(index + 1, type, data48, data));
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("RTMR%d <- %s (%s); now %s", index, Hex.encode(data48),
                    text, Hex.encode(td.rtmr[index])));
            return td.rtmr[index].clone();
        }
    }

    @Override
    public byte[] tdReport(long handle, byte[] reportData) {
        TdContext td = td(handle);
        synchronized (td) {
            String cmd = "TDG.MR.REPORT";
            running(td, cmd);
            if (reportData == null || reportData.length != 64) {
                throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, "REPORTDATA is "
                        + (reportData == null ? "missing" : reportData.length + " bytes") + ", expected 64");
            }
            byte[] report = report(td, reportData).toBytes();
            td.log(cmd, TdxStatus.TDX_SUCCESS, "REPORTDATA=" + Hex.encode(reportData));
            return report;
        }
    }

    private TdReport report(TdContext td, byte[] reportData) {
        Struct tcb = TdReport.TEE_TCB_INFO.create()
                .set("VALID", TEE_TCB_INFO_VALID)
                .set("TEE_TCB_SVN", platform.teeTcbSvn())
                .set("MRSEAM", platform.mrSeam())
                .set("MRSIGNERSEAM", IntelIdentities.mrSignerSeam())
                .set("ATTRIBUTES", IntelIdentities.SEAM_ATTRIBUTES)
                .set("TEE_TCB_SVN2", platform.teeTcbSvn());
        Struct info = TdReport.TDINFO.create()
                .set("ATTRIBUTES", td.params.attributes())
                .set("XFAM", td.params.xfam())
                .set("MRTD", td.mrtd)
                .set("MRCONFIGID", td.params.mrConfigId())
                .set("MROWNER", td.params.mrOwner())
                .set("MROWNERCONFIG", td.params.mrOwnerConfig());
        for (int i = 0; i < 4; i++) {
            info.set("RTMR" + i, td.rtmr[i]);
        }
        Struct mac = TdReport.REPORTMACSTRUCT.create()
                .set("REPORTTYPE.TYPE", TdReport.TYPE_TDX)
                .set("CPUSVN", platform.cpuSvn())
                .set("TEE_TCB_INFO_HASH", Digests.sha384(tcb.toBytes()))
                .set("TEE_INFO_HASH", Digests.sha384(info.toBytes()))
                .set("REPORTDATA", reportData);
        byte[] maced = java.util.Arrays.copyOf(mac.toBytes(), TdReport.MACED_LENGTH);
        mac.set("MAC", Hmac.sha256(reportKey, maced));
        return TdReport.of(mac, tcb, info);
    }

    /**
     * What the quoting enclave's EVERIFYREPORT2 does: checks the MAC with the platform's report key and the two
     * hashes.
     *
     * @return null if the report verifies, else why not
     */
    @Override
    public Optional<String> verifyReport(byte[] tdReport) {
        return Optional.ofNullable(verifyReport(TdReport.parse(tdReport)));
    }

    String verifyReport(TdReport report) {
        byte[] expected = Hmac.sha256(reportKey, report.macedBytes());
        if (!MessageDigest.isEqual(expected, report.mac())) {
            return "REPORTMACSTRUCT.MAC does not verify with this platform's report key";
        }
        if (!report.hashesMatch()) {
            return "TEE_TCB_INFO_HASH or TEE_INFO_HASH does not match TEE_TCB_INFO/TDINFO";
        }
        return null;
    }

    @Override
    public void logCall(long handle, String command, TdxStatus status, String detail) {
        td(handle).log(command, status, detail);
    }

    @Override
    public TdxStatus acceptPage(long handle, long gpa) {
        TdContext td = td(handle);
        String cmd = "TDG.MEM.PAGE.ACCEPT";
        boolean needsAug;
        synchronized (td) {
            running(td, cmd);
            int gpaw = (td.params == null ? 47 : td.params.sharedBit()) + 1;
            if (gpa < 0 || gpa >>> gpaw != 0) {
                throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X is beyond the TD's "
                        + "%d-bit guest physical address width (GPAs below 0x%X)", gpa, gpaw, 1L << gpaw));
            }
            if ((gpa & (PAGE - 1)) != 0 || isShared(td, gpa)) {
                throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X is not a 4 KiB aligned "
                        + "private address", gpa));
            }
            TdContext.Page p = td.sept.get(gpa);
            if (p != null && p.blocked) {
                throw refuse(td, cmd, TdxStatus.TDX_GPA_RANGE_BLOCKED, String.format("GPA 0x%X is blocked by the host",
                        gpa));
            }
            if (p != null && p.state == TdContext.PageState.MAPPED) {
                td.log(cmd, TdxStatus.TDX_PAGE_ALREADY_ACCEPTED, String.format("gpa=0x%X is accepted already", gpa));
                return TdxStatus.TDX_PAGE_ALREADY_ACCEPTED;
            }
            needsAug = p == null;
            if (needsAug) {
                td.log(cmd, TdxStatus.TDX_EPT_WALK_FAILED, String.format("gpa=0x%X is not mapped: the TD exits to the "
                        + "host with an EPT violation, the host adds the page and the TD retries", gpa));
            }
        }
        if (needsAug) {
            augPage(handle, gpa);
        }
        GuestMemory mem = memory(td);
        byte[] ct;
        synchronized (td) {
            running(td, cmd);
            TdContext.Page p = td.sept.get(gpa);
            if (p == null || p.state != TdContext.PageState.PENDING) {
                throw refuse(td, cmd, TdxStatus.TDX_EPT_ENTRY_STATE_INCORRECT, String.format("GPA 0x%X changed state "
                        + "while being accepted", gpa));
            }
            ct = td.keys.encrypt(p.hpa, new byte[PAGE]);
            td.macs.put(p.hpa, td.keys.macs(p.hpa, ct));
            p.state = TdContext.PageState.MAPPED;
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X accepted and zeroed with HKID %d", gpa, td.hkid));
        }
        mem.writePage(gpa, ct);
        return TdxStatus.TDX_SUCCESS;
    }

    @Override
    public byte[] eventLog(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            return EventLog.encode(td.events);
        }
    }

    @Override
    public byte[] read(long handle, long gpa, int length) {
        checkAccessRange(gpa, length);
        TdContext td = td(handle);
        GuestMemory mem = memory(td);
        byte[] out = new byte[length];
        for (int off = 0; off < length;) {
            long page = (gpa + off) & ~(long) (PAGE - 1);
            int in = (int) (gpa + off - page);
            int n = Math.min(PAGE - in, length - off);
            byte[] plain = loadPage(td, mem, page);
            System.arraycopy(plain, in, out, off, n);
            off += n;
        }
        return out;
    }

    @Override
    public void write(long handle, long gpa, byte[] data) {
        checkAccessRange(gpa, data.length);
        TdContext td = td(handle);
        GuestMemory mem = memory(td);
        for (int off = 0; off < data.length;) {
            long page = (gpa + off) & ~(long) (PAGE - 1);
            int in = (int) (gpa + off - page);
            int n = Math.min(PAGE - in, data.length - off);
            byte[] plain = loadPage(td, mem, page);
            System.arraycopy(data, off, plain, in, n);
            byte[] ct;
            synchronized (td) {
                running(td, "store");
                TdContext.Page p = accessible(td, page, td.sept.containsKey(page) ? td.sept.get(page).hpa : -1);
                ct = td.keys.encrypt(p.hpa, plain);
                td.macs.put(p.hpa, td.keys.macs(p.hpa, ct));
            }
            mem.writePage(page, ct);
            off += n;
        }
    }

    private static void checkAccessRange(long gpa, int length) {
        if (gpa < 0 || length < 0 || length > MAX_ACCESS) {
            throw new IllegalArgumentException(String.format("access of %d bytes at 0x%X: the address must not be "
                    + "negative and the length must be 0..%d", length, gpa, MAX_ACCESS));
        }
    }

    private static byte[] loadPage(TdContext td, GuestMemory mem, long page) {
        long hpa;
        synchronized (td) {
            running(td, "load");
            if (isShared(td, page)) {
                throw new IllegalArgumentException(String.format("GPA 0x%X has the shared bit set: shared pages are "
                        + "plain host memory, reached through the hypervisor's shared-page access", page));
            }
            TdContext.Page p = td.sept.get(page);
            hpa = accessible(td, page, p == null ? -1 : p.hpa).hpa;
        }
        byte[] raw = mem.readPage(page);
        synchronized (td) {
            running(td, "load");
            return decryptChecked(td, page, hpa, raw);
        }
    }

    // ---- host Secure-EPT SEAMCALLs ----------------------------------------------------------------------------

    @Override
    public void augPage(long handle, long gpa) {
        TdContext td = td(handle);
        String cmd = "TDH.MEM.PAGE.AUG";
        synchronized (td) {
            preAug(td, cmd, gpa);
        }
        GuestMemory mem = memory(td);
        long hpa = mem.hostPhysicalAddress(gpa);
        synchronized (td) {
            preAug(td, cmd, gpa);
            td.map(gpa, hpa, TdContext.PageState.PENDING);
            td.macs.remove(hpa);
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X hpa=0x%X added PENDING", gpa, hpa));
        }
        // The page now belongs to the TD (PAMT owner HKID): the host's copy is private memory from here on.
        mem.writePage(gpa, mem.readPage(gpa));
    }

    private static void preAug(TdContext td, String cmd, long gpa) {
        if (td.fatal != null) {
            throw refuse(td, cmd, TdxStatus.TDX_TD_FATAL, "the TD is FATAL");
        }
        if (td.op != TdContext.OpState.RUNNABLE || td.lifecycle == TdContext.Lifecycle.BLOCKED) {
            throw refuse(td, cmd, TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.stateName()
                    + "; pages are augmented after TDH.MR.FINALIZE");
        }
        if ((gpa & (PAGE - 1)) != 0 || gpa < 0 || isShared(td, gpa)) {
            throw refuse(td, cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X is not a 4 KiB aligned "
                    + "private address", gpa));
        }
        if (td.sept.containsKey(gpa)) {
            throw refuse(td, cmd, TdxStatus.TDX_EPT_ENTRY_NOT_FREE, String.format("GPA 0x%X is mapped already (to HPA "
                    + "0x%X); the Secure EPT cannot be remapped", gpa, td.sept.get(gpa).hpa));
        }
    }

    @Override
    public void blockRange(long handle, long gpa) {
        TdContext td = td(handle);
        synchronized (td) {
            String cmd = "TDH.MEM.RANGE.BLOCK";
            TdContext.Page p = td.sept.get(gpa);
            if (p == null) {
                throw refuse(td, cmd, TdxStatus.TDX_EPT_WALK_FAILED, String.format("GPA 0x%X is not mapped", gpa));
            }
            if (p.blocked) {
                td.log(cmd, TdxStatus.TDX_GPA_RANGE_ALREADY_BLOCKED, String.format("gpa=0x%X", gpa));
                return;
            }
            p.blocked = true;
            p.blockEpoch = td.epoch;
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X blocked in epoch %d", gpa, td.epoch));
        }
    }

    @Override
    public void track(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            td.epoch++;
            td.log("TDH.MEM.TRACK", TdxStatus.TDX_SUCCESS, "TLB epoch " + td.epoch);
        }
    }

    @Override
    public void removePage(long handle, long gpa) {
        TdContext td = td(handle);
        synchronized (td) {
            String cmd = "TDH.MEM.PAGE.REMOVE";
            TdContext.Page p = td.sept.get(gpa);
            if (p == null) {
                throw refuse(td, cmd, TdxStatus.TDX_EPT_WALK_FAILED, String.format("GPA 0x%X is not mapped", gpa));
            }
            if (!p.blocked) {
                throw refuse(td, cmd, TdxStatus.TDX_GPA_RANGE_NOT_BLOCKED, String.format("GPA 0x%X is live; block it "
                        + "(TDH.MEM.RANGE.BLOCK) and track (TDH.MEM.TRACK) first", gpa));
            }
            if (td.epoch <= p.blockEpoch) {
                throw refuse(td, cmd, TdxStatus.TDX_TLB_TRACKING_NOT_DONE, String.format("GPA 0x%X was blocked in "
                        + "epoch %d; TDH.MEM.TRACK has not advanced the epoch since", gpa, p.blockEpoch));
            }
            td.unmap(gpa);
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X hpa=0x%X removed", gpa, p.hpa));
        }
    }

    @Override
    public String pageState(long handle, long gpa) {
        TdContext td = td(handle);
        synchronized (td) {
            TdContext.Page p = td.sept.get(gpa & ~(long) (PAGE - 1));
            if (p == null) {
                return "FREE";
            }
            return p.blocked ? "BLOCKED" : p.state.name();
        }
    }

    @Override
    public List<LaunchLogEntry> calls(long handle) {
        TdContext td = td(handle);
        synchronized (td) {
            return List.copyOf(td.log);
        }
    }

    /** TDH.MEM.RD for a debug TD. */
    @Override
    public byte[] debugRead(long handle, long gpa, int length) {
        checkAccessRange(gpa, length);
        TdContext td = td(handle);
        synchronized (td) {
            if (td.params == null || !TdAttributes.isDebug(td.params.attributes())) {
                throw refuse(td, "TDH.MEM.RD", TdxStatus.TDX_TD_NON_DEBUG, "the TD's ATTRIBUTES do not set DEBUG");
            }
            td.log("TDH.MEM.RD", TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X length=%d", gpa, length));
        }
        return read(handle, gpa, length);
    }

    // ---- the quoting enclave's view ----------------------------------------------------------------------------

    /** @return a fresh TDREPORT of a TD for the quoting enclave tests (no TDCALL logged) */
    byte[] reportFor(long handle, byte[] reportData) {
        TdContext td = td(handle);
        synchronized (td) {
            return report(td, reportData).toBytes();
        }
    }

    @Override
    public KeySlot keySlot(long handle) {
        return new KeySlot(Tdx.KEY_SLOT, td(handle).hkid);
    }

    @Override
    public byte[] tdParams(long handle) {
        TdContext td = td(handle);
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
            td(handle).memory = memory;
        }
    }

    // ---- persistence ------------------------------------------------------------------------------------------

    long nextHandle() {
        return nextHandle.get();
    }

    void continueHandlesFrom(long next) {
        nextHandle.accumulateAndGet(next, Math::max);
    }

    void adopt(TdContext td) {
        tds.put(td.handle, td);
        byHkid.put(td.hkid, td);
        reserveHkid(td.hkid);
        nextHandle.accumulateAndGet(td.handle + 1, Math::max);
    }
}
