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
import io.teebox.amd.abi.SnpGuestMessage;
import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.abi.TcbVersions;
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
@Component(service = {TeeBackend.class, MemoryEncryption.class, LaunchService.class, AttestationService.class,
    SnpBackend.class}, immediate = true)
@TeeType("sev-snp")
public final class SnpBackend implements TeeBackend, MemoryEncryption, LaunchService, AttestationService {

    static final String FORMAT = "sev-snp-report";
    /** Report version: 3 (5 for Turin). */
    /** The firmware's reason for the last refused guest-message payload per guest, as its log would show it. */
    private final Map<Long, String> refusals = new java.util.concurrent.ConcurrentHashMap<>();
    private final AmdSecureProcessor sp;
    final SecureRandom random = new SecureRandom();

    /**
     * @param sp the secure processor
     */
    @Activate
    public SnpBackend(@Reference AmdSecureProcessor sp) {
        this.sp = sp;
    }

    private volatile KdsServer kds;

    @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY)
    void bindKds(KdsServer server) {
        kds = server;
    }

    void unbindKds(KdsServer server) {
        if (kds == server) {
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
        props.put("report version", Integer.toString(reportVersion()));
        KdsServer k = kds;
        if (k != null) {
            props.put("kds", k.baseUrl() + "/vcek/v1/" + sp.productLine() + "/cert_chain");
        }
        return new BackendDescriptor("sev-snp", "AMD", TeeKind.CPU, "x86_64", "EPYC (" + sp.productLine()
                + ") SEV-SNP", EnumSet.of(Capability.MEMORY_ENCRYPTION, Capability.REGISTER_ENCRYPTION,
                        Capability.MEMORY_INTEGRITY, Capability.LAUNCH_MEASUREMENT, Capability.RUNTIME_ATTESTATION,
                        Capability.KEY_DERIVATION),
                sp.firmwareVersion(), sp.snpTcb(), limits(), new io.teebox.api.tee.LaunchDefaults(0x30000, "policy",
                        "SMT allowed, no debugging, no migration agent", "EPYC-v4",
                        io.teebox.kit.x86.CpuModels.known()), props);
    }

    @Override
    public String returnCodeName(String operation, long code) {
        // PVALIDATE and RMPADJUST return codes (AMD APM vol. 3)
        return code == 0 ? "success" : code == 1 ? "FAIL_INPUT" : code == 2 ? "FAIL_PERMISSION"
                : code == 6 ? "FAIL_SIZEMISMATCH" : code == 255 ? "no change (FAIL_UNCHANGED)" : "";
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
    public void assignPage(KeySlot slot, long gpa, long hpa) {
        sp.rmp().update(hpa, slot.id(), gpa);
    }

    @Override
    public void releasePage(KeySlot slot, long gpa, long hpa) {
        io.teebox.amd.sp.Rmp.Entry e = sp.rmp().entry(hpa);
        if (e.assigned() && e.asid() == slot.id()) {
            sp.rmp().update(hpa, 0, gpa);
        }
    }

    @Override
    public int acceptPage(KeySlot slot, long gpa, long hpa, boolean accept) {
        return sp.rmp().pvalidate(slot.id(), gpa, hpa, accept);
    }

    @Override
    public byte[] guestDecrypt(KeySlot slot, long gpa, long hpa, byte[] ciphertext) {
        sp.rmp().checkGuestAccess(slot.id(), gpa, hpa);
        return sp.decryptPage(slot.id(), hpa, ciphertext);
    }

    @Override
    public byte[] guestEncrypt(KeySlot slot, long gpa, long hpa, byte[] plaintext) {
        sp.rmp().checkGuestAccess(slot.id(), gpa, hpa);
        return sp.encryptPage(slot.id(), hpa, plaintext);
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
            Map<Long, io.teebox.amd.sp.Rmp.Entry> rmp = sp.rmp().entries(c.asid);
            details.put("rmp entries", Integer.toString(rmp.size()));
            int shown = 0;
            for (Map.Entry<Long, io.teebox.amd.sp.Rmp.Entry> e : rmp.entrySet()) {
                if (shown++ == 64) {
                    details.put("rmp ...", (rmp.size() - 64) + " more");
                    break;
                }
                details.put(String.format("rmp 0x%X", e.getKey()), String.format("GPA 0x%X %s", e.getValue().gpa(),
                        e.getValue().state()));
            }
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
        return sp.decryptRange(c.asid, memory, gpa, length);
    }

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
        if (reportData == null || reportData.length > 64) {
            throw SevStatus.INVALID_PARAM.error("REPORT_DATA is at most 64 bytes, got "
                    + (reportData == null ? "none" : reportData.length));
        }
        byte[] req = SnpGuestMessage.REPORT_REQ_LAYOUT.create().set("REPORT_DATA", java.util.Arrays.copyOf(reportData,
                64)).toBytes();
        byte[] rsp = guestRoundTrip(handle, SnpGuestMessage.REPORT_REQ, req);
        checkResponseStatus(handle, "MSG_REPORT_REQ", rsp);
        byte[] report = java.util.Arrays.copyOfRange(rsp, 0x20, 0x20 + SnpReport.SIZE);
        List<byte[]> chain = new ArrayList<>();
        try {
            TcbVersion tcb = TcbVersions.decode(sp.productLine(), io.teebox.kit.codec.LittleEndian.u64(report, 0x180));
            String csp = sp.vlekCspId();
            if (csp == null) {
                for (X509Certificate cert : sp.keys().chain(tcb)) {
                    chain.add(cert.getEncoded());
                }
            } else {
                chain.add(sp.keys().vlek(tcb, csp).getEncoded());
                chain.add(sp.keys().asvk().certificate().getEncoded());
                chain.add(sp.keys().ark().getEncoded());
            }
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        Map<java.util.UUID, byte[]> table = new LinkedHashMap<>();
        table.put(sp.vlekCspId() == null ? io.teebox.amd.abi.SnpCertTable.VCEK : io.teebox.amd.abi.SnpCertTable.VLEK,
                chain.get(0));
        table.put(io.teebox.amd.abi.SnpCertTable.ASK, chain.get(1));
        table.put(io.teebox.amd.abi.SnpCertTable.ARK, chain.get(2));
        // like an attester that bundles the KDS's CRL, so verifiers can check revocation offline
        return new Evidence(FORMAT, report, chain, Map.of("certificate-table",
                io.teebox.amd.abi.SnpCertTable.build(table), SnpReportVerifier.ATTACHMENT_CRL,
                io.teebox.kit.x509.X509Authority.toDer(KdsServer.arkCrl(sp.keys()))));
    }

    /**
     * SNP_GUEST_REQUEST: opens a guest message sealed with one of the guest's VMPCKs, requires the next sequence
     * number (a replayed or skipped one is refused), and answers MSG_REPORT_REQ with a sealed MSG_REPORT_RSP.
     *
     * @param handle the guest
     * @param request header and ciphertext
     * @return the sealed response
     */
    public byte[] guestRequest(long handle, byte[] request) {
        GuestContext c = sp.context(handle);
        synchronized (c) {
            if (c.state != io.teebox.amd.abi.SevGuestState.RUNNING) {
                throw SevStatus.INVALID_GUEST_STATE.error("SNP_GUEST_REQUEST needs a RUNNING guest; guest " + handle
                        + " is in " + c.state);
            }
            var h = SnpGuestMessage.header(request);
            int idx = h.u8("MSG_VMPCK");
            if (idx > 3 || c.secretsPage == null) {
                throw SevStatus.INVALID_PARAM.error("MSG_VMPCK " + idx + " names no key of this guest");
            }
            byte[] vmpck = java.util.Arrays.copyOfRange(c.secretsPage, 0x20 + 32 * idx, 0x40 + 32 * idx);
            byte[] payload = SnpGuestMessage.open(vmpck, request);
            long seq = h.u64("MSG_SEQNO");
            if (seq != c.msgSeqno[idx] + 1) {
                throw SevStatus.INVALID_PARAM.error(String.format("MSG_SEQNO %d is not the expected %d: the message "
                        + "is replayed or out of order", seq, c.msgSeqno[idx] + 1));
            }
            if (h.u8("MSG_TYPE") == SnpGuestMessage.KEY_REQ) {
                // A well-formed message with a payload the firmware refuses is still answered: MSG_KEY_RSP with
                // STATUS INVALID_PARAM under the next sequence number, so the channel stays in step.
                byte[] rsp = new byte[0x40];
                try {
                    System.arraycopy(deriveKey(c, payload), 0, rsp, 0x20, 32);
                } catch (io.teebox.api.tee.TeeException e) {
                    io.teebox.kit.codec.LittleEndian.put32(rsp, 0, e.status().code());
                    refusals.put(handle, e.getMessage().substring(e.status().toString().length() + 2));
                }
                c.msgSeqno[idx] = seq + 1;
                return SnpGuestMessage.seal(vmpck, idx, seq + 1, SnpGuestMessage.KEY_RSP, rsp);
            }
            if (h.u8("MSG_TYPE") != SnpGuestMessage.REPORT_REQ || payload.length != 0x60) {
                throw SevStatus.INVALID_PARAM.error("MSG_TYPE " + h.u8("MSG_TYPE") + " with " + payload.length
                        + " payload bytes is not a MSG_REPORT_REQ (type 5, 96 bytes)");
            }
            var req = SnpGuestMessage.REPORT_REQ_LAYOUT.parse(payload);
            long vmpl = req.u32("VMPL");
            c.msgSeqno[idx] = seq + 1;
            if (vmpl > 3) {
                refusals.put(handle, "MSG_REPORT_REQ VMPL " + vmpl + " is not 0..3");
                byte[] refused = new byte[0x20];
                io.teebox.kit.codec.LittleEndian.put32(refused, 0, SevStatus.INVALID_PARAM.code());
                return SnpGuestMessage.seal(vmpck, idx, seq + 1, SnpGuestMessage.REPORT_RSP, refused);
            }
            byte[] rsp = new byte[0x20 + SnpReport.SIZE];
            io.teebox.kit.codec.LittleEndian.put32(rsp, 4, SnpReport.SIZE);
            System.arraycopy(report(c, req.bytes("REPORT_DATA"), (int) vmpl), 0, rsp, 0x20, SnpReport.SIZE);
            return SnpGuestMessage.seal(vmpck, idx, seq + 1, SnpGuestMessage.REPORT_RSP, rsp);
        }
    }

    /**
     * MSG_KEY_REQ. AMD's derivation is firmware-internal; teebox's, documented here, is
     * {@code HMAC-SHA256(root, "teebox-snp-key" || VMPL u32 || GUEST_FIELD_SELECT u64 || selected fields)} where root
     * is the chip's VCEK-bound secret for the requested TCB and the selected fields are, in bit order, POLICY (u64),
     * IMAGE_ID, FAMILY_ID, MEASUREMENT, GUEST_SVN (the requested u32) and TCB_VERSION (the requested u64). The same
     * guest, fields and request always give the same key; changing any selected field changes it.
     */
    private byte[] deriveKey(GuestContext c, byte[] payload) {
        io.teebox.kit.codec.Struct req;
        try {
            req = SnpGuestMessage.KEY_REQ_LAYOUT.parse(payload);
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_PARAM.error(e.getMessage());
        }
        if ((req.u32("ROOT_KEY_SELECT") & 1) != 0) {
            throw SevStatus.INVALID_PARAM.error("ROOT_KEY_SELECT asks for the VMRK; this guest has no migration "
                    + "agent");
        }
        long select = req.u64("GUEST_FIELD_SELECT");
        if ((select >>> 7) != 0 || (select & 1L << 6) != 0) {
            throw SevStatus.INVALID_PARAM.error(String.format("GUEST_FIELD_SELECT 0x%X sets reserved or unsupported "
                    + "bits (only 5:0 are supported)", select));
        }
        if (req.u32("VMPL") > 3) {
            throw SevStatus.INVALID_PARAM.error("VMPL " + req.u32("VMPL") + " is not 0..3");
        }
        if (req.u32("GUEST_SVN") > c.guestSvn) {
            throw SevStatus.INVALID_PARAM.error("GUEST_SVN " + req.u32("GUEST_SVN") + " is above the launch SVN "
                    + c.guestSvn);
        }
        TcbVersion committed = sp.snpTcb();
        long tcb = req.u64("TCB_VERSION");
        for (int b = 0; b < 8; b++) {
            if (((tcb >>> (8 * b)) & 0xFF) > ((committed.asLong() >>> (8 * b)) & 0xFF)) {
                throw SevStatus.INVALID_PARAM.error(String.format("TCB_VERSION 0x%016X is above the committed TCB "
                        + "0x%016X", tcb, committed.asLong()));
            }
        }
        java.io.ByteArrayOutputStream m = new java.io.ByteArrayOutputStream();
        m.writeBytes("teebox-snp-key".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        m.writeBytes(java.util.Arrays.copyOfRange(payload, 0x10, 0x14));
        m.writeBytes(java.util.Arrays.copyOfRange(payload, 0x08, 0x10));
        byte[] p = new byte[8];
        io.teebox.kit.codec.LittleEndian.put64(p, 0, c.policy);
        byte[][] fields = {p, c.imageId, c.familyId, c.snpDigest.digest(), java.util.Arrays.copyOfRange(payload,
            0x14, 0x18), java.util.Arrays.copyOfRange(payload, 0x18, 0x20)};
        for (int bit = 0; bit < fields.length; bit++) {
            if ((select & 1L << bit) != 0) {
                m.writeBytes(fields[bit]);
            }
        }
        TcbVersion at;
        try {
            at = TcbVersions.decode(sp.productLine(), tcb == 0 ? committed.asLong() : tcb);
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_PARAM.error(e.getMessage());
        }
        return io.teebox.kit.crypto.Hmac.sha256(sp.keys().derivationRoot(at), m.toByteArray());
    }

    /**
     * @param handle a guest's firmware handle
     * @return the guest's SNP interface, bound to it
     */
    io.teebox.amd.snp.SnpGuest guest(long handle) {
        return new io.teebox.amd.snp.SnpGuest() {
            @Override
            public int rmpadjust(long gpa, int targetVmpl, int perms, boolean vmsa) {
                return SnpBackend.this.rmpadjust(handle, gpa, targetVmpl, perms, vmsa);
            }

            @Override
            public byte[] derivedKey(long fieldSelect, int guestSvn, long tcb) {
                return SnpBackend.this.derivedKey(handle, fieldSelect, guestSvn, tcb);
            }

            @Override
            public Map<Long, String> rmp() {
                return SnpBackend.this.rmp(handle);
            }
        };
    }

    int rmpadjust(long handle, long gpa, int targetVmpl, int perms, boolean vmsa) {
        GuestContext c = sp.context(handle);
        return sp.rmp().rmpadjust(c.asid, gpa, targetVmpl, perms, vmsa);
    }

    byte[] derivedKey(long handle, long fieldSelect, int guestSvn, long tcb) {
        byte[] req = SnpGuestMessage.KEY_REQ_LAYOUT.create().set("GUEST_FIELD_SELECT", fieldSelect)
                .set("GUEST_SVN", guestSvn & 0xFFFF_FFFFL).set("TCB_VERSION", tcb).toBytes();
        byte[] rsp = guestRoundTrip(handle, SnpGuestMessage.KEY_REQ, req);
        checkResponseStatus(handle, "MSG_KEY_REQ", rsp);
        return java.util.Arrays.copyOfRange(rsp, 0x20, 0x40);
    }

    /**
     * The guest's side of one SNP_GUEST_REQUEST as Linux's sev-guest driver does it: seal with VMPCK0 under the
     * next sequence number from the secrets page's OS area, send, open the response. The guest's counter moves on
     * (by two: request and response) only when the firmware answered, so a request the firmware refused before
     * consuming it leaves both sides in step; the whole exchange holds the guest context, as one vCPU would.
     */
    private byte[] guestRoundTrip(long handle, int type, byte[] payload) {
        GuestContext c = sp.context(handle);
        synchronized (c) {
            if (c.secretsPage == null) {
                throw SevStatus.INVALID_GUEST_STATE.error("guest " + handle + " has no secrets page (no SECRETS "
                        + "page was launched), so it has no VMPCK to talk to the firmware");
            }
            byte[] vmpck = java.util.Arrays.copyOfRange(c.secretsPage, 0x20, 0x40);
            long seq = c.guestSeqno[0];
            byte[] sealed = guestRequest(handle, SnpGuestMessage.seal(vmpck, 0, seq, type, payload));
            c.guestSeqno[0] += 2;
            return SnpGuestMessage.open(vmpck, sealed);
        }
    }

    /**
     * A response's STATUS (u32 at 0): 0, or the status the firmware refused the payload with; the firmware's own
     * reason (what a real device would only log) is added to the message.
     */
    private void checkResponseStatus(long handle, String request, byte[] rsp) {
        long status = io.teebox.kit.codec.LittleEndian.u32(rsp, 0);
        if (status != 0) {
            String reason = refusals.remove(handle);
            throw new io.teebox.api.tee.TeeException(new io.teebox.api.tee.FirmwareStatus(SevStatus.VENDOR,
                    status == SevStatus.INVALID_PARAM.code() ? "INVALID_PARAM" : "STATUS", status),
                    "the firmware refused the " + request + " payload (STATUS of its response)"
                            + (reason == null ? "" : ": " + reason) + "; the guest channel stays in step");
        }
    }

    Map<Long, String> rmp(long handle) {
        GuestContext c = sp.context(handle);
        Map<Long, String> out = new LinkedHashMap<>();
        sp.rmp().entries(c.asid).forEach((hpa, e) -> out.put(hpa, String.format("GPA 0x%X %-13s%s VMPL1-3 perms "
                + "0x%06X", e.gpa(), e.state(), e.vmsa() ? " VMSA" : "", e.vmplPerms())));
        return out;
    }

    /** Builds and signs a report; the caller holds the context's monitor. */
    private byte[] report(GuestContext c, byte[] data, int vmpl) {
        TcbVersion tcb = sp.snpTcb();
        String csp = sp.vlekCspId();
        SnpReport r = SnpReport.create(reportVersion());
        var fw = sp.firmwareVersion();
        byte[] ma = new byte[32];
        java.util.Arrays.fill(ma, (byte) 0xFF);
        r.fields().set("GUEST_SVN", c.guestSvn).set("POLICY", c.policy).set("VMPL", vmpl)
                .set("FAMILY_ID", c.familyId).set("IMAGE_ID", c.imageId).set("ID_KEY_DIGEST", c.idKeyDigest)
                .set("AUTHOR_KEY_DIGEST", c.authorKeyDigest)
                .set("SIGNATURE_ALGO", SnpReport.ALGO_ECDSA_P384_SHA384).set("CURRENT_TCB", tcb.asLong())
                .set("PLATFORM_INFO", 0x1).set("KEY_INFO", (c.authorKeyEn ? 1 : 0) | (csp == null ? 0 : 1 << 2))
                .set("REPORT_DATA", data)
                .set("MEASUREMENT", c.snpDigest.digest()).set("HOST_DATA", c.hostData)
                .set("REPORT_ID", c.reportId).set("REPORT_ID_MA", ma).set("REPORTED_TCB", tcb.asLong())
                .set("CHIP_ID", sp.keys().chipId()).set("COMMITTED_TCB", tcb.asLong())
                .set("CURRENT_BUILD", fw.part(2)).set("CURRENT_MINOR", fw.minor()).set("CURRENT_MAJOR", fw.major())
                .set("COMMITTED_BUILD", fw.part(2)).set("COMMITTED_MINOR", fw.minor())
                .set("COMMITTED_MAJOR", fw.major()).set("LAUNCH_TCB", c.launchTcb);
        int[] fms = switch (sp.productLine()) {
            case "Genoa" -> new int[] {0x19, 0x11, 0x1};
            case "Turin" -> new int[] {0x1A, 0x02, 0x0};
            default -> new int[] {0x19, 0x01, 0x1};
        };
        r.fields().set("CPUID_FAM_ID", fms[0]).set("CPUID_MOD_ID", fms[1]).set("CPUID_STEP", fms[2]);
        java.security.PrivateKey key = csp == null ? sp.keys().vcekKeys(tcb).getPrivate()
                : sp.keys().vlekKeys(tcb, csp).getPrivate();
        BigInteger[] rs = Signatures.ecdsaSign(key, "SHA-384", r.signedBytes());
        return r.sign(rs[0], rs[1]).bytes();
    }
}
