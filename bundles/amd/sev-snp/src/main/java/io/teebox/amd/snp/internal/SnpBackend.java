package io.teebox.amd.snp.internal;

import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.SnpPolicy;
import io.teebox.amd.snp.SnpGuest;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.GuestContext;
import io.teebox.amd.sp.Rmp;
import io.teebox.amd.sp.SpFirmwareImage;
import io.teebox.api.attestation.AttestationService;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.PrivilegeLevels;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.LaunchDefaults;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeKind;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.x86.CpuModels;
import io.teebox.spi.guest.GuestAccess;
import io.teebox.spi.collateral.CollateralSource;

/**
 * The AMD SEV-SNP firmware module: SNP_LAUNCH_START/UPDATE/FINISH with page types measured into the PAGE_INFO
 * digest ({@link SnpLaunchSession}), AES-256-XTS memory whose host writes fault through the RMP ({@link SnpMemory}),
 * the guest channel ({@link GuestChannel}, {@link GuestDriver}) and ATTESTATION_REPORTs signed by the VCEK of the
 * reported TCB ({@link ReportSigner}, {@link SnpEvidence}). Guest contexts live in the AMD Secure Processor, so an
 * update of this bundle (a new TCB in {@code io.teebox.amd.sp}) keeps running guests, and their next report carries
 * the new TCB.
 */
@Header(name = SpFirmwareImage.HEADER, value = "1.55.21;snp-spl=8")
@Component(service = {TeeBackend.class, MemoryEncryption.class, LaunchService.class, AttestationService.class,
    SnpBackend.class}, immediate = true)
@TeeType("sev-snp")
public final class SnpBackend implements TeeBackend, MemoryEncryption, LaunchService, AttestationService {

    static final String FORMAT = SnpEvidence.FORMAT;

    private final AmdSecureProcessor sp;
    final SecureRandom random = new SecureRandom();
    private final SnpMemory memory;
    private final ReportSigner reports;
    private final GuestChannel channel;
    private final GuestDriver driver;
    /** The emulated KDS, whose URL the descriptor shows, if it runs. */
    private volatile CollateralSource kds;

    /**
     * Loads the SEV firmware image this bundle carries ({@value SpFirmwareImage#HEADER}) into the secure processor.
     *
     * @param context this bundle's context
     * @param sp the secure processor
     */
    @Activate
    public SnpBackend(BundleContext context, @Reference AmdSecureProcessor sp) {
        this(SpFirmwareImage.load(sp, context.getBundle()));
    }

    /**
     * A backend on a secure processor whose firmware is already loaded (tests, benchmarks).
     *
     * @param sp the secure processor
     */
    public SnpBackend(AmdSecureProcessor sp) {
        this.sp = sp;
        this.memory = new SnpMemory(sp);
        this.reports = new ReportSigner(sp);
        this.channel = new GuestChannel(sp, reports, new KeyDerivation(sp));
        this.driver = new GuestDriver(sp, channel);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY,
            target = "(&(" + CollateralSource.VENDOR + "=amd)(collateral.emulated=true))")
    void bindKds(CollateralSource source) {
        kds = source;
    }

    void unbindKds(CollateralSource source) {
        if (kds == source) {
            kds = null;
        }
    }

    AmdSecureProcessor sp() {
        return sp;
    }

