package io.teebox.intel.tdx.internal;

import io.teebox.api.attestation.AttestationService;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeKind;
import io.teebox.api.tee.TeeType;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.TdxGuest;
import io.teebox.intel.tdx.TdxHost;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.intel.qe.TdQuotingEnclave;
import io.teebox.intel.tdx.module.TdxModule;
import io.teebox.intel.tdx.module.TdxPlatformInfo;
import io.teebox.kit.hex.Hex;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Intel TDX backend: the host's side of the TDX module ({@link TdxModule}: SEAMCALLs and TDCALLs, MRTD, RTMRs,
 * Secure EPT, TME-MK memory with a private HKID per TD, AES-XTS-128 and a 28-bit MAC per cache line) and of the TD
 * quoting enclave ({@link TdQuotingEnclave}) as the vendor-neutral services. It holds no TD state: the TDs live in
 * the module, so this bundle and the module's each restart or update without losing them.
 */
@Component(service = {TeeBackend.class, MemoryEncryption.class, LaunchService.class, AttestationService.class,
    TdxBackend.class}, immediate = true)
@TeeType(Tdx.TEE_TYPE)
public final class TdxBackend implements TeeBackend, MemoryEncryption, LaunchService, AttestationService {

    private final TdxModule module;
    private final TdQuotingEnclave qe;

    /**
     * @param module the platform's TDX module
     * @param qe the platform's TD quoting enclave
     */
    @Activate
    public TdxBackend(@Reference TdxModule module, @Reference TdQuotingEnclave qe) {
        this.module = module;
        this.qe = qe;
    }

    TdxModule module() {
        return module;
    }

    TdQuotingEnclave quotingEnclave() {
        return qe;
    }

    // ---- TeeBackend ------------------------------------------------------------------------------------------

    @Override
    public BackendDescriptor descriptor() {
        TdxPlatformInfo p = module.platform();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("memory cipher", "TME-MK AES-XTS-128 per private HKID, 28-bit MAC per 64-byte line");
        props.put("TEE_TCB_SVN", Hex.encode(p.teeTcbSvn().value()));
        props.put("MRSEAM", Hex.encode(p.mrSeam().value()));
        props.put("FMSPC", Hex.encode(p.fmspc().value()));
        props.put("PPID", Hex.encode(p.ppid().value()));
        props.put("evidence", Tdx.EVIDENCE_FORMAT);
        return new BackendDescriptor(Tdx.TEE_TYPE, "Intel", TeeKind.CPU, "x86_64", "Xeon (Sapphire Rapids) with TDX "
                + "module " + p.moduleVersion(), EnumSet.of(Capability.MEMORY_ENCRYPTION, Capability.MEMORY_INTEGRITY,
                        Capability.REGISTER_ENCRYPTION, Capability.LAUNCH_MEASUREMENT, Capability.RUNTIME_ATTESTATION),
                p.firmware(), p.tcb(), limits(), new io.teebox.api.tee.LaunchDefaults(0x10000000L, "TD ATTRIBUTES",
                        "SEPT_VE_DISABLE, no debugging", "SapphireRapids", module.vcpuTypes()), props);
    }

    @Override
    public String returnCodeName(String operation, long code) {
        for (TdxStatus s : TdxStatus.values()) {
            if (s.code() == code) {
                return s.name();
            }
        }
        return code == 0 ? "TDX_SUCCESS" : "";
    }

    /** The PCK chain is what a TD owner needs to check quotes; there are no pre-launch certificates. */
    @Override
    public Map<String, byte[]> platformCertificates() {
        List<byte[]> chain = qe.pckChain();
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("pck", chain.get(0));
        out.put("pck-platform-ca", chain.get(1));
        out.put("intel-root-ca", chain.get(2));
        return out;
    }

    // ---- MemoryEncryption -------------------------------------------------------------------------------------

    @Override
    public KeySlotLimits limits() {
        TdxPlatformInfo p = module.platform();
        return new KeySlotLimits(Tdx.KEY_SLOT, p.firstHkid(), p.lastHkid(), module.hkidsInUse());
    }

    @Override
    public byte[] encryptPage(KeySlot slot, long hostPhysicalAddress, byte[] plaintext) {
        return module.encrypt(slot, hostPhysicalAddress, plaintext);
    }

    @Override
    public byte[] decryptPage(KeySlot slot, long hostPhysicalAddress, byte[] ciphertext) {
        return module.decrypt(slot, hostPhysicalAddress, ciphertext);
    }

