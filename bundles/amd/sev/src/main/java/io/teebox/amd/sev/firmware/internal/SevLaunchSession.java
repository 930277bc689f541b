package io.teebox.amd.sev.firmware.internal;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.teebox.amd.abi.SecretHeader;
import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.abi.SevCrypto;
import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevPolicy;
import io.teebox.amd.abi.SevSession;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.GuestContext;
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
import io.teebox.kit.crypto.AesCtr;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;

/** One SEV guest's launch: the LAUNCH_* commands on a guest context held by the secure processor. */
final class SevLaunchSession implements LaunchSession {

    private static final int PAGE = 4096;

    private final SevFirmware backend;
    private final AmdSecureProcessor sp;
    private final GuestContext ctx;
    private final GuestMemory memory;
    private final List<LaunchLogEntry> log;

    private SevLaunchSession(SevFirmware backend, GuestContext ctx, GuestMemory memory, List<LaunchLogEntry> log) {
        this.backend = backend;
        this.sp = backend.sp();
        this.ctx = ctx;
        this.memory = memory;
        this.log = log;
    }

    /** LAUNCH_START then ACTIVATE; a refused LAUNCH_START allocates nothing. */
    static SevLaunchSession start(SevFirmware backend, LaunchRequest request, GuestMemory memory) {
        List<LaunchLogEntry> log = new ArrayList<>();
        AmdSecureProcessor sp = backend.sp();
        try {
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
            byte[] tek;
            byte[] tik;
            byte[] godh = request.ownerParameter("godh-cert");
            byte[] blob = request.ownerParameter("session");
            if (godh == null && blob == null) {
                tek = new byte[16];
                tik = new byte[16];
                backend.random.nextBytes(tek);
                backend.random.nextBytes(tik);
            } else {
                if (godh == null || blob == null) {
                    throw SevStatus.INVALID_PARAM.error("LAUNCH_START needs both the owner's DH certificate "
                            + "(godh-cert) and the session blob (session), or neither");
                }
                SevCertificate cert = SevCertificate.parse(godh);
                if (cert.usage() != SevCertificate.USAGE_PDH) {
                    throw SevStatus.INVALID_CERTIFICATE.error(String.format(
                            "the owner's DH certificate has key usage 0x%X, expected PDH 0x1003", cert.usage()));
                }
                PublicKey ownerKey = cert.publicKey();
                SevSession session = SevSession.parse(blob);
                byte[] master = SevCrypto.masterSecret(sp.pdhSharedSecret(ownerKey), session.nonce());
                byte[] kik = SevCrypto.kik(master);
                if (!SevCrypto.macEquals(SevCrypto.wrapMac(kik, session.wrapTk()), session.wrapMac())) {
                    // SEV API: an integrity failure of the session data; status as sev-tool/ccp report it
                    // [UNCONFIRMED which code the firmware returns; BAD_MEASUREMENT chosen].
                    throw SevStatus.BAD_MEASUREMENT.error("WRAP_MAC of the session does not match: the session "
                            + "was not made for this platform's PDH, or was changed in transit");
                }
                byte[][] keys = SevCrypto.split(SevCrypto.wrap(SevCrypto.kek(master), session.wrapIv(),
                        session.wrapTk()));
                tek = keys[0];
                tik = keys[1];
                if (!SevCrypto.macEquals(SevCrypto.policyMac(tik, policy), session.policyMac())) {
                    throw SevStatus.POLICY_FAILURE.error("POLICY_MAC does not match policy " + policy
                            + ": the host changed the policy the owner chose");
                }
            }
            GuestContext ctx = sp.createContext(backend.mode.pool, policy.value());
            synchronized (ctx) {
                ctx.tek = tek;
                ctx.tik = tik;
                ctx.launchDigest = Digests.newSha256();
                ctx.state = SevGuestState.LUPDATE;
            }
            add(log, "LAUNCH_START", SevStatus.SUCCESS, String.format("handle=%d asid=%d policy=%s", ctx.handle,
                    ctx.asid, policy));
            sp.activate(ctx.handle);
            add(log, "ACTIVATE", SevStatus.SUCCESS, "handle=" + ctx.handle + " asid=" + ctx.asid);
            return new SevLaunchSession(backend, ctx, memory, log);
        } catch (TeeException e) {
            // Nothing was allocated: the hypervisor reports the status; there is no session to carry a log.
            throw e;
        }
    }

