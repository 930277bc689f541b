package io.teebox.kit.x86;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * QEMU's AMD EPYC vCPU models and their CPUID(1).EAX signatures, which QEMU puts in RDX of each reset VMSA and which
 * therefore enter SEV-ES/SNP launch measurements. The table is virtee/sev-snp-measure's {@code vcpu_types.py}.
 */
public final class CpuModels {

    private static final Map<String, Long> SIGNATURES = new LinkedHashMap<>();
    private static final Map<String, String> BY_LOWER = new LinkedHashMap<>();

    static {
        long naples = signature(23, 1, 2);
        long rome = signature(23, 49, 0);
        long milan = signature(25, 1, 1);
        long genoa = signature(25, 17, 0);
        for (String n : List.of("EPYC", "EPYC-v1", "EPYC-v2", "EPYC-IBPB", "EPYC-v3", "EPYC-v4")) {
            add(n, naples);
        }
        for (String n : List.of("EPYC-Rome", "EPYC-Rome-v1", "EPYC-Rome-v2", "EPYC-Rome-v3")) {
            add(n, rome);
        }
        for (String n : List.of("EPYC-Milan", "EPYC-Milan-v1", "EPYC-Milan-v2")) {
            add(n, milan);
        }
        add("EPYC-Genoa", genoa);
        add("EPYC-Genoa-v1", genoa);
        add("EPYC-Turin", signature(26, 0, 0));
    }

    private CpuModels() {
    }

    private static void add(String name, long sig) {
        SIGNATURES.put(name, sig);
        BY_LOWER.put(name.toLowerCase(Locale.ROOT), name);
    }

    /**
     * The CPUID(1).EAX signature of a QEMU vCPU model.
     *
     * @param vcpuType the model name, case-insensitive, e.g. "EPYC-v4" (0x800F12), "EPYC-Milan" (0xA00F11),
     *        "EPYC-Genoa" (0xA10F10)
     * @return the 32-bit signature
     * @throws IllegalArgumentException if the model is not known; the message lists the known ones
     */
    public static long signature(String vcpuType) {
        Objects.requireNonNull(vcpuType, "vcpuType");
        String name = BY_LOWER.get(vcpuType.toLowerCase(Locale.ROOT));
        if (name == null) {
            throw new IllegalArgumentException("unknown vCPU type '" + vcpuType + "', expected one of " + known());
        }
        return SIGNATURES.get(name);
    }

    /**
     * The known model names.
     *
     * @return an unmodifiable list in QEMU's spelling
     */
    public static List<String> known() {
        return Collections.unmodifiableList(new ArrayList<>(SIGNATURES.keySet()));
    }

    /**
     * Computes a CPUID(1).EAX signature as AMD's CPUID specification (publication 25481) encodes it: families
     * above 0xF put 0xF in the base family and the rest in the extended family.
     *
     * @param family the display family, e.g. 25 (0x19) for Zen 3/4
     * @param model the display model
     * @param stepping the stepping
     * @return the signature
     */
    public static long signature(int family, int model, int stepping) {
        int familyLow = family > 0xF ? 0xF : family;
        int familyHigh = family > 0xF ? (family - 0xF) & 0xFF : 0;
        return ((long) familyHigh << 20) | ((model >> 4) & 0xF) << 16 | familyLow << 8 | (model & 0xF) << 4
                | (stepping & 0xF);
    }
}
