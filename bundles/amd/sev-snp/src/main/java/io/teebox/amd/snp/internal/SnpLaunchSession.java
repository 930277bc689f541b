package io.teebox.amd.snp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.SnpIdBlock;
import io.teebox.amd.abi.SnpLaunchDigest;
import io.teebox.amd.abi.SnpPolicy;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
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
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;

/** One SEV-SNP launch: SNP_LAUNCH_START, SNP_LAUNCH_UPDATE by page type, SNP_LAUNCH_FINISH. */
final class SnpLaunchSession implements LaunchSession {

    private static final int PAGE = 4096;
    /** Host-physical tweak base of the VMSA pages. */
    static final long VMSA_TWEAK_BASE = 0xFFFF_E000_0000_0000L;
    /** Largest CPUID page entry count. */
    static final int MAX_CPUID_ENTRIES = 64;

    private final SnpBackend backend;
    private final AmdSecureProcessor sp;
    private final GuestContext ctx;
    private final GuestMemory memory;
    private final List<LaunchLogEntry> log = new ArrayList<>();
    private byte[] idBlock;
    private byte[] idAuth;

    private SnpLaunchSession(SnpBackend backend, GuestContext ctx, GuestMemory memory) {
        this.backend = backend;
        this.sp = backend.sp();
        this.ctx = ctx;
        this.memory = memory;
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
        GuestContext ctx = sp.createContext(AsidPool.SEV_ES_SNP, policy.value(), 256);
        SnpLaunchSession s = new SnpLaunchSession(backend, ctx, memory);
        s.idBlock = idBlock;
        s.idAuth = idAuth;
        synchronized (ctx) {
            ctx.snpDigest = new SnpLaunchDigest();
            ctx.reportId = new byte[32];
            backend.random.nextBytes(ctx.reportId);
            ctx.launchTcb = sp.snpTcb().asLong();
            if (hostData != null) {
                ctx.hostData = hostData;
            }
            ctx.state = SevGuestState.LUPDATE;
        }
        s.add("SNP_LAUNCH_START", String.format("handle=%d asid=%d policy=%s", ctx.handle, ctx.asid, policy));
        sp.activate(ctx.handle);
        s.add("SNP_ACTIVATE", "asid=" + ctx.asid);
        return s;
    }

    private void add(String command, String detail) {
        log.add(new LaunchLogEntry(log.size() + 1, command, SevStatus.SUCCESS.status(), detail));
    }

    private TeeException refuse(String command, SevStatus status, String sentence) {
        log.add(new LaunchLogEntry(log.size() + 1, command, status.status(), sentence));
        return status.error(sentence);
    }