    /**
     * TDG.MEM.PAGE.ACCEPT from the TD (the hypervisor's {@code acceptPage}); a GPA the host has not added yet is
     * added first with TDH.MEM.PAGE.AUG, as after the EPT violation the TD's access causes. TDX has no way for a TD
     * to give a private page back except converting it to shared (TDG.VP.VMCALL&lt;MapGPA&gt;), so rescinding is
     * refused.
     *
     * @return 0 for TDX_SUCCESS, otherwise the upper 32 bits of the completion status (0xB0A for
     *         TDX_PAGE_ALREADY_ACCEPTED)
     */
    @Override
    public int acceptPage(KeySlot slot, long guestPhysicalAddress, long hostPhysicalAddress, boolean accept) {
        long handle = module.handleOf(slot);
        if (!accept) {
            module.logCall(handle, "TDG.MEM.PAGE.ACCEPT", TdxStatus.TDX_OPERAND_INVALID, String.format("gpa=0x%X: a "
                    + "TD cannot un-accept a private page; it converts it to shared with MapGPA", guestPhysicalAddress));
            throw TdxStatus.TDX_OPERAND_INVALID.error(String.format("a TD cannot rescind accepted page 0x%X: TDX has "
                    + "no un-accept; the TD converts the page to shared (TDG.VP.VMCALL<MapGPA>) instead",
                    guestPhysicalAddress));
        }
        return (int) (module.acceptPage(handle, guestPhysicalAddress).code() >>> 32);
    }

    /**
     * TDX's rules. A host read of a TD's private line through the CPU returns zeros (the line's TD-owner bit does
     * not match the host's access), so the host sees fixed data; the DRAM itself holds AES-XTS ciphertext, which only
     * a physical attacker sees (and which the hypervisor's raw memory view shows). A host write, or putting back old
     * ciphertext, leaves a line whose MAC fails: the TD's next read consumes a poisoned line and the TD is
     * terminated. The Secure EPT belongs to the TDX module, so the host cannot remap a private page.
     */
    @Override
    public HostAccessOutcome hostAccess(HostAccess access) {
        return switch (access) {
            case READ -> new HostAccessOutcome(HostAccessOutcome.Effect.FIXED_DATA, "a host read of a TD-private "
                    + "line returns zeros (TD-owner bit mismatch); the DRAM holds only AES-XTS-128 ciphertext");
            case WRITE -> new HostAccessOutcome(HostAccessOutcome.Effect.GUEST_TERMINATED, "the write lands but the "
                    + "line's 28-bit MAC no longer matches: the TD's next read consumes a poisoned line (#MC) and the "
                    + "TDX module marks the TD FATAL");
            case REMAP -> new HostAccessOutcome(HostAccessOutcome.Effect.HOST_FAULT, "the Secure EPT belongs to the "
                    + "TDX module: TDH.MEM.PAGE.AUG of a mapped GPA fails with TDX_EPT_ENTRY_NOT_FREE and "
                    + "TDH.MEM.PAGE.REMOVE of a live page with TDX_GPA_RANGE_NOT_BLOCKED");
            case REPLAY -> new HostAccessOutcome(HostAccessOutcome.Effect.GUEST_TERMINATED, "old ciphertext does not "
                    + "match the MAC the memory controller wrote last: the TD's next read is an integrity failure "
                    + "and the TD is terminated");
        };
    }

    // ---- LaunchService ----------------------------------------------------------------------------------------

    @Override
    public java.util.Set<io.teebox.api.launch.PageType> pageTypes() {
        return java.util.EnumSet.of(io.teebox.api.launch.PageType.NORMAL, io.teebox.api.launch.PageType.UNMEASURED);
    }

    @Override
    public LaunchSession begin(LaunchRequest request, GuestMemory memory) {
        return new TdxLaunchSession(module, module.create(request, memory));
    }

    @Override
    public GuestStatus status(long handle) {
        return module.status(handle);
    }

    @Override
    public void activate(long handle) {
        module.activate(handle);
    }

    @Override
    public void deactivate(long handle) {
        module.deactivate(handle);
    }

    @Override
    public void decommission(long handle) {
        module.decommission(handle);
    }

    @Override
    public byte[] debugDecrypt(long handle, GuestMemory memory, long gpa, int length) {
        bind(handle, memory);
        return module.debugRead(handle, gpa, length);
    }

    private void bind(long handle, GuestMemory memory) {
        module.bindMemory(handle, memory);
    }

    // ---- AttestationService -----------------------------------------------------------------------------------

    @Override
    public String format() {
        return Tdx.EVIDENCE_FORMAT;
    }