    private static void add(List<LaunchLogEntry> log, String command, SevStatus status, String detail) {
        log.add(new LaunchLogEntry(log.size() + 1, command, status.status(), detail));
    }

    private TeeException refuse(String command, SevStatus status, String sentence) {
        add(log, command, status, sentence);
        return status.error(sentence);
    }

    private void requireState(String command, SevGuestState wanted) {
        if (ctx.state != wanted) {
            throw refuse(command, SevStatus.INVALID_GUEST_STATE, command + " is not allowed in guest state "
                    + ctx.state + " (needs " + wanted + ")");
        }
    }

    @Override
    public long handle() {
        return ctx.handle;
    }

    @Override
    public KeySlot keySlot() {
        return new KeySlot("ASID", ctx.asid);
    }

    @Override
    public void addPages(long gpa, long length, PageType type) {
        String cmd = "LAUNCH_UPDATE_DATA";
        synchronized (ctx) {
            requireState(cmd, SevGuestState.LUPDATE);
            if (!ctx.measuredVmsas.isEmpty()) {
                throw refuse(cmd, SevStatus.INVALID_GUEST_STATE, "LAUNCH_UPDATE_DATA after LAUNCH_UPDATE_VMSA: "
                        + "the VMSAs close the measured data");
            }
            if (type != PageType.NORMAL) {
                throw refuse(cmd, SevStatus.UNSUPPORTED, "SEV measures and encrypts data pages only; page type "
                        + type + " needs SEV-SNP");
            }
            if ((gpa & 0xF) != 0 || length <= 0 || length > (256L << 20)) {
                throw refuse(cmd, SevStatus.INVALID_ADDRESS, String.format(
                        "region 0x%X+0x%X must start 16-byte aligned and be 1 byte .. 256 MiB", gpa, length));
            }
            long first = gpa & ~0xFFFL;
            long end = gpa + length;
            Set<Long> pages = new HashSet<>();
            for (long p = first; p < end; p += PAGE) {
                if (ctx.launchedPages.contains(p)) {
                    throw refuse(cmd, SevStatus.INVALID_PARAM, String.format(
                            "page 0x%X is already encrypted by this launch", p));
                }
                pages.add(p);
            }
            MessageDigest digest = ctx.launchDigest;
            for (long p = first; p < end; p += PAGE) {
                byte[] raw = memory.readPage(p);
                int from = (int) (Math.max(gpa, p) - p);
                int to = (int) (Math.min(end, p + PAGE) - p);
                digest.update(raw, from, to - from);
                memory.writePage(p, sp.encryptPage(ctx.asid, memory.hostPhysicalAddress(p), raw));
            }
            ctx.launchedPages.addAll(pages);
            add(log, cmd, SevStatus.SUCCESS, String.format("paddr=0x%X len=0x%X", gpa, length));
        }
    }

    /** Host-physical tweak base of the VMSA pages (they live outside guest memory). */
    static final long VMSA_TWEAK_BASE = 0xFFFF_F000_0000_0000L;

    @Override
    public void addVcpuState(int vcpu) {
        String cmd = "LAUNCH_UPDATE_VMSA";
        synchronized (ctx) {
            requireState(cmd, SevGuestState.LUPDATE);
            if (backend.mode != SevFirmware.Mode.SEV_ES) {
                throw refuse(cmd, SevStatus.INVALID_GUEST_STATE, "LAUNCH_UPDATE_VMSA needs an SEV-ES guest "
                        + "(policy bit ES); an SEV guest's register state stays with the host");
            }
            if (ctx.launchedPages.isEmpty()) {
                throw refuse(cmd, SevStatus.INVALID_GUEST_STATE, "LAUNCH_UPDATE_VMSA before any "
                        + "LAUNCH_UPDATE_DATA: the data pages are measured first");
            }
            if (vcpu < 0 || vcpu >= memory.vcpuCount() || ctx.measuredVmsas.contains(vcpu)) {
                throw refuse(cmd, SevStatus.INVALID_PARAM, "vCPU " + vcpu + " does not exist or its VMSA was "
                        + "already measured (vCPUs 0.." + (memory.vcpuCount() - 1) + ")");
            }
            byte[] vmsa = memory.readSaveArea(vcpu);
            ctx.launchDigest.update(vmsa);
            memory.writeSaveArea(vcpu, sp.encryptPage(ctx.asid, VMSA_TWEAK_BASE + 4096L * vcpu, vmsa), true);
            ctx.measuredVmsas.add(vcpu);
            add(log, cmd, SevStatus.SUCCESS, "vcpu=" + vcpu);
        }
    }

