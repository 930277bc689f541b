package io.teebox.hypervisor.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.kit.x86.CpuModels;
import io.teebox.kit.x86.Vmsa;

/**
 * Intercepted guest instructions. A guest whose save area is plaintext (SEV) exits automatically and the host reads
 * its registers from the save area; a guest whose save area is encrypted (SEV-ES) takes #VC, and its handler copies
 * only what the exit needs into the shared GHCB and executes VMGEXIT. Callers hold the guest's monitor.
 */
final class Intercepts {

    static final String AUTOMATIC = "automatic exit: the host reads the plaintext save area";
    static final String VC = "#VC -> GHCB -> VMGEXIT: the host reads only the GHCB";
    static final String MSR_PROTOCOL = "GHCB MSR protocol (MSR 0xC0010130)";
    static final long SERIAL = 0x3F8;
    static final long C_BIT = 51;
    private static final int MAX_EXITS = 1000;

    private Intercepts() {
    }

    static void check(GuestInstruction insn) {
        switch (insn.kind()) {
            case IN, OUT -> {
                if (insn.operand() < 0 || insn.operand() > 0xFFFF) {
                    throw new IllegalArgumentException(String.format("I/O port 0x%X is outside 0..0xFFFF",
                            insn.operand()));
                }
                if (insn.subOperand() != 1 && insn.subOperand() != 2 && insn.subOperand() != 4) {
                    throw new IllegalArgumentException("I/O size must be 1, 2 or 4 bytes, got " + insn.subOperand());
                }
            }
            case MMIO_READ, MMIO_WRITE -> {
                long s = insn.subOperand();
                if (s != 1 && s != 2 && s != 4 && s != 8) {
                    throw new IllegalArgumentException("MMIO size must be 1, 2, 4 or 8 bytes, got " + s);
                }
            }
            case RDMSR, WRMSR -> {
                if (insn.operand() < 0 || insn.operand() > 0xFFFF_FFFFL) {
                    throw new IllegalArgumentException(String.format("MSR index 0x%X is not 32 bits",
                            insn.operand()));
                }
            }
            default -> {
            }
        }
    }

    static long mask(long size) {
        return size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }

    /** The host's emulation: registers by name. */
    static Map<String, Long> emulate(Guest g, BackendDescriptor d, GuestInstruction insn) {
        Map<String, Long> r = new LinkedHashMap<>();
        switch (insn.kind()) {
            case CPUID -> {
                long[] v = cpuid(g, d, insn.operand());
                r.put("rax", v[0]);
                r.put("rbx", v[1]);
                r.put("rcx", v[2]);
                r.put("rdx", v[3]);
            }
            case IN -> r.put("rax", (insn.operand() == SERIAL + 5 ? 0x60 : 0xFFFF_FFFFL) & mask(insn.subOperand()));
            case OUT -> {
                if (insn.operand() == SERIAL) {
                    g.console.append((char) (insn.value() & 0xFF));
                }
            }
            case RDMSR -> {
                long v = g.msrs.getOrDefault(insn.operand(), 0L);
                r.put("rax", v & 0xFFFF_FFFFL);
                r.put("rdx", v >>> 32);
            }
            case WRMSR -> g.msrs.put(insn.operand(), insn.value());
            case MMIO_READ -> r.put("data", g.mmio.getOrDefault(insn.operand(), 0L) & mask(insn.subOperand()));
            case MMIO_WRITE -> g.mmio.put(insn.operand(), insn.value() & mask(insn.subOperand()));
        }
        return r;
    }

    /** CPUID as the host reports it. */
    static long[] cpuid(Guest g, BackendDescriptor d, long leaf) {
        KeySlotLimits k = d.keySlots();
        boolean es = d.has(io.teebox.api.tee.Capability.REGISTER_ENCRYPTION);
        if (leaf == 0) {
            return new long[] {0x10, 0x68747541L, 0x444D4163L, 0x69746E65L};
        }
        if (leaf == 1) {
            return new long[] {safeSignature(g), 0, 0, 0};
        }
        if (leaf == 0x8000_0000L) {
            return new long[] {0x8000_001FL, 0x68747541L, 0x444D4163L, 0x69746E65L};
        }
        if (leaf == 0x8000_001FL) {
            // EAX: SME, SEV, SEV-ES (bit 3), SEV-SNP (bit 4); EBX: C-bit position, physical address bits lost.
            // ECX/EDX: the platform's ASID limits when the backend publishes them, else its own key-slot range.
            boolean snp = es && d.has(io.teebox.api.tee.Capability.MEMORY_INTEGRITY);
            long eax = 0b11 | (es ? 1 << 3 : 0) | (snp ? 1 << 4 : 0);
            long ecx = cpuidProperty(d, "cpuid.8000001F.ecx", k == null ? 0 : k.last());
            long edx = cpuidProperty(d, "cpuid.8000001F.edx", k == null ? 0 : k.first());
            return new long[] {eax, C_BIT | 1L << 6, ecx, edx};
        }
        return new long[4];
    }

