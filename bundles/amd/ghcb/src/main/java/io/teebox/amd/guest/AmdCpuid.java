package io.teebox.amd.guest;

import java.util.function.Supplier;

import io.teebox.kit.x86.CpuModels;

/**
 * CPUID as QEMU's AMD EPYC vCPU models answer it for a confidential guest: the AuthenticAMD vendor string, the
 * model's CPUID(1).EAX signature, and the memory-encryption leaf 0x8000_001F (AMD APM vol. 3): SME, SEV, SEV-ES and
 * SEV-SNP support bits, the C-bit position (51), the physical address bits lost (1), the number of encrypted guests
 * (ECX) and the first SEV-only ASID (EDX), both from the platform.
 */
public final class AmdCpuid {

    /** The C-bit position. */
    public static final long C_BIT = 51;
    /** "Auth", "enti", "cAMD" in EBX, EDX, ECX. */
    private static final long EBX = 0x68747541L;
    private static final long EDX = 0x69746E65L;
    private static final long ECX = 0x444D4163L;

    /**
     * What the platform reports.
     *
     * @param es SEV-ES is enabled for the guest
     * @param snp SEV-SNP is enabled for the guest
     * @param maxAsid the number of encrypted guests the platform supports (ECX)
     * @param minSevAsid the first ASID of SEV (non-ES) guests (EDX)
     */
    public record Platform(boolean es, boolean snp, long maxAsid, long minSevAsid) {
    }

    private final Supplier<Platform> platform;

    /** @param platform the platform's facts, read at each CPUID (they change with a firmware update) */
    public AmdCpuid(Supplier<Platform> platform) {
        this.platform = platform;
    }

    /**
     * @param vcpuModel the guest's vCPU model
     * @param leaf EAX
     * @return EAX, EBX, ECX, EDX
     */
    public long[] cpuid(String vcpuModel, long leaf) {
        if (leaf == 0) {
            return new long[] {0x10, EBX, ECX, EDX};
        }
        if (leaf == 1) {
            return new long[] {signature(vcpuModel), 0, 0, 0};
        }
        if (leaf == 0x8000_0000L) {
            return new long[] {0x8000_001FL, EBX, ECX, EDX};
        }
        if (leaf == 0x8000_001FL) {
            Platform p = platform.get();
            long eax = 0b11 | (p.es() ? 1 << 3 : 0) | (p.snp() ? 1 << 4 : 0);
            return new long[] {eax, C_BIT | 1L << 6, p.maxAsid(), p.minSevAsid()};
        }
        return new long[4];
    }

    private static long signature(String model) {
        try {
            return CpuModels.signature(model);
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }
}