    private void requireLaunching(String command) {
        if (ctx.state != SevGuestState.LUPDATE) {
            throw refuse(command, SevStatus.INVALID_GUEST_STATE, command + " is not allowed after the launch "
                    + "closed (guest state " + (ctx.state == SevGuestState.RUNNING ? "RUNNING" : "LAUNCH, finishing")
                    + ")");
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
        String cmd = "SNP_LAUNCH_UPDATE";
        synchronized (ctx) {
            requireLaunching(cmd);
            if ((gpa & 0xFFF) != 0 || length <= 0 || length > (256L << 20)) {
                throw refuse(cmd, SevStatus.INVALID_ADDRESS, String.format("region 0x%X+0x%X must start on a 4 KiB "
                        + "page and be 1 byte .. 256 MiB", gpa, length));
            }
            long end = gpa + ((length + PAGE - 1) & ~(long) (PAGE - 1));
            for (long p = gpa; p < end; p += PAGE) {
                if (ctx.launchedPages.contains(p)) {
                    throw refuse(cmd, SevStatus.INVALID_PAGE_STATE, String.format("page 0x%X is already assigned "
                            + "to this guest", p));
                }
            }
            if (type == PageType.CPUID) {
                for (long p = gpa; p < end; p += PAGE) {
                    long count = LittleEndian.u32(memory.readPage(p), 0);
                    if (count > MAX_CPUID_ENTRIES) {
                        throw refuse(cmd, SevStatus.INVALID_PARAM, String.format("CPUID page 0x%X holds %d entries; "
                                + "at most %d", p, count, MAX_CPUID_ENTRIES));
                    }
                }
            }
            for (long p = gpa; p < end; p += PAGE) {
                byte[] raw = memory.readPage(p);
                byte[] content;
                switch (type) {
                    case NORMAL -> {
                        ctx.snpDigest.update(SnpLaunchDigest.NORMAL, p, Digests.sha384(raw));
                        content = raw;
                    }
                    case ZERO -> {
                        ctx.snpDigest.update(SnpLaunchDigest.ZERO, p, new byte[48]);
                        content = new byte[PAGE];
                    }
                    case UNMEASURED -> {
                        ctx.snpDigest.update(SnpLaunchDigest.UNMEASURED, p, new byte[48]);
                        content = raw;
                    }
                    case SECRETS -> {
                        ctx.snpDigest.update(SnpLaunchDigest.SECRETS, p, new byte[48]);
                        content = secretsPage();
                        ctx.secretsPage = content.clone();
                    }
                    case CPUID -> {
                        ctx.snpDigest.update(SnpLaunchDigest.CPUID, p, new byte[48]);
                        content = raw;
                    }
                    default -> throw new IllegalStateException(type.toString());
                }
                long hpa = memory.hostPhysicalAddress(p);
                memory.writePage(p, sp.encryptPage(ctx.asid, hpa, content));
                sp.rmp().launch(hpa, ctx.asid, p, false);
                ctx.launchedPages.add(p);
            }
            add(cmd, String.format("gpa=0x%X len=0x%X type=%s", gpa, end - gpa, type));
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
            if (vcpu < 0 || vcpu >= memory.vcpuCount() || ctx.measuredVmsas.contains(vcpu)) {
                throw refuse(cmd, SevStatus.INVALID_PARAM, "vCPU " + vcpu + " does not exist or its VMSA was "
                        + "already added");
            }
            byte[] vmsa = memory.readSaveArea(vcpu);
            ctx.snpDigest.vmsa(vmsa);
            memory.writeSaveArea(vcpu, sp.encryptPage(ctx.asid, VMSA_TWEAK_BASE + 4096L * vcpu, vmsa), true);
            ctx.measuredVmsas.add(vcpu);
            add(cmd, "vcpu=" + vcpu + " type=VMSA");
        }
    }

    /** SNP has no LAUNCH_MEASURE: the launch digest reaches the owner only inside a signed report. */
    @Override
    public Measurement measure() {
        synchronized (ctx) {
            requireLaunching("SNP_LAUNCH_FINISH");
            ctx.state = SevGuestState.LSECRET;
            return new Measurement("sev-snp-launch", new byte[0], Map.of("note", "SEV-SNP reveals the launch "
                    + "digest only in a VCEK-signed ATTESTATION_REPORT; verify a report before releasing secrets"));
        }
    }

    @Override
    public void injectSecret(SecretPacket packet) {
        synchronized (ctx) {
            throw refuse("LAUNCH_SECRET", SevStatus.UNSUPPORTED, "SEV-SNP has no LAUNCH_SECRET; release secrets to "
                    + "the guest after verifying its attestation report");
        }
    }

    @Override
    public void finish() {
        synchronized (ctx) {
            if (ctx.state != SevGuestState.LSECRET && ctx.state != SevGuestState.LUPDATE) {
                throw refuse("SNP_LAUNCH_FINISH", SevStatus.INVALID_GUEST_STATE, "SNP_LAUNCH_FINISH is not allowed "
                        + "in guest state " + ctx.state);
            }
            if (idBlock != null) {
                checkIdBlock();
            }
            ctx.state = SevGuestState.RUNNING;
            add("SNP_LAUNCH_FINISH", (idBlock != null ? "id_block_en=1 " : "") + "measurement=" + Hex.encode(ctx.snpDigest.digest()) + " host_data="
                    + Hex.encode(ctx.hostData));
        }
    }

    /** The ID block checks of SNP_LAUNCH_FINISH; nothing changes unless all pass. */
    private void checkIdBlock() {
        String cmd = "SNP_LAUNCH_FINISH";
        io.teebox.kit.codec.Struct block;
        io.teebox.kit.codec.Struct auth;
        try {
            block = SnpIdBlock.ID_BLOCK.parse(idBlock);
            auth = SnpIdBlock.ID_AUTH.parse(idAuth);
        } catch (IllegalArgumentException e) {
            throw refuse(cmd, SevStatus.INVALID_PARAM, e.getMessage());
        }
        if (auth.u32("ID_KEY_ALGO") != SnpIdBlock.ECDSA_P384_SHA384) {
            throw refuse(cmd, SevStatus.INVALID_PARAM, "ID_KEY_ALGO is " + auth.u32("ID_KEY_ALGO")
                    + ", expected 1 (ECDSA P-384 with SHA-384)");
        }
        byte[] idKey = auth.bytes("ID_KEY");
        java.security.PublicKey idPub;
        try {
            idPub = SnpIdBlock.parseKey(idKey);
        } catch (TeeException e) {
            throw refuse(cmd, SevStatus.INVALID_PARAM, e.getMessage());
        }
        if (!SnpIdBlock.verify(idPub, idBlock, auth.bytes("ID_BLOCK_SIG"))) {
            throw refuse(cmd, SevStatus.BAD_SIGNATURE, "ID_BLOCK_SIG does not verify with the ID key");
        }
        boolean authorEn = auth.u32("AUTH_KEY_ALGO") == SnpIdBlock.ECDSA_P384_SHA384;
        if (authorEn) {
            try {
                if (!SnpIdBlock.verify(SnpIdBlock.parseKey(auth.bytes("AUTHOR_KEY")), idKey,
                        auth.bytes("ID_KEY_SIG"))) {
                    throw refuse(cmd, SevStatus.BAD_SIGNATURE, "ID_KEY_SIG does not verify with the author key");
                }
            } catch (TeeException e) {
                if (e.status().name().equals("BAD_SIGNATURE")) {
                    throw e;
                }
                throw refuse(cmd, SevStatus.INVALID_PARAM, "author key: " + e.getMessage());
            }
        }
        byte[] ld = ctx.snpDigest.digest();
        if (!java.util.Arrays.equals(ld, block.bytes("LD"))) {
            throw refuse(cmd, SevStatus.BAD_MEASUREMENT, "the ID block expects launch digest "
                    + Hex.encode(block.bytes("LD")) + ", the launch measured " + Hex.encode(ld));
        }
        if (block.u64("POLICY") != ctx.policy) {
            throw refuse(cmd, SevStatus.POLICY_FAILURE, String.format("the ID block's policy 0x%X is not the guest "
                    + "policy 0x%X", block.u64("POLICY"), ctx.policy));
        }
        ctx.familyId = block.bytes("FAMILY_ID");
        ctx.imageId = block.bytes("IMAGE_ID");
        ctx.guestSvn = block.u32("GUEST_SVN");
        ctx.idKeyDigest = SnpIdBlock.keyDigest(idKey);
        ctx.authorKeyEn = authorEn;
        ctx.authorKeyDigest = authorEn ? SnpIdBlock.keyDigest(auth.bytes("AUTHOR_KEY")) : new byte[48];
    }

    @Override
    public List<LaunchLogEntry> log() {
        synchronized (ctx) {
            return List.copyOf(log);
        }
    }
}
