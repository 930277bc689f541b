package io.teebox.amd.sev.firmware.internal;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.amd.abi.SevAttestationReport;
import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevPolicy;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.GuestContext;
import io.teebox.amd.sp.PlatformStatus;
import io.teebox.amd.sp.SevGuestContext;
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
import io.teebox.api.tee.LaunchDefaults;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TeeKind;

/**
 * The AMD SEV and SEV-ES firmware module: guest launch (LAUNCH_START .. LAUNCH_FINISH), guest-context commands and the
 * memory controller's AES-128 engine for the SEV ASID range. All state lives in the {@link AmdSecureProcessor}, so
 * stopping or updating this bundle is a firmware update that running guests survive.
 */
public abstract class SevFirmware implements TeeBackend, MemoryEncryption, LaunchService, AttestationService {

    /** The evidence format of the ATTESTATION command's report. */
    public static final String EVIDENCE_FORMAT = "sev-attestation";

    /** Which firmware personality a backend bundle runs. */
    public enum Mode {
        /** Legacy SEV: SEV ASIDs, no register protection. */
        SEV("sev", AsidPool.SEV, "SEV"),
        /** SEV-ES: SEV-ES/SNP ASIDs, VMSAs encrypted and measured. */
        SEV_ES("sev-es", AsidPool.SEV_ES_SNP, "SEV-ES");

        final String type;
        final AsidPool pool;
        final String label;

        Mode(String type, AsidPool pool, String label) {
            this.type = type;
            this.pool = pool;
            this.label = label;
        }
    }

    private final AmdSecureProcessor sp;
    final Mode mode;
    final SecureRandom random = new SecureRandom();

    /**
     * @param sp the secure processor
     * @param mode the personality
     */
    protected SevFirmware(AmdSecureProcessor sp, Mode mode) {
        this.sp = sp;
        this.mode = mode;
    }

    /** @return the secure processor */
    public AmdSecureProcessor sp() {
        return sp;
    }

    @Override
    public BackendDescriptor descriptor() {
        PlatformStatus ps = sp.platformStatus();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("platform state", ps.state() == 2 ? "WORKING" : Integer.toString(ps.state()));
        props.put("guests", Integer.toString(ps.guestCount()));
        props.put("memory cipher", "AES-128 (XTS with host-physical-address tweak), one key per ASID");
        EnumSet<Capability> caps = EnumSet.of(Capability.MEMORY_ENCRYPTION, Capability.LAUNCH_MEASUREMENT,
                Capability.LAUNCH_SECRET, Capability.DEBUG_ACCESS);
        if (mode == Mode.SEV_ES) {
            caps.add(Capability.REGISTER_ENCRYPTION);
        }
        LaunchDefaults defaults = mode == Mode.SEV_ES
                ? new LaunchDefaults(0x5, "policy", "NODBG, ES", "EPYC-v4", io.teebox.kit.x86.CpuModels.known())
                : new LaunchDefaults(0x1, "policy", "NODBG", "EPYC-v4", io.teebox.kit.x86.CpuModels.known());
        return new BackendDescriptor(mode.type, "AMD", TeeKind.CPU, "x86_64", "EPYC (" + sp.productLine() + ") "
                + mode.label, caps, sp.firmwareVersion(), sp.tcb(), limits(), defaults, props);
    }

    @Override
    public Map<String, byte[]> platformCertificates() {
        return sp.platformCertificates();
    }

    @Override
    public KeySlotLimits limits() {
        return sp.asidLimits(mode.pool);
    }

    private static int asid(KeySlot slot) {
        if (!"ASID".equals(slot.kind())) {
            throw SevStatus.INVALID_ASID.error("key slot " + slot + " is not an ASID");
        }
        return slot.id();
    }

    @Override
    public byte[] encryptPage(KeySlot slot, long hostPhysicalAddress, byte[] plaintext) {
        return sp.encryptPage(asid(slot), hostPhysicalAddress, plaintext);
    }

    @Override
    public byte[] decryptPage(KeySlot slot, long hostPhysicalAddress, byte[] ciphertext) {
        return sp.decryptPage(asid(slot), hostPhysicalAddress, ciphertext);
    }

