package io.teebox.amd.snp.internal;

import java.util.List;
import java.util.Map;

import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.SnpLaunchDigest;
import io.teebox.amd.abi.SnpPolicy;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.CommandLog;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.SnpIdentity;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;

/**
 * One SEV-SNP launch: SNP_LAUNCH_START, SNP_LAUNCH_UPDATE by page type, SNP_LAUNCH_FINISH. Each command checks its
 * parameters, logs its status and moves guest memory through the memory controller and the RMP; the guest context
 * keeps the launch digest and refuses what the state machine forbids; {@link IdBlockCheck} checks an ID block.
 */
final class SnpLaunchSession implements LaunchSession {

    private static final int PAGE = 4096;
    /** Host-physical tweak base of the VMSA pages. */
    static final long VMSA_TWEAK_BASE = 0xFFFF_E000_0000_0000L;
    /** Largest CPUID page entry count. */
    static final int MAX_CPUID_ENTRIES = 64;

    private final SnpBackend backend;
    private final AmdSecureProcessor sp;
    private final SnpGuestContext ctx;
    private final GuestMemory memory;
    private final CommandLog log = new CommandLog();
    private final byte[] idBlock;
    private final byte[] idAuth;

    private SnpLaunchSession(SnpBackend backend, SnpGuestContext ctx, GuestMemory memory, byte[] idBlock,
            byte[] idAuth) {
        this.backend = backend;
        this.sp = backend.sp();
        this.ctx = ctx;
        this.memory = memory;
        this.idBlock = idBlock;
        this.idAuth = idAuth;
    }

    static SnpLaunchSession start(SnpBackend backend, LaunchRequest request, GuestMemory memory) {
        AmdSecureProcessor sp = backend.sp();
        SnpPolicy policy = new SnpPolicy(request.policy());
        FirmwareVersion fw = sp.firmwareVersion();
        if (!fw.atLeast(policy.abiMajor(), policy.abiMinor())) {
            throw SevStatus.POLICY_FAILURE.error("policy requires SNP ABI " + policy.abiMajor() + "."
                    + policy.abiMinor() + " or later; the firmware runs " + fw);
        }
        if (!policy.has(SnpPolicy.SMT)) {
            throw SevStatus.POLICY_FAILURE.error("policy " + policy + " forbids SMT, but SMT is enabled on this "
                    + "platform");
        }
        if (policy.has(SnpPolicy.MIGRATE_MA)) {
            throw SevStatus.POLICY_FAILURE.error("policy allows a migration agent; this platform has none");
        }
        byte[] hostData = request.ownerParameter("host-data");
        if (hostData != null && hostData.length != 32) {
            throw SevStatus.INVALID_PARAM.error("HOST_DATA must be 32 bytes, got " + hostData.length);
        }
        byte[] idBlock = request.ownerParameter("id-block");
        byte[] idAuth = request.ownerParameter("id-auth");
        if ((idBlock == null) != (idAuth == null)) {
            throw SevStatus.INVALID_PARAM.error("an ID block needs its ID authentication structure and vice versa");
        }
        if (idBlock != null && (idBlock.length != 0x60 || idAuth.length != 0x1000)) {
            throw SevStatus.INVALID_LENGTH.error("ID block is " + idBlock.length + " bytes (expected 96) and ID auth "
                    + idAuth.length + " bytes (expected 4096)");
        }
        SnpGuestContext ctx = sp.createSnpContext(policy.value());
        SnpLaunchSession s = new SnpLaunchSession(backend, ctx, memory, idBlock, idAuth);
        byte[] reportId = new byte[32];
        backend.random.nextBytes(reportId);
        ctx.launchStart(reportId, sp.snpTcb().asLong(), hostData);
        s.log.success("SNP_LAUNCH_START", String.format("handle=%d asid=%d policy=%s", ctx.handle(), ctx.asid(),
                policy));
        sp.activate(ctx.handle());
        s.log.success("SNP_ACTIVATE", "asid=" + ctx.asid());
        return s;
    }

