package io.teebox.amd.snp.internal;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.abi.SnpPolicy;
import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.GuestContext;
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
import io.teebox.api.tee.TcbVersion;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeKind;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.crypto.Signatures;

/**
 * The AMD SEV-SNP firmware module: SNP_LAUNCH_START/UPDATE/FINISH with page types measured into the PAGE_INFO
 * digest, AES-256-XTS memory whose host writes fault through the RMP, and ATTESTATION_REPORTs signed by the VCEK of
 * the reported TCB. Guest contexts live in the AMD Secure Processor, so an update of this bundle (a new TCB in
 * {@code io.teebox.amd.sp}) keeps running guests, and their next report carries the new TCB.
 */
@Component(service = {TeeBackend.class, MemoryEncryption.class, LaunchService.class, AttestationService.class},
        immediate = true)
@TeeType("sev-snp")
public final class SnpBackend implements TeeBackend, MemoryEncryption, LaunchService, AttestationService {

    static final String FORMAT = "sev-snp-report";
    /** Report version: 3 (5 for Turin). */
    private final AmdSecureProcessor sp;
    final SecureRandom random = new SecureRandom();

    /**
     * @param sp the secure processor
     */
    @Activate
    public SnpBackend(@Reference AmdSecureProcessor sp) {
        this.sp = sp;
    }

    AmdSecureProcessor sp() {
        return sp;
    }