    @Override
    public Measurement measure() {
        synchronized (ctx) {
            requireState("LAUNCH_MEASURE", SevGuestState.LUPDATE);
            byte[] ld = ctx.launchDigest.digest();
            byte[] mnonce = new byte[16];
            backend.random.nextBytes(mnonce);
            FirmwareVersion fw = sp.firmwareVersion();
            SevPolicy policy = new SevPolicy(ctx.policy);
            byte[] m = SevCrypto.measure(ctx.tik, fw.major(), fw.minor(), fw.part(2), policy, ld, mnonce);
            byte[] out = new byte[48];
            System.arraycopy(m, 0, out, 0, 32);
            System.arraycopy(mnonce, 0, out, 32, 16);
            ctx.measurement = out;
            ctx.launchDigestValue = ld;
            ctx.state = SevGuestState.LSECRET;
            add(log, "LAUNCH_MEASURE", SevStatus.SUCCESS, "measure=" + Hex.encode(m) + " mnonce="
                    + Hex.encode(mnonce));
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("measure", Hex.encode(m));
            fields.put("mnonce", Hex.encode(mnonce));
            fields.put("api", fw.major() + "." + fw.minor());
            fields.put("build", Integer.toString(fw.part(2)));
            fields.put("policy", policy.toString());
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
                throw refuse(cmd, SevStatus.INVALID_LENGTH, "secret header: " + e.getMessage());
            }
            byte[] trans = packet.payload();
            if (header.flags() != 0) {
                throw refuse(cmd, SevStatus.UNSUPPORTED, String.format("secret header FLAGS 0x%X: compressed "
                        + "secrets are not supported", header.flags()));
            }
            if (trans.length < 8 || trans.length > 16 * PAGE) {
                throw refuse(cmd, SevStatus.INVALID_LENGTH, "secret is " + trans.length
                        + " bytes; it must be 8..65536");
            }
            FirmwareVersion fw = sp.firmwareVersion();
            byte[] mac = SevCrypto.secretMac(ctx.tik, header.flags(), header.iv(), trans.length, trans,
                    java.util.Arrays.copyOf(ctx.measurement, 32), fw.major(), fw.minor());
            if (!SevCrypto.macEquals(mac, header.mac())) {
                // [UNCONFIRMED which code the firmware returns for a bad secret MAC; BAD_MEASUREMENT chosen]
                throw refuse(cmd, SevStatus.BAD_MEASUREMENT, "the secret's MAC does not match: it was not made "
                        + "by the owner of this launch's session, for this measurement, or it was changed");
            }
            long gpa = packet.guestPhysicalAddress();
            if (gpa < 0 || (gpa & 0xF) != 0) {
                throw refuse(cmd, SevStatus.INVALID_ADDRESS, String.format("guest address 0x%X must be 16-byte "
                        + "aligned", gpa));
            }
            byte[] plain = AesCtr.apply(ctx.tek, header.iv(), trans);
            int off = 0;
            long pos = gpa;
            while (off < plain.length) {
                long page = pos & ~0xFFFL;
                int in = (int) (pos - page);
                int n = Math.min(PAGE - in, plain.length - off);
                long hpa = memory.hostPhysicalAddress(page);
                byte[] content = sp.decryptPage(ctx.asid, hpa, memory.readPage(page));
                System.arraycopy(plain, off, content, in, n);
                memory.writePage(page, sp.encryptPage(ctx.asid, hpa, content));
                off += n;
                pos += n;
            }
            java.util.Arrays.fill(plain, (byte) 0);
            add(log, cmd, SevStatus.SUCCESS, String.format("guest_paddr=0x%X len=%d", gpa, trans.length));
        }
    }

    @Override
    public void finish() {
        synchronized (ctx) {
            requireState("LAUNCH_FINISH", SevGuestState.LSECRET);
            ctx.state = SevGuestState.RUNNING;
            ctx.tek = null;
            add(log, "LAUNCH_FINISH", SevStatus.SUCCESS, "handle=" + ctx.handle);
        }
    }

    @Override
    public List<LaunchLogEntry> log() {
        synchronized (ctx) {
            return List.copyOf(log);
        }
    }
}
