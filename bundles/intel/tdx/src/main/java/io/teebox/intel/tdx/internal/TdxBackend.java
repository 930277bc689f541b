package io.teebox.intel.tdx.internal;

import io.teebox.api.attestation.AttestationService;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
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
    private final TdxMemory memory;
    private final QuoteChannel quotes;

    /**
     * @param module the platform's TDX module
     * @param qe the platform's TD quoting enclave
     */
    @Activate
    public TdxBackend(@Reference TdxModule module, @Reference TdQuotingEnclave qe) {
        this.module = module;
        this.qe = qe;
        this.memory = new TdxMemory(module);
        this.quotes = new QuoteChannel(module, qe);
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
        return memory.encryptPage(slot, hostPhysicalAddress, plaintext);
    }

    @Override
    public byte[] decryptPage(KeySlot slot, long hostPhysicalAddress, byte[] ciphertext) {
        return memory.decryptPage(slot, hostPhysicalAddress, ciphertext);
    }

    /** TDG.MEM.PAGE.ACCEPT from the TD (the hypervisor's {@code acceptPage}); see {@link TdxMemory#acceptPage}. */
    @Override
    public int acceptPage(KeySlot slot, long guestPhysicalAddress, long hostPhysicalAddress, boolean accept) {
        return memory.acceptPage(slot, guestPhysicalAddress, accept);
    }

    /** TDX's rules: see {@link TdxMemory#hostAccess}. */
    @Override
    public HostAccessOutcome hostAccess(HostAccess access) {
        return TdxMemory.hostAccess(access);
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
        byte[] quote = quotes.getQuote(handle, Arrays.copyOf(reportData, 64));
        return new Evidence(Tdx.EVIDENCE_FORMAT, quote, qe.pckChain(),
                Map.of(Tdx.ATTACHMENT_EVENT_LOG, module.eventLog(handle)));
    }

    // ---- TdxGuest and TdxHost, bound to one TD ---------------------------------------------------------------

    /**
     * @param handle a TD's handle
     * @return the TD's guest interface (TDCALLs, its loads and stores), bound to it
     */
    TdxGuest guest(long handle) {
        return new BoundTdxGuest(module, quotes, handle);
    }

    /**
     * @param handle a TD's handle
     * @return the host's SEAMCALLs on the TD's Secure EPT, bound to it
     */
    TdxHost host(long handle) {
        return new BoundTdxHost(module, handle);
    }
}
