package io.teebox.amd.guest;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestAccess;

/**
 * The exits of SEV-ES and SEV-SNP guests, whose save areas the host cannot read: an intercepted instruction raises
 * #VC in the guest, whose handler copies only the operands the exit needs into its GHCB (a shared page it registered
 * with the GHCB MSR protocol) and executes VMGEXIT; the host decodes the GHCB, refuses what is malformed, emulates,
 * and answers in the GHCB.
 */
public final class GhcbExits implements ExitProtocol {

    /** How #VC exits are shown. */
    public static final String VC = "#VC -> GHCB -> VMGEXIT: the host reads only the GHCB";
    /** How MSR-protocol exits are shown. */
    public static final String MSR_PROTOCOL = "GHCB MSR protocol (MSR 0xC0010130)";
    /** The per-vCPU protocol state key of the registered GHCB's GPA. */
    static final String GHCB_GPA = "ghcb.gpa";
    private static final int PAGE = 4096;

    private final AmdCpuid cpuid;

    /** @param cpuid the CPUID model */
    public GhcbExits(AmdCpuid cpuid) {
        this.cpuid = cpuid;
    }

    @Override
    public String name() {
        return "GHCB";
    }

    static long exitCode(GuestInstruction insn) {
        return switch (insn.kind()) {
            case CPUID -> Ghcb.EXIT_CPUID;
            case IN, OUT -> Ghcb.EXIT_IOIO;
            case RDMSR, WRMSR -> Ghcb.EXIT_MSR;
            case MMIO_READ -> Ghcb.EXIT_MMIO_READ;
            case MMIO_WRITE -> Ghcb.EXIT_MMIO_WRITE;
        };
    }

    @Override
    public ExitTrace execute(GuestAccess guest, int vcpu, GuestInstruction insn) {
        long gpa = ghcbGpa(guest, vcpu);
        if (gpa == 0) {
            // The guest's first #VC: its handler registers a GHCB page at the top of RAM (one per vCPU).
            gpa = guest.config().memoryBytes() - (long) (vcpu + 1) * PAGE;
            msr(guest, vcpu, 0x012 | gpa);
        }
        guest.write(gpa, fill(insn, gpa).page);
        return vmgexit(guest, vcpu);
    }

    static long ghcbGpa(GuestAccess guest, int vcpu) {
        return guest.protocolState(vcpu).getOrDefault(GHCB_GPA, 0L);
    }

    @Override
    public long[] cpuid(GuestAccess guest, long leaf, long subleaf) {
        return cpuid.cpuid(guest.config().vcpuType(), leaf);
    }

    @Override
    public Map<String, Long> registers(byte[] saveArea, boolean encrypted) {
        return encrypted ? Map.of() : io.teebox.kit.x86.Vmsa.registers(saveArea);
    }

    /** The GHCB MSR protocol: the guest writes the MSR and executes VMGEXIT. */
    long msr(GuestAccess guest, int vcpu, long request) {
        int code = (int) (request & 0xFFF);
        long response;
        Map<String, Long> saw = new LinkedHashMap<>();
        saw.put("ghcb_msr", request);
        switch (code) {
            case 0x002 -> response = 0x001 | 2L << 48 | 1L << 32 | AmdCpuid.C_BIT << 24;
            case 0x004 -> {
                long fn = request >>> 32;
                int reg = (int) (request >>> 30) & 3;
                response = 0x005 | (cpuid(guest, fn, 0)[reg] & 0xFFFF_FFFFL) << 32;
            }
            case 0x012 -> {
                long gpa = request & ~0xFFFL;
                if (gpa + PAGE > guest.config().memoryBytes()) {
                    response = 0x013 | 0xF_FFFF_FFFF_FFFFL << 12;
                } else {
                    guest.share(gpa, true);
                    guest.protocolState(vcpu).put(GHCB_GPA, gpa);
                    response = 0x013 | gpa;
                }
            }
            case 0x014 -> {
                int op = (int) (request >>> 52) & 0xF;
                long gpa = ((request >>> 12) & ((1L << 40) - 1)) << 12;
                boolean inRam = gpa + PAGE <= guest.config().memoryBytes();
                if (!inRam || (op != 1 && op != 2)) {
                    response = 0x015 | 1L << 32;
                } else {
                    guest.convert(gpa, op == 1);
                    response = 0x015;
                }
            }
            case 0x080 -> response = 0x081;
            case 0x100 -> {
                guest.terminate(String.format("the guest requested termination (reason set %d, code 0x%X)",
                        (request >>> 12) & 0xF, (request >>> 16) & 0xFF));
                response = 0;
            }
            default -> throw new IllegalArgumentException(String.format("GHCB MSR request 0x%X has the unknown "
                    + "GHCBInfo code 0x%03X; known: 0x002 SEV_INFO, 0x004 CPUID, 0x012 register GHCB, 0x014 "
                    + "page state change, 0x080 hypervisor features, 0x100 terminate", request, code));
        }
        Map<String, Long> result = new LinkedHashMap<>();
        result.put("ghcb_msr", response);
        guest.record(vcpu, null, MSR_PROTOCOL, 0, saw, result);
        return response;
    }

