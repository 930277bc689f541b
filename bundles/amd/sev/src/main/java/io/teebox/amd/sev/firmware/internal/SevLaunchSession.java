package io.teebox.amd.sev.firmware.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.teebox.amd.abi.SecretHeader;
import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevPolicy;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.CommandLog;
import io.teebox.amd.sp.SevGuestContext;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.hex.Hex;

/**
 * One SEV guest's launch: the LAUNCH_* commands on a guest context held by the secure processor. Each command checks
 * its parameters, logs its status, and moves guest memory through the memory controller; the context keeps the keys
 * and the launch digest and refuses what the state machine forbids.
 */
final class SevLaunchSession implements LaunchSession {

    private static final int PAGE = 4096;
    /** Host-physical tweak base of the VMSA pages (they live outside guest memory). */
    static final long VMSA_TWEAK_BASE = 0xFFFF_F000_0000_0000L;

    private final SevFirmware backend;
    private final AmdSecureProcessor sp;
    private final SevGuestContext ctx;
    private final GuestMemory memory;
    private final CommandLog log;

    private SevLaunchSession(SevFirmware backend, SevGuestContext ctx, GuestMemory memory, CommandLog log) {
        this.backend = backend;
        this.sp = backend.sp();
        this.ctx = ctx;
        this.memory = memory;
        this.log = log;
    }

    /** LAUNCH_START then ACTIVATE; a refused LAUNCH_START allocates nothing (and has no session to log to). */
    static SevLaunchSession start(SevFirmware backend, LaunchRequest request, GuestMemory memory) {
        AmdSecureProcessor sp = backend.sp();
        SevPolicy policy = new SevPolicy(request.policy());
        FirmwareVersion fw = sp.firmwareVersion();
        if (backend.mode == SevFirmware.Mode.SEV_ES && !policy.has(SevPolicy.ES)) {
            throw SevStatus.POLICY_FAILURE.error("policy " + policy + " lacks bit ES (0x4); an SEV-ES launch "
                    + "requires it");
        }
        if (backend.mode == SevFirmware.Mode.SEV && policy.has(SevPolicy.ES)) {
            throw SevStatus.POLICY_FAILURE.error("policy " + policy + " requires SEV-ES; launch it on the "
                    + "sev-es backend");
        }
        if (!fw.atLeast(policy.apiMajor(), policy.apiMinor())) {
            throw SevStatus.POLICY_FAILURE.error("policy requires firmware API " + policy.apiMajor() + "."
                    + policy.apiMinor() + " or later; the platform runs " + fw);
        }
        OwnerSession keys = OwnerSession.of(sp, request, policy, backend.random);
        SevGuestContext ctx = sp.createSevContext(backend.mode.pool, policy.value());
        ctx.launchStart(keys.tek(), keys.tik());
        CommandLog log = new CommandLog();
        log.success("LAUNCH_START", String.format("handle=%d asid=%d policy=%s", ctx.handle(), ctx.asid(), policy));
        sp.activate(ctx.handle());
        log.success("ACTIVATE", "handle=" + ctx.handle() + " asid=" + ctx.asid());
        return new SevLaunchSession(backend, ctx, memory, log);
    }

    private void requireState(String command, SevGuestState wanted) {
        if (ctx.state() != wanted) {
            throw log.refuse(command, SevStatus.INVALID_GUEST_STATE, command + " is not allowed in guest state "
                    + ctx.state() + " (needs " + wanted + ")");
        }
    }

    @Override
    public long handle() {
        return ctx.handle();
    }

    @Override
    public KeySlot keySlot() {
        return new KeySlot("ASID", ctx.asid());
    }

    @Override
    public void addPages(long gpa, long length, PageType type) {
        String cmd = "LAUNCH_UPDATE_DATA";
        synchronized (ctx) {
            requireState(cmd, SevGuestState.LUPDATE);
            if (ctx.anyVmsaLaunched()) {
                throw log.refuse(cmd, SevStatus.INVALID_GUEST_STATE, "LAUNCH_UPDATE_DATA after "
                        + "LAUNCH_UPDATE_VMSA: the VMSAs close the measured data");
            }
            if (type != PageType.NORMAL) {
                throw log.refuse(cmd, SevStatus.UNSUPPORTED, "SEV measures and encrypts data pages only; page type "
                        + type + " needs SEV-SNP");
            }
            if ((gpa & 0xF) != 0 || length <= 0 || length > (256L << 20)) {
                throw log.refuse(cmd, SevStatus.INVALID_ADDRESS, String.format(
                        "region 0x%X+0x%X must start 16-byte aligned and be 1 byte .. 256 MiB", gpa, length));
            }
            long first = gpa & ~0xFFFL;
            long end = gpa + length;
            for (long p = first; p < end; p += PAGE) {
                if (ctx.launched(p)) {
                    throw log.refuse(cmd, SevStatus.INVALID_PARAM, String.format(
                            "page 0x%X is already encrypted by this launch", p));
                }
            }
            for (long p = first; p < end; p += PAGE) {
                byte[] raw = memory.readPage(p);
                ctx.measureData(p, raw, (int) (Math.max(gpa, p) - p), (int) (Math.min(end, p + PAGE) - p));
                memory.writePage(p, sp.encryptPage(ctx.asid(), memory.hostPhysicalAddress(p), raw));
            }
            log.success(cmd, String.format("paddr=0x%X len=0x%X", gpa, length));
        }
    }