    @Override
    public BackendDescriptor descriptor() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("memory cipher", "AES-256-XTS with host-physical-address tweak; RMP ownership checks");
        props.put("report version", Integer.toString(reports.version()));
        CollateralSource k = kds;
        if (k != null) {
            props.put("kds", k.describe() + "/vcek/v1/" + sp.productLine() + "/cert_chain");
        }
        return new BackendDescriptor("sev-snp", "AMD", TeeKind.CPU, "x86_64", "EPYC (" + sp.productLine()
                + ") SEV-SNP", EnumSet.of(Capability.MEMORY_ENCRYPTION, Capability.REGISTER_ENCRYPTION,
                        Capability.MEMORY_INTEGRITY, Capability.LAUNCH_MEASUREMENT, Capability.RUNTIME_ATTESTATION,
                        Capability.KEY_DERIVATION),
                sp.firmwareVersion(), sp.snpTcb(), limits(), new LaunchDefaults(0x30000, "policy",
                        "SMT allowed, no debugging, no migration agent", "EPYC-v4", CpuModels.known()), props);
    }

    @Override
    public String returnCodeName(String operation, long code) {
        // PVALIDATE and RMPADJUST return codes (AMD APM vol. 3)
        return code == 0 ? "success" : code == 1 ? "FAIL_INPUT" : code == 2 ? "FAIL_PERMISSION"
                : code == 6 ? "FAIL_SIZEMISMATCH" : code == 255 ? "no change (FAIL_UNCHANGED)" : "";
    }

    @Override
    public Map<String, byte[]> platformCertificates() {
        // what the host loads as the extended report's certificate table, named as snpguest writes it: the ARK,
        // the ASK (the ASVK when the chip signs with a VLEK) and the VCEK or VLEK of the TCB now committed
        Map<String, byte[]> out = new LinkedHashMap<>();
        try {
            out.put("ark", sp.keys().ark().getEncoded());
            String csp = sp.vlekCspId();
            if (csp == null) {
                out.put("ask", sp.keys().ask().getEncoded());
                out.put("vcek", sp.keys().vcek(sp.snpTcb()).getEncoded());
            } else {
                out.put("ask", sp.keys().asvk().certificate().getEncoded());
                out.put("vlek", sp.keys().vlek(sp.snpTcb(), csp).getEncoded());
            }
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Override
    public KeySlotLimits limits() {
        return sp.asidLimits(AsidPool.SEV_ES_SNP);
    }

    // ------------------------------------------------------------------ memory

    @Override
    public byte[] encryptPage(KeySlot slot, long hpa, byte[] plaintext) {
        return memory.encrypt(slot, hpa, plaintext);
    }

    @Override
    public byte[] decryptPage(KeySlot slot, long hpa, byte[] ciphertext) {
        return memory.decrypt(slot, hpa, ciphertext);
    }

    @Override
    public void assignPage(KeySlot slot, long gpa, long hpa) {
        memory.assign(slot, gpa, hpa);
    }

    @Override
    public void releasePage(KeySlot slot, long gpa, long hpa) {
        memory.release(slot, gpa, hpa);
    }

    @Override
    public int acceptPage(KeySlot slot, long gpa, long hpa, boolean accept) {
        return memory.accept(slot, gpa, hpa, accept);
    }

    @Override
    public byte[] guestDecrypt(KeySlot slot, long gpa, long hpa, byte[] ciphertext) {
        return memory.guestDecrypt(slot, gpa, hpa, ciphertext);
    }

    @Override
    public byte[] guestEncrypt(KeySlot slot, long gpa, long hpa, byte[] plaintext) {
        return memory.guestEncrypt(slot, gpa, hpa, plaintext);
    }

    @Override
    public HostAccessOutcome hostAccess(HostAccess access) {
        return SnpMemory.hostAccess(access);
    }

    // ------------------------------------------------------------------ launch and guest contexts

    @Override
    public Set<PageType> pageTypes() {
        return EnumSet.allOf(PageType.class);
    }

    @Override
    public LaunchSession begin(LaunchRequest request, GuestMemory memory) {
        return SnpLaunchSession.start(this, request, memory);
    }

    @Override
    public GuestStatus status(long handle) {
        GuestContext c = sp.context(handle);
        synchronized (c) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("policy flags", new SnpPolicy(c.policy()).toString());
            details.put("active", Boolean.toString(sp.isActive(handle)));
            // the ASID's own pages from the RMP's index, not a scan of every guest's; hex without String.format,
            // since a backend that comes back asks this of every guest
            int count = sp.rmp().count(c.asid());
            details.put("rmp entries", Integer.toString(count));
            for (Map.Entry<Long, Rmp.Entry> e : sp.rmp().entries(c.asid(), 64).entrySet()) {
                details.put("rmp " + hex(e.getKey()), "GPA " + hex(e.getValue().gpa()) + " " + e.getValue().state());
            }
            if (count > 64) {
                details.put("rmp ...", (count - 64) + " more");
            }
            return new GuestStatus(handle, stateName(c), sp.isActive(handle) ? new KeySlot("ASID", c.asid()) : null,
                    c.policy(), details);
        }
    }

    /** The guest context's state without the RMP listing and policy text of {@link #status(long)}. */
    @Override
    public String state(long handle) {
        GuestContext c = sp.context(handle);
        synchronized (c) {
            return stateName(c);
        }
    }

    private static String stateName(GuestContext c) {
        return switch (c.state()) {
            case UNINIT -> "INIT";
            case RUNNING -> "RUNNING";
            default -> "LAUNCH";
        };
    }

    /** @return 0x and the upper-case hex digits, as {@code %X} prints them */
    static String hex(long v) {
        return "0x" + Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public void activate(long handle) {
        sp.activate(handle);
    }

    @Override
    public void deactivate(long handle) {
        sp.deactivate(handle);
    }

    @Override
    public void decommission(long handle) {
        sp.decommission(handle);
    }

    @Override
    public byte[] debugDecrypt(long handle, GuestMemory memory, long gpa, int length) {
        GuestContext c = sp.context(handle);
        if (!new SnpPolicy(c.policy()).has(SnpPolicy.DEBUG)) {
            throw SevStatus.POLICY_FAILURE.error("SNP_DBG_DECRYPT refused: the guest policy does not set DEBUG");
        }
        return sp.decryptRange(c.asid(), memory, gpa, length);
    }

    // ------------------------------------------------------------------ attestation and the guest channel

    @Override
    public String format() {
        return FORMAT;
    }

    /**
     * The guest asks for a report as Linux's sev-guest driver does: MSG_REPORT_REQ sealed with VMPCK0 from its
     * secrets page and the next sequence number, through SNP_GUEST_REQUEST; the response is opened and checked.
     */
    @Override
    public Evidence attest(long handle, GuestMemory memory, byte[] reportData) {
        return attest(handle, reportData, 0);
    }

    /**
     * The report software at a VMPL asks for: MSG_REPORT_REQ sealed with that level's VMPCK, VMPL set to it.
     *
     * @param handle the guest
     * @param reportData REPORT_DATA, at most 64 bytes
     * @param vmpl 0..3
     * @return the evidence, its report's VMPL field {@code vmpl}
     */
    Evidence attest(long handle, byte[] reportData, int vmpl) {
        if (reportData == null || reportData.length > 64) {
            throw SevStatus.INVALID_PARAM.error("REPORT_DATA is at most 64 bytes, got "
                    + (reportData == null ? "none" : reportData.length));
        }
        return SnpEvidence.of(sp, driver.report(handle, reportData, vmpl));
    }

    /**
     * SNP_GUEST_REQUEST (see {@link GuestChannel}).
     *
     * @param handle the guest
     * @param request header and ciphertext
     * @return the sealed response
     */
    public byte[] guestRequest(long handle, byte[] request) {
        return channel.request(handle, request);
    }

    /**
     * @param handle a guest's firmware handle
     * @return the guest's SNP interface, bound to it
     */
    SnpGuest guest(long handle) {
        return new BoundSnpGuest(sp, driver, handle);
    }

    /**
     * @param guest the hypervisor's handle on a running guest, for one call
     * @return the guest's VMPLs, bound to it
     */
    PrivilegeLevels levels(GuestAccess guest) {
        return new BoundPrivilegeLevels(this, guest);
    }

    int rmpadjust(long handle, long gpa, int targetVmpl, int perms, boolean vmsa) {
        return guest(handle).rmpadjust(gpa, targetVmpl, perms, vmsa);
    }

    byte[] derivedKey(long handle, long fieldSelect, int guestSvn, long tcb) {
        return guest(handle).derivedKey(fieldSelect, guestSvn, tcb);
    }

    Map<Long, String> rmp(long handle) {
        return guest(handle).rmp();
    }
}
