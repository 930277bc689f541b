package io.teebox.api.hypervisor;

import java.util.Objects;

/**
 * An instruction the guest executes that the hypervisor intercepts. How it reaches the host, and how much of the
 * guest's state the host sees on the way, is the exit protocol of the guest's TEE.
 *
 * @param kind the instruction
 * @param operand CPUID leaf, I/O port, MSR index or MMIO guest physical address
 * @param subOperand CPUID subleaf (ECX), or the access size in bytes for I/O and MMIO (1, 2, 4 or 8)
 * @param value the value written by OUT, WRMSR or an MMIO write; 0 otherwise
 */
public record GuestInstruction(Kind kind, long operand, long subOperand, long value) {

    /** Intercepted instructions. */
    public enum Kind {
        /** CPUID: operand = EAX leaf, subOperand = ECX subleaf. */
        CPUID,
        /** IN from an I/O port. */
        IN,
        /** OUT to an I/O port. */
        OUT,
        /** RDMSR. */
        RDMSR,
        /** WRMSR. */
        WRMSR,
        /** A read of emulated MMIO. */
        MMIO_READ,
        /** A write of emulated MMIO. */
        MMIO_WRITE
    }

    /** Creates an instruction. */
    public GuestInstruction {
        Objects.requireNonNull(kind, "kind");
    }
}