    @Override
    public void addVcpuState(int vcpu) {
        String cmd = "LAUNCH_UPDATE_VMSA";
        synchronized (ctx) {
            requireState(cmd, SevGuestState.LUPDATE);
            if (backend.mode != SevFirmware.Mode.SEV_ES) {
                throw log.refuse(cmd, SevStatus.INVALID_GUEST_STATE, "LAUNCH_UPDATE_VMSA needs an SEV-ES guest "
                        + "(policy bit ES); an SEV guest's register state stays with the host");
            }
            if (!ctx.anyLaunched()) {
                throw log.refuse(cmd, SevStatus.INVALID_GUEST_STATE, "LAUNCH_UPDATE_VMSA before any "
                        + "LAUNCH_UPDATE_DATA: the data pages are measured first");
            }
            if (vcpu < 0 || vcpu >= memory.vcpuCount() || ctx.vmsaLaunched(vcpu)) {
                throw log.refuse(cmd, SevStatus.INVALID_PARAM, "vCPU " + vcpu + " does not exist or its VMSA was "
                        + "already measured (vCPUs 0.." + (memory.vcpuCount() - 1) + ")");
            }
            byte[] vmsa = memory.readSaveArea(vcpu);
            ctx.measureVmsa(vcpu, vmsa);
            memory.writeSaveArea(vcpu, sp.encryptPage(ctx.asid(), VMSA_TWEAK_BASE + 4096L * vcpu, vmsa), true);
            log.success(cmd, "vcpu=" + vcpu);
        }
    }

    @Override
    public Measurement measure() {
        synchronized (ctx) {
            requireState("LAUNCH_MEASURE", SevGuestState.LUPDATE);
            byte[] mnonce = new byte[16];
            backend.random.nextBytes(mnonce);
            FirmwareVersion fw = sp.firmwareVersion();
            byte[] out = ctx.launchMeasure(fw, mnonce);
            String m = Hex.encode(java.util.Arrays.copyOf(out, 32));
            log.success("LAUNCH_MEASURE", "measure=" + m + " mnonce=" + Hex.encode(mnonce));
            Map<String, String> fields = new LinkedHashMap<>();
            // the value tee:verify -m and the owner's expectation compare (ATTESTATION reports it); MEASURE is an
            // HMAC over it under the session's TIK, different in every launch
            fields.put("launch_digest", Hex.encode(ctx.launchDigest()));
            fields.put("measure", m);
            fields.put("mnonce", Hex.encode(mnonce));
            fields.put("api", fw.major() + "." + fw.minor());
            fields.put("build", Integer.toString(fw.part(2)));
            fields.put("policy", new SevPolicy(ctx.policy()).toString());
            return new Measurement("sev-launch-measure", out, fields);
        }
    }

    @Override
    public void injectSecret(SecretPacket packet) {
        String cmd = "LAUNCH_SECRET";
        synchronized (ctx) {
            requireState(cmd, SevGuestState.LSECRET);
            SecretHeader header;
            try {
                header = SecretHeader.parse(packet.header());
            } catch (TeeException e) {
                throw log.refuse(cmd, SevStatus.INVALID_LENGTH, "secret header: " + e.getMessage());
            }
            byte[] trans = packet.payload();
            if (header.flags() != 0) {
                throw log.refuse(cmd, SevStatus.UNSUPPORTED, String.format("secret header FLAGS 0x%X: compressed "
                        + "secrets are not supported", header.flags()));
            }
            if (trans.length < 8 || trans.length > 16 * PAGE) {
                throw log.refuse(cmd, SevStatus.INVALID_LENGTH, "secret is " + trans.length
                        + " bytes; it must be 8..65536");
            }
            if (!ctx.secretMacMatches(header, trans, sp.firmwareVersion())) {
                // [UNCONFIRMED which code the firmware returns for a bad secret MAC; BAD_MEASUREMENT chosen]
                throw log.refuse(cmd, SevStatus.BAD_MEASUREMENT, "the secret's MAC does not match: it was not made "
                        + "by the owner of this launch's session, for this measurement, or it was changed");
            }
            long gpa = packet.guestPhysicalAddress();
            if (gpa < 0 || (gpa & 0xF) != 0) {
                throw log.refuse(cmd, SevStatus.INVALID_ADDRESS, String.format("guest address 0x%X must be 16-byte "
                        + "aligned", gpa));
            }
            byte[] plain = ctx.decryptSecret(header.iv(), trans);
            writeEncrypted(gpa, plain);
            java.util.Arrays.fill(plain, (byte) 0);
            log.success(cmd, String.format("guest_paddr=0x%X len=%d", gpa, trans.length));
        }
    }

    /** Writes plaintext into guest memory at any address, page by page through the guest's key. */
    private void writeEncrypted(long gpa, byte[] plain) {
        int off = 0;
        long pos = gpa;
        while (off < plain.length) {
            long page = pos & ~0xFFFL;
            int in = (int) (pos - page);
            int n = Math.min(PAGE - in, plain.length - off);
            long hpa = memory.hostPhysicalAddress(page);
            byte[] content = sp.decryptPage(ctx.asid(), hpa, memory.readPage(page));
            System.arraycopy(plain, off, content, in, n);
            memory.writePage(page, sp.encryptPage(ctx.asid(), hpa, content));
            off += n;
            pos += n;
        }
    }

    @Override
    public void finish() {
        synchronized (ctx) {
            requireState("LAUNCH_FINISH", SevGuestState.LSECRET);
            ctx.launchFinish();
            log.success("LAUNCH_FINISH", "handle=" + ctx.handle());
        }
    }

    @Override
    public List<LaunchLogEntry> log() {
        return log.entries();
    }
}