    /** VMGEXIT with whatever the registered GHCB holds. */
    ExitTrace vmgexit(GuestAccess guest, int vcpu) {
        long gpa = ghcbGpa(guest, vcpu);
        if (gpa == 0) {
            throw new IllegalStateException("vCPU " + vcpu + " of guest " + guest.name() + " has no GHCB registered "
                    + "(GHCB MSR request 0x012 first)");
        }
        if (!guest.isShared(gpa)) {
            throw new IllegalStateException(String.format("the GHCB page 0x%X is private again; the host cannot "
                    + "read it", gpa));
        }
        Ghcb h = new Ghcb(guest.hostRead(gpa, PAGE));
        ExitTrace t = handle(guest, vcpu, h, gpa);
        guest.hostWrite(gpa, h.page);
        return t;
    }

    /** The guest's #VC handler: fills a GHCB with only what the exit needs. */
    static Ghcb fill(GuestInstruction insn, long ghcbGpa) {
        Ghcb h = Ghcb.fresh();
        h.set(Ghcb.SW_EXIT_CODE, exitCode(insn));
        switch (insn.kind()) {
            case CPUID -> h.set(Ghcb.RAX, insn.operand()).set(Ghcb.RCX, insn.subOperand()).set(Ghcb.XCR0, 1)
                    .set(Ghcb.SW_EXIT_INFO_1, 0).set(Ghcb.SW_EXIT_INFO_2, 0);
            case IN, OUT -> {
                long info = insn.operand() << 16 | (insn.subOperand() << 4) | (insn.kind() == GuestInstruction.Kind.IN
                        ? 1 : 0);
                h.set(Ghcb.SW_EXIT_INFO_1, info).set(Ghcb.SW_EXIT_INFO_2, 0);
                if (insn.kind() == GuestInstruction.Kind.OUT) {
                    h.set(Ghcb.RAX, insn.value() & mask(insn.subOperand()));
                }
            }
            case RDMSR -> h.set(Ghcb.RCX, insn.operand()).set(Ghcb.SW_EXIT_INFO_1, 0).set(Ghcb.SW_EXIT_INFO_2, 0);
            case WRMSR -> h.set(Ghcb.RCX, insn.operand()).set(Ghcb.RAX, insn.value() & 0xFFFF_FFFFL)
                    .set(Ghcb.RDX, insn.value() >>> 32).set(Ghcb.SW_EXIT_INFO_1, 1).set(Ghcb.SW_EXIT_INFO_2, 0);
            case MMIO_READ, MMIO_WRITE -> {
                h.set(Ghcb.SW_EXIT_INFO_1, insn.operand()).set(Ghcb.SW_EXIT_INFO_2, insn.subOperand())
                        .set(Ghcb.SW_SCRATCH, ghcbGpa + Ghcb.SHARED_BUFFER);
                if (insn.kind() == GuestInstruction.Kind.MMIO_WRITE) {
                    LittleEndian.put64(h.page, Ghcb.SHARED_BUFFER, insn.value());
                }
            }
        }
        return h;
    }

    static long mask(long size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }

