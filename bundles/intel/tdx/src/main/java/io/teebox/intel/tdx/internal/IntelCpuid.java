package io.teebox.intel.tdx.internal;

import java.util.Locale;
import java.util.Map;

/**
 * CPUID as QEMU's Intel vCPU models answer it to a TD through TDG.VP.VMCALL: the GenuineIntel vendor string and
 * highest basic leaf, the model's CPUID(1).EAX signature (family, model, stepping as QEMU's model table has them) and
 * the TDX vendor leaf 0x21 ("IntelTDX    "), which a TD uses to detect that it runs in TDX.
 */
final class IntelCpuid {

    /** "Genu", "ntel", "ineI" in EBX, ECX, EDX. */
    private static final long EBX = 0x756E6547L;
    private static final long ECX = 0x6C65746EL;
    private static final long EDX = 0x49656E69L;
    /** family 6 with model and stepping per QEMU model (target/i386/cpu.c). */
    private static final Map<String, long[]> MODELS = Map.of(
            "sapphirerapids", new long[] {6, 0x8F, 4},
            "spr", new long[] {6, 0x8F, 4},
            "host", new long[] {6, 0x8F, 4},
            "emeraldrapids", new long[] {6, 0xCF, 2},
            "emr", new long[] {6, 0xCF, 2},
            "graniterapids", new long[] {6, 0xAD, 1},
            "gnr", new long[] {6, 0xAD, 1});

    private IntelCpuid() {
    }

    /** @return CPUID(1).EAX of the model: stepping, model, family, extended model, extended family */
    static long signature(String model) {
        long[] m = MODELS.getOrDefault(model.replaceFirst("-v[0-9]+$", "").toLowerCase(Locale.ROOT), MODELS.get("spr"));
        long family = m[0];
        long mod = m[1];
        return (mod >> 4 & 0xF) << 16 | (family & 0xF) << 8 | (mod & 0xF) << 4 | m[2];
    }

    static long[] cpuid(String model, long leaf, long subleaf) {
        if (leaf == 0) {
            return new long[] {0x23, EBX, ECX, EDX};
        }
        if (leaf == 1) {
            return new long[] {signature(model), 0, 0, 0};
        }
        if (leaf == 0x21 && subleaf == 0) {
            // "IntelTDX    ": EBX "Inte", EDX "lTDX", ECX "    "
            return new long[] {0, 0x65746E49L, 0x20202020L, 0x5844546CL};
        }
        if (leaf == 0x8000_0000L) {
            return new long[] {0x8000_0008L, 0, 0, 0};
        }
        return new long[4];
    }
}