    private static long cpuidProperty(BackendDescriptor d, String name, long fallback) {
        String v = d.properties().get(name);
        try {
            return v == null ? fallback : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long safeSignature(Guest g) {
        try {
            return CpuModels.signature(g.config.vcpuType());
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    static ExitTrace record(Guest g, int vcpu, GuestInstruction insn, String path, long exitCode,
            Map<String, Long> saw, Map<String, Long> result) {
        ExitTrace t = new ExitTrace(++g.exitSequence, vcpu, insn, path, exitCode, saw, result);
        g.exits.addLast(t);
        while (g.exits.size() > MAX_EXITS) {
            g.exits.removeFirst();
        }
        return t;
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

    /** SEV: the operands are in the plaintext save area, and so is every other register. */
    static ExitTrace automatic(Guest g, BackendDescriptor d, Vcpu v, GuestInstruction insn) {
        byte[] area = v.saveArea;
        switch (insn.kind()) {
            case CPUID -> {
                Vmsa.LAYOUT.parse(area);
                putReg(v, "rax", insn.operand());
                putReg(v, "rcx", insn.subOperand());
            }
            case OUT, WRMSR, MMIO_WRITE -> putReg(v, "rax", insn.value());
            default -> {
            }
        }
        Map<String, Long> saw = Vmsa.registers(v.saveArea);
        Map<String, Long> result = emulate(g, d, insn);
        result.forEach((reg, val) -> {
            if (!reg.equals("data")) {
                putReg(v, reg, val);
            }
        });
        return record(g, v.index, insn, AUTOMATIC, exitCode(insn), saw, result);
    }

    private static void putReg(Vcpu v, String reg, long value) {
        if (Vmsa.LAYOUT.hasField(reg)) {
            v.saveArea = Vmsa.LAYOUT.parse(v.saveArea).set(reg, value).toBytes();
        }
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
                    io.teebox.kit.codec.LittleEndian.put64(h.page, Ghcb.SHARED_BUFFER, insn.value());
                }
            }
        }
        return h;
    }

    /** The host handles VMGEXIT: decodes the GHCB, refuses what is malformed, answers in the GHCB. */
    static ExitTrace handle(Guest g, BackendDescriptor d, int vcpu, Ghcb h, long ghcbGpa) {
        Map<String, Long> saw = h.visible();
        GuestInstruction insn;
        String missing = null;
        long code = h.valid(Ghcb.SW_EXIT_CODE) ? h.get(Ghcb.SW_EXIT_CODE) : -1;
        long info1 = h.get(Ghcb.SW_EXIT_INFO_1);
        long info2 = h.get(Ghcb.SW_EXIT_INFO_2);
        insn = null;
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
                return refuse(g, vcpu, h, saw, code, Ghcb.ERR_INVALID_INPUT, String.format(
                        "sw_scratch 0x%X is not the GHCB shared buffer 0x%X", h.get(Ghcb.SW_SCRATCH),
                        ghcbGpa + Ghcb.SHARED_BUFFER));
            }
            insn = new GuestInstruction(code == Ghcb.EXIT_MMIO_READ ? GuestInstruction.Kind.MMIO_READ
                    : GuestInstruction.Kind.MMIO_WRITE, info1, info2,
                    io.teebox.kit.codec.LittleEndian.u64(h.page, Ghcb.SHARED_BUFFER));
        } else {
            return refuse(g, vcpu, h, saw, code, Ghcb.ERR_INVALID_EVENT, String.format(
                    "exit code 0x%X is not one this hypervisor handles through the GHCB", code));
        }
        if (missing != null) {
            return refuse(g, vcpu, h, saw, code, Ghcb.ERR_MISSING_INPUT, "the GHCB does not mark " + missing
                    + " valid");
        }
        try {
            check(insn);
        } catch (IllegalArgumentException e) {
            return refuse(g, vcpu, h, saw, code, Ghcb.ERR_INVALID_INPUT, e.getMessage());
        }
        Map<String, Long> result = emulate(g, d, insn);
        h.clearValid();
        result.forEach((reg, val) -> {
            switch (reg) {
                case "rax" -> h.set(Ghcb.RAX, val);
                case "rbx" -> h.set(Ghcb.RBX, val);
                case "rcx" -> h.set(Ghcb.RCX, val);
                case "rdx" -> h.set(Ghcb.RDX, val);
                default -> io.teebox.kit.codec.LittleEndian.put64(h.page, Ghcb.SHARED_BUFFER, val);
            }
        });
        h.set(Ghcb.SW_EXIT_INFO_1, 0).set(Ghcb.SW_EXIT_INFO_2, 0);
        return record(g, vcpu, insn, VC, code, saw, result);
    }

    private static String need(Ghcb h, Object... offsetsAndNames) {
        for (int i = 0; i < offsetsAndNames.length; i += 2) {
            if (!h.valid((Integer) offsetsAndNames[i])) {
                return (String) offsetsAndNames[i + 1];
            }
        }
        return null;
    }

    private static ExitTrace refuse(Guest g, int vcpu, Ghcb h, Map<String, Long> saw, long code, long error,
            String why) {
        h.clearValid();
        h.set(Ghcb.SW_EXIT_INFO_1, 2).set(Ghcb.SW_EXIT_INFO_2, error);
        Map<String, Long> result = new LinkedHashMap<>();
        result.put("error", error);
        ExitTrace t = record(g, vcpu, null, VC + " refused: " + why, code, saw, result);
        if (g.state != GuestState.RUNNING) {
            throw new IllegalStateException("guest " + g.config.name() + " is " + g.state);
        }
        return t;
    }
}