    private void requireLaunching(String command) {
        SevGuestState state = ctx.state();
        if (state != SevGuestState.LUPDATE) {
            throw log.refuse(command, SevStatus.INVALID_GUEST_STATE, command + " is not allowed after the launch "
                    + "closed (guest state " + (state == SevGuestState.RUNNING ? "RUNNING" : "LAUNCH, finishing")
                    + ")");
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
        String cmd = "SNP_LAUNCH_UPDATE";
        synchronized (ctx) {
            requireLaunching(cmd);
            if ((gpa & 0xFFF) != 0 || length <= 0 || length > (256L << 20)) {
                throw log.refuse(cmd, SevStatus.INVALID_ADDRESS, String.format("region 0x%X+0x%X must start on a "
                        + "4 KiB page and be 1 byte .. 256 MiB", gpa, length));
            }
            long end = gpa + ((length + PAGE - 1) & ~(long) (PAGE - 1));
            for (long p = gpa; p < end; p += PAGE) {
                if (ctx.launched(p)) {
                    throw log.refuse(cmd, SevStatus.INVALID_PAGE_STATE, String.format("page 0x%X is already "
                            + "assigned to this guest", p));
                }
            }
            if (type == PageType.CPUID) {
                for (long p = gpa; p < end; p += PAGE) {
                    long count = LittleEndian.u32(memory.readPage(p), 0);
                    if (count > MAX_CPUID_ENTRIES) {
                        throw log.refuse(cmd, SevStatus.INVALID_PARAM, String.format("CPUID page 0x%X holds %d "
                                + "entries; at most %d", p, count, MAX_CPUID_ENTRIES));
                    }
                }
            }
            for (long p = gpa; p < end; p += PAGE) {
                long hpa = memory.hostPhysicalAddress(p);
                memory.writePage(p, sp.encryptPage(ctx.asid(), hpa, launchPage(p, type, memory.readPage(p))));
                sp.rmp().launch(hpa, ctx.asid(), p, false);
            }
            log.success(cmd, String.format("gpa=0x%X len=0x%X type=%s", gpa, end - gpa, type));
        }
    }

    /** Measures one page by its type; returns what the page holds once launched. */
    private byte[] launchPage(long gpa, PageType type, byte[] raw) {
        switch (type) {
            case NORMAL -> {
                ctx.launchPage(SnpLaunchDigest.NORMAL, gpa, Digests.sha384(raw));
                return raw;
            }
            case ZERO -> {
                ctx.launchPage(SnpLaunchDigest.ZERO, gpa, new byte[48]);
                return new byte[PAGE];
            }
            case UNMEASURED -> {
                ctx.launchPage(SnpLaunchDigest.UNMEASURED, gpa, new byte[48]);
                return raw;
            }
            case SECRETS -> {
                byte[] page = secretsPage();
                ctx.launchSecretsPage(gpa, page);
                return page;
            }
            case CPUID -> {
                ctx.launchPage(SnpLaunchDigest.CPUID, gpa, new byte[48]);
                return raw;
            }
            default -> throw new IllegalStateException(type.toString());
        }
    }

    /** The secrets page (Linux struct snp_secrets_page): version, FMS and four fresh VMPCKs. */
    private byte[] secretsPage() {
        byte[] page = new byte[PAGE];
        LittleEndian.put32(page, 0x000, 3);
        LittleEndian.put32(page, 0x008, 0x00A00F11L);
        byte[] keys = new byte[4 * 32];
        backend.random.nextBytes(keys);
        System.arraycopy(keys, 0, page, 0x020, keys.length);
        return page;
    }

    @Override
    public void addVcpuState(int vcpu) {
        String cmd = "SNP_LAUNCH_UPDATE";
        synchronized (ctx) {
            requireLaunching(cmd);
            if (vcpu < 0 || vcpu >= memory.vcpuCount() || ctx.vmsaLaunched(vcpu)) {
                throw log.refuse(cmd, SevStatus.INVALID_PARAM, "vCPU " + vcpu + " does not exist or its VMSA was "
                        + "already added");
            }
            byte[] vmsa = memory.readSaveArea(vcpu);
            ctx.launchVmsa(vcpu, vmsa);
            memory.writeSaveArea(vcpu, sp.encryptPage(ctx.asid(), VMSA_TWEAK_BASE + 4096L * vcpu, vmsa), true);
            log.success(cmd, "vcpu=" + vcpu + " type=VMSA");
        }
    }

    /** SNP has no LAUNCH_MEASURE: the launch digest reaches the owner only inside a signed report. */
    @Override
    public Measurement measure() {
        synchronized (ctx) {
            requireLaunching("SNP_LAUNCH_FINISH");
            ctx.closeLaunch();
            return new Measurement("sev-snp-launch", new byte[0], Map.of("note", "SEV-SNP reveals the launch "
                    + "digest only in a VCEK-signed ATTESTATION_REPORT; verify a report before releasing secrets"));
        }
    }

    @Override
    public void injectSecret(SecretPacket packet) {
        throw log.refuse("LAUNCH_SECRET", SevStatus.UNSUPPORTED, "SEV-SNP has no LAUNCH_SECRET; release secrets to "
                + "the guest after verifying its attestation report");
    }

    @Override
    public void finish() {
        synchronized (ctx) {
            SevGuestState state = ctx.state();
            if (state != SevGuestState.LSECRET && state != SevGuestState.LUPDATE) {
                throw log.refuse("SNP_LAUNCH_FINISH", SevStatus.INVALID_GUEST_STATE, "SNP_LAUNCH_FINISH is not "
                        + "allowed in guest state " + state);
            }
            SnpIdentity identity = idBlock == null ? SnpIdentity.NONE
                    : IdBlockCheck.check(idBlock, idAuth, ctx.launchDigest(), ctx.policy(), log);
            ctx.launchFinish(identity);
            log.success("SNP_LAUNCH_FINISH", (idBlock != null ? "id_block_en=1 " : "") + "measurement="
                    + Hex.encode(ctx.launchDigest()) + " host_data=" + Hex.encode(ctx.hostData()));
        }
    }

    @Override
    public List<LaunchLogEntry> log() {
        return log.entries();
    }
}