    @Override
    public HostAccessOutcome hostAccess(HostAccess access) {
        return switch (access) {
            case READ -> new HostAccessOutcome(HostAccessOutcome.Effect.CIPHERTEXT,
                    "the host reads the AES ciphertext of the page");
            case WRITE -> new HostAccessOutcome(HostAccessOutcome.Effect.UNDETECTED,
                    "SEV has no memory integrity: the write lands and the guest decrypts garbage");
            case REMAP -> new HostAccessOutcome(HostAccessOutcome.Effect.UNDETECTED,
                    "SEV has no memory integrity: a host page remapped to another GPA still decrypts (its tweak is its "
                            + "host address), so the guest silently reads the wrong data; copying ciphertext to another "
                            + "host page gives garbage, also undetected");
            case REPLAY -> new HostAccessOutcome(HostAccessOutcome.Effect.UNDETECTED,
                    "SEV has no memory integrity: an old ciphertext put back at the same address decrypts to the "
                            + "old plaintext, undetected");
        };
    }

    @Override
    public LaunchSession begin(LaunchRequest request, GuestMemory memory) {
        return SevLaunchSession.start(this, request, memory);
    }

    @Override
    public GuestStatus status(long handle) {
        GuestContext c = sp.context(handle);
        synchronized (c) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("policy flags", new SevPolicy(c.policy()).toString());
            details.put("active", Boolean.toString(sp.isActive(handle)));
            return new GuestStatus(handle, c.state().name(), sp.isActive(handle) ? new KeySlot("ASID", c.asid())
                    : null, c.policy(), details);
        }
    }

    @Override
    public String state(long handle) {
        GuestContext c = sp.context(handle);
        synchronized (c) {
            return c.state().name();
        }
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
        if (new SevPolicy(c.policy()).has(SevPolicy.NODBG)) {
            throw SevStatus.POLICY_FAILURE.error("DBG_DECRYPT refused: the guest policy sets NODBG");
        }
        return sp.decryptRange(c.asid(), memory, gpa, length);
    }

    @Override
    public String format() {
        return EVIDENCE_FORMAT;
    }

    /**
     * ATTESTATION (0x36): the launch digest LAUNCH_MEASURE finalized, the guest policy and the caller's MNONCE,
     * signed with the PEK. The evidence carries the PEK, OCA and CEK certificates (SEV format) a verifier needs.
     *
     * @param reportData the MNONCE, at most 16 bytes (zero-padded)
     * @throws io.teebox.api.tee.TeeException INVALID_LENGTH for a longer MNONCE, INVALID_GUEST_STATE before
     *             LAUNCH_MEASURE, INVALID_COMMAND on firmware older than API 0.17
     */
    @Override
    public Evidence attest(long handle, GuestMemory memory, byte[] reportData) {
        FirmwareVersion fw = sp.firmwareVersion();
        if (fw.major() == 0 && fw.minor() < 17) {
            throw SevStatus.INVALID_COMMAND.error("ATTESTATION needs SEV API 0.17 or later; this firmware is API "
                    + fw.major() + "." + fw.minor());
        }
        if (reportData.length > 16) {
            throw SevStatus.INVALID_LENGTH.error("ATTESTATION: the MNONCE is 16 bytes, got " + reportData.length);
        }
        SevGuestContext c = sp.sevContext(handle);
        SevAttestationReport report;
        synchronized (c) {
            boolean measured = c.state() == SevGuestState.LSECRET || c.state() == SevGuestState.RUNNING;
            byte[] digest = c.launchDigest();
            if (!measured || digest == null) {
                throw SevStatus.INVALID_GUEST_STATE.error("ATTESTATION: the guest is " + c.state() + "; its launch "
                        + "digest is final once LAUNCH_MEASURE has run (LSECRET or RUNNING)");
            }
            report = SevAttestationReport.sign(Arrays.copyOf(reportData, 16), digest, c.policy(), sp::pekSign);
        }
        Map<String, byte[]> certs = sp.platformCertificates();
        return new Evidence(EVIDENCE_FORMAT, report.bytes(), List.of(certs.get("pek"), certs.get("oca"),
                certs.get("cek")), Map.of());
    }
}