    /** The host handles VMGEXIT: decodes the GHCB, refuses what is malformed, answers in the GHCB. */
    static ExitTrace handle(GuestAccess guest, int vcpu, Ghcb h, long ghcbGpa) {
        Map<String, Long> saw = h.visible();
        GuestInstruction insn = null;
        String missing = null;
        long code = h.valid(Ghcb.SW_EXIT_CODE) ? h.get(Ghcb.SW_EXIT_CODE) : -1;
        long info1 = h.get(Ghcb.SW_EXIT_INFO_1);
        long info2 = h.get(Ghcb.SW_EXIT_INFO_2);
        if (code == -1) {
            missing = "sw_exit_code";
        } else if (code == Ghcb.EXIT_CPUID) {
            missing = need(h, Ghcb.RAX, "rax", Ghcb.RCX, "rcx");
            insn = new GuestInstruction(GuestInstruction.Kind.CPUID, h.get(Ghcb.RAX), h.get(Ghcb.RCX), 0);
        } else if (code == Ghcb.EXIT_IOIO) {
            boolean in = (info1 & 1) != 0;
            long size = (info1 >>> 4) & 0x7;
            missing = in ? need(h, Ghcb.SW_EXIT_INFO_1, "sw_exit_info_1")
                    : need(h, Ghcb.SW_EXIT_INFO_1, "sw_exit_info_1", Ghcb.RAX, "rax");
            insn = new GuestInstruction(in ? GuestInstruction.Kind.IN : GuestInstruction.Kind.OUT,
                    (info1 >>> 16) & 0xFFFF, size, h.get(Ghcb.RAX));
        } else if (code == Ghcb.EXIT_MSR) {
            boolean write = info1 == 1;
            missing = write ? need(h, Ghcb.RCX, "rcx", Ghcb.RAX, "rax", Ghcb.RDX, "rdx")
                    : need(h, Ghcb.RCX, "rcx");
            insn = new GuestInstruction(write ? GuestInstruction.Kind.WRMSR : GuestInstruction.Kind.RDMSR,
                    h.get(Ghcb.RCX), 0, (h.get(Ghcb.RDX) << 32) | (h.get(Ghcb.RAX) & 0xFFFF_FFFFL));
        } else if (code == Ghcb.EXIT_MMIO_READ || code == Ghcb.EXIT_MMIO_WRITE) {
            missing = need(h, Ghcb.SW_EXIT_INFO_1, "sw_exit_info_1", Ghcb.SW_EXIT_INFO_2, "sw_exit_info_2",
                    Ghcb.SW_SCRATCH, "sw_scratch");
            if (missing == null && h.get(Ghcb.SW_SCRATCH) != ghcbGpa + Ghcb.SHARED_BUFFER) {
                return refuse(guest, vcpu, h, saw, code, Ghcb.ERR_INVALID_INPUT, String.format(
                        "sw_scratch 0x%X is not the GHCB shared buffer 0x%X", h.get(Ghcb.SW_SCRATCH),
                        ghcbGpa + Ghcb.SHARED_BUFFER));
            }
            insn = new GuestInstruction(code == Ghcb.EXIT_MMIO_READ ? GuestInstruction.Kind.MMIO_READ
                    : GuestInstruction.Kind.MMIO_WRITE, info1, info2, LittleEndian.u64(h.page, Ghcb.SHARED_BUFFER));
        } else {
            return refuse(guest, vcpu, h, saw, code, Ghcb.ERR_INVALID_EVENT, String.format(
                    "exit code 0x%X is not one this hypervisor handles through the GHCB", code));
        }
        if (missing != null) {
            return refuse(guest, vcpu, h, saw, code, Ghcb.ERR_MISSING_INPUT, "the GHCB does not mark " + missing
                    + " valid");
        }
        Map<String, Long> result;
        try {
            result = guest.emulate(insn);
        } catch (IllegalArgumentException e) {
            return refuse(guest, vcpu, h, saw, code, Ghcb.ERR_INVALID_INPUT, e.getMessage());
        }
        h.clearValid();
        result.forEach((reg, val) -> {
            switch (reg) {
                case "rax" -> h.set(Ghcb.RAX, val);
                case "rbx" -> h.set(Ghcb.RBX, val);
                case "rcx" -> h.set(Ghcb.RCX, val);
                case "rdx" -> h.set(Ghcb.RDX, val);
                default -> LittleEndian.put64(h.page, Ghcb.SHARED_BUFFER, val);
            }
        });
        h.set(Ghcb.SW_EXIT_INFO_1, 0).set(Ghcb.SW_EXIT_INFO_2, 0);
        return guest.record(vcpu, insn, VC, code, saw, result);
    }

    private static String need(Ghcb h, Object... offsetsAndNames) {
        for (int i = 0; i < offsetsAndNames.length; i += 2) {
            if (!h.valid((Integer) offsetsAndNames[i])) {
                return (String) offsetsAndNames[i + 1];
            }
        }
        return null;
    }

    private static ExitTrace refuse(GuestAccess guest, int vcpu, Ghcb h, Map<String, Long> saw, long code,
            long error, String why) {
        h.clearValid();
        h.set(Ghcb.SW_EXIT_INFO_1, 2).set(Ghcb.SW_EXIT_INFO_2, error);
        Map<String, Long> result = new LinkedHashMap<>();
        result.put("error", error);
        return guest.record(vcpu, null, VC + " refused: " + why, code, saw, result);
    }

    /**
     * @param guest the guest, for the length of one call
     * @return the guest's GHCB interface
     */
    public GhcbGuest guestInterface(GuestAccess guest) {
        return new GhcbGuest() {
            @Override
            public long msr(int vcpu, long request) {
                guest.saveAreaEncrypted(vcpu);
                return GhcbExits.this.msr(guest, vcpu, request);
            }

            @Override
            public ExitTrace vmgexit(int vcpu) {
                guest.saveAreaEncrypted(vcpu);
                return GhcbExits.this.vmgexit(guest, vcpu);
            }

            @Override
            public long ghcbGpa(int vcpu) {
                guest.saveAreaEncrypted(vcpu);
                return GhcbExits.ghcbGpa(guest, vcpu);
            }
        };
    }

}