    /**
     * TDG.MR.REPORT and TDG.VP.VMCALL&lt;GetQuote&gt; for the TD; report data shorter than 64 bytes is zero-padded.
     * The evidence carries the quote, the PCK chain (DER, leaf first) and the TD's event log.
     */
    @Override
    public Evidence attest(long handle, GuestMemory memory, byte[] reportData) {
        if (reportData == null || reportData.length > 64) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("REPORTDATA is at most 64 bytes, got "
                    + (reportData == null ? "none" : reportData.length));
        }
        bind(handle, memory);
        byte[] quote = getQuote(handle, Arrays.copyOf(reportData, 64));
        return new Evidence(Tdx.EVIDENCE_FORMAT, quote, qe.pckChain(),
                Map.of(Tdx.ATTACHMENT_EVENT_LOG, module.eventLog(handle)));
    }

    // ---- TdxGuest and TdxHost, bound to one TD ---------------------------------------------------------------

    /**
     * @param handle a TD's handle
     * @return the TD's guest interface (TDCALLs, its loads and stores), bound to it
     */
    TdxGuest guest(long handle) {
        return new TdxGuest() {
            @Override
            public byte[] rtmrExtend(int index, byte[] data48, String eventDescription) {
                return TdxBackend.this.rtmrExtend(handle, index, data48, eventDescription);
            }

            @Override
            public byte[] tdReport(byte[] reportData64) {
                return TdxBackend.this.tdReport(handle, reportData64);
            }

            @Override
            public TdxStatus acceptPage(long gpa) {
                return TdxBackend.this.acceptPage(handle, gpa);
            }

            @Override
            public byte[] getQuote(byte[] reportData64) {
                return TdxBackend.this.getQuote(handle, reportData64);
            }

            @Override
            public byte[] eventLog() {
                return TdxBackend.this.eventLog(handle);
            }

            @Override
            public byte[] read(long gpa, int length) {
                return TdxBackend.this.read(handle, gpa, length);
            }

            @Override
            public void write(long gpa, byte[] data) {
                TdxBackend.this.write(handle, gpa, data);
            }
        };
    }

    /**
     * @param handle a TD's handle
     * @return the host's SEAMCALLs on the TD's Secure EPT, bound to it
     */
    TdxHost host(long handle) {
        return new TdxHost() {
            @Override
            public void augPage(long gpa) {
                TdxBackend.this.augPage(handle, gpa);
            }

            @Override
            public void blockRange(long gpa) {
                TdxBackend.this.blockRange(handle, gpa);
            }

            @Override
            public void track() {
                TdxBackend.this.track(handle);
            }

            @Override
            public void removePage(long gpa) {
                TdxBackend.this.removePage(handle, gpa);
            }

            @Override
            public String pageState(long gpa) {
                return TdxBackend.this.pageState(handle, gpa);
            }

            @Override
            public List<LaunchLogEntry> calls() {
                return TdxBackend.this.calls(handle);
            }
        };
    }

    /** Records a TDCALL or TDG.VP.VMCALL of a TD in its call log. */
    void logCall(long handle, String call, TdxStatus status, String detail) {
        module.logCall(handle, call, status, detail);
    }

    /**
     * @param handle a TD
     * @return the module's view of the TD's four RTMRs
     */
    byte[][] rtmrs(long handle) {
        return module.rtmrs(handle);
    }

    public byte[] rtmrExtend(long handle, int index, byte[] data48, String eventDescription) {
        return module.rtmrExtend(handle, index, data48, eventDescription);
    }

    public byte[] tdReport(long handle, byte[] reportData64) {
        return module.tdReport(handle, reportData64);
    }

    public TdxStatus acceptPage(long handle, long gpa) {
        return module.acceptPage(handle, gpa);
    }

    public byte[] getQuote(long handle, byte[] reportData64) {
        byte[] report = module.tdReport(handle, reportData64);
        String cmd = "TDG.VP.VMCALL<GetQuote>";
        byte[] bytes;
        try {
            bytes = qe.quote(report);
        } catch (RuntimeException e) {
            module.logCall(handle, cmd, TdxStatus.TDX_SUCCESS, "the host's quoting enclave refused the TDREPORT: "
                    + e.getMessage());
            throw e;
        }
        module.logCall(handle, cmd, TdxStatus.TDX_SUCCESS, "the host passed the TDREPORT to the TD quoting enclave: "
                + bytes.length + "-byte Quote v4");
        return bytes;
    }

    public byte[] eventLog(long handle) {
        return module.eventLog(handle);
    }

    public byte[] read(long handle, long gpa, int length) {
        return module.read(handle, gpa, length);
    }

    public void write(long handle, long gpa, byte[] data) {
        module.write(handle, gpa, data);
    }

    // ---- TdxHost ----------------------------------------------------------------------------------------------

    public void augPage(long handle, long gpa) {
        module.augPage(handle, gpa);
    }

    public void blockRange(long handle, long gpa) {
        module.blockRange(handle, gpa);
    }

    public void track(long handle) {
        module.track(handle);
    }

    public void removePage(long handle, long gpa) {
        module.removePage(handle, gpa);
    }

    public String pageState(long handle, long gpa) {
        return module.pageState(handle, gpa);
    }

    public List<LaunchLogEntry> calls(long handle) {
        return module.calls(handle);
    }
}
