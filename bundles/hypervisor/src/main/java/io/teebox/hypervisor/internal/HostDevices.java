package io.teebox.hypervisor.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.api.hypervisor.GuestInstruction;

/**
 * The host VMM's device model, the same for every TEE: a serial port at 0x3F8 (its line status reads ready, what
 * the guest writes goes to the guest's console), MSRs and MMIO registers that read back what was written. CPUID is
 * not here: the backend's exit protocol answers it for its vCPU models. Callers hold the guest's monitor.
 */
final class HostDevices {

    static final long SERIAL = 0x3F8;

    private HostDevices() {
    }

    /**
     * @param insn an instruction
     * @throws IllegalArgumentException if its operands are malformed, naming them
     */
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

    /**
     * @param g the guest
     * @param insn a checked instruction other than CPUID
     * @return the registers the host sets
     */
    static Map<String, Long> emulate(Guest g, GuestInstruction insn) {
        Map<String, Long> r = new LinkedHashMap<>();
        switch (insn.kind()) {
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
            case CPUID -> throw new IllegalArgumentException("CPUID is answered by the TEE's exit protocol");
        }
        return r;
    }
}