    @Override
    public BackendDescriptor descriptor() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("memory cipher", "AES-256-XTS with host-physical-address tweak; RMP ownership checks");
        props.put("report version", Integer.toString(reportVersion()));
        props.put(BackendDescriptor.FIRMWARE_LAYOUT, BackendDescriptor.LAYOUT_OVMF_SNP);
        return new BackendDescriptor("sev-snp", "AMD", TeeKind.CPU, "EPYC (" + sp.productLine() + ") SEV-SNP",
                EnumSet.of(Capability.MEMORY_ENCRYPTION, Capability.REGISTER_ENCRYPTION, Capability.MEMORY_INTEGRITY,
                        Capability.LAUNCH_MEASUREMENT, Capability.RUNTIME_ATTESTATION),
                sp.firmwareVersion(), sp.snpTcb(), limits(), props);
    }

    int reportVersion() {
        return "Turin".equals(sp.productLine()) ? 5 : 3;
    }

    @Override
    public Map<String, byte[]> platformCertificates() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try {
            out.put("ark", sp.keys().ark().getEncoded());
            out.put("ask", sp.keys().ask().getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Override
    public KeySlotLimits limits() {
        return sp.asidLimits(AsidPool.SEV_ES_SNP);
    }

    @Override
    public byte[] encryptPage(KeySlot slot, long hpa, byte[] plaintext) {
        return sp.encryptPage(slot.id(), hpa, plaintext);
    }

    @Override
    public byte[] decryptPage(KeySlot slot, long hpa, byte[] ciphertext) {
        return sp.decryptPage(slot.id(), hpa, ciphertext);
    }

    @Override
    public HostAccessOutcome hostAccess(HostAccess access) {
        return switch (access) {
            case READ -> new HostAccessOutcome(HostAccessOutcome.Effect.CIPHERTEXT,
                    "the host reads the AES-256-XTS ciphertext of the page");
            case WRITE -> new HostAccessOutcome(HostAccessOutcome.Effect.HOST_FAULT,
                    "RMP #NPF: the page is assigned to the guest in the RMP; the host write faults and nothing "
                            + "changes");
            case REMAP -> new HostAccessOutcome(HostAccessOutcome.Effect.GUEST_EXCEPTION,
                    "the RMP entry records the page's GPA: the guest's next access at another GPA raises #VC");
            case REPLAY -> new HostAccessOutcome(HostAccessOutcome.Effect.HOST_FAULT,
                    "RMP #NPF: putting back old ciphertext is a host write to a guest-owned page");
        };
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
            details.put("policy flags", new SnpPolicy(c.policy).toString());
            details.put("active", Boolean.toString(sp.isActive(handle)));
            String state = switch (c.state) {
                case UNINIT -> "INIT";
                case RUNNING -> "RUNNING";
                default -> "LAUNCH";
            };
            return new GuestStatus(handle, state, sp.isActive(handle) ? new KeySlot("ASID", c.asid) : null, c.policy,
                    details);
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
        if (!new SnpPolicy(c.policy).has(SnpPolicy.DEBUG)) {
            throw SevStatus.POLICY_FAILURE.error("SNP_DBG_DECRYPT refused: the guest policy does not set DEBUG");
        }
        byte[] out = new byte[length];
        for (int off = 0; off < length;) {
            long page = (gpa + off) & ~0xFFFL;
            int in = (int) (gpa + off - page);
            int n = Math.min(4096 - in, length - off);
            byte[] plain = sp.decryptPage(c.asid, memory.hostPhysicalAddress(page), memory.readPage(page));
            System.arraycopy(plain, in, out, off, n);
            off += n;
        }
        return out;
    }

    @Override
    public String format() {
        return FORMAT;
    }

    /** MSG_REPORT_REQ at VMPL 0: a report of the guest signed with the VCEK of the current TCB. */
    @Override
    public Evidence attest(long handle, GuestMemory memory, byte[] reportData) {
        if (reportData == null || reportData.length > 64) {
            throw SevStatus.INVALID_PARAM.error("REPORT_DATA is at most 64 bytes, got "
                    + (reportData == null ? "none" : reportData.length));
        }
        GuestContext c = sp.context(handle);
        byte[] data = java.util.Arrays.copyOf(reportData, 64);
        SnpReport r;
        TcbVersion tcb = sp.snpTcb();
        synchronized (c) {
            if (c.state != io.teebox.amd.abi.SevGuestState.RUNNING) {
                throw SevStatus.INVALID_GUEST_STATE.error("MSG_REPORT_REQ needs a RUNNING guest; guest " + handle
                        + " is in " + c.state);
            }
            r = SnpReport.create(reportVersion());
            var fw = sp.firmwareVersion();
            byte[] ma = new byte[32];
            java.util.Arrays.fill(ma, (byte) 0xFF);
            r.fields().set("GUEST_SVN", 0).set("POLICY", c.policy).set("VMPL", 0)
                    .set("SIGNATURE_ALGO", SnpReport.ALGO_ECDSA_P384_SHA384).set("CURRENT_TCB", tcb.raw())
                    .set("PLATFORM_INFO", 0x1).set("KEY_INFO", 0).set("REPORT_DATA", data)
                    .set("MEASUREMENT", c.snpDigest.digest()).set("HOST_DATA", c.hostData)
                    .set("REPORT_ID", c.reportId).set("REPORT_ID_MA", ma).set("REPORTED_TCB", tcb.raw())
                    .set("CHIP_ID", sp.keys().chipId()).set("COMMITTED_TCB", tcb.raw())
                    .set("CURRENT_BUILD", fw.build()).set("CURRENT_MINOR", fw.minor()).set("CURRENT_MAJOR", fw.major())
                    .set("COMMITTED_BUILD", fw.build()).set("COMMITTED_MINOR", fw.minor())
                    .set("COMMITTED_MAJOR", fw.major()).set("LAUNCH_TCB", c.launchTcb);
            int[] fms = switch (sp.productLine()) {
                case "Genoa" -> new int[] {0x19, 0x11, 0x1};
                case "Turin" -> new int[] {0x1A, 0x02, 0x0};
                default -> new int[] {0x19, 0x01, 0x1};
            };
            r.fields().set("CPUID_FAM_ID", fms[0]).set("CPUID_MOD_ID", fms[1]).set("CPUID_STEP", fms[2]);
        }
        BigInteger[] rs = Signatures.ecdsaSign(sp.keys().vcekKeys(tcb).getPrivate(), "SHA-384", r.signedBytes());
        r.sign(rs[0], rs[1]);
        List<byte[]> chain = new ArrayList<>();
        try {
            for (X509Certificate cert : sp.keys().chain(tcb)) {
                chain.add(cert.getEncoded());
            }
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return new Evidence(FORMAT, r.bytes(), chain, Map.of());
    }
}
