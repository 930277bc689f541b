package io.teebox.nvidia.rim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.teebox.kit.hex.Hex;
import io.teebox.nvidia.abi.MeasurementBlock;

/**
 * Compares a GPU's measurement blocks with the golden measurements of its driver and VBIOS RIMs by NVIDIA's rules
 * (nvtrust local GPU verifier, {@code verifier.py} {@code generate_golden_measurement_list} and {@code verify}):
 * <ul>
 * <li>only active entries count; the golden list is the driver's active entries plus the VBIOS's, and an index
 * active in both RIMs is an error;</li>
 * <li>RIM index {@code i} (0-based) is compared with the report's {@code i}-th measurement, which is SPDM
 * measurement block {@code i + 1} (the report numbers its blocks 1..64; nvtrust stores block {@code n} at list
 * position {@code n - 1});</li>
 * <li>a block matches when its value equals one of the entry's alternatives and has the entry's size;</li>
 * <li>index 35 is not compared when the report's NVDEC0_STATUS says NVDEC0 is disabled (0x55);</li>
 * <li>more golden entries than runtime blocks fails.</li>
 * </ul>
 */
public final class RimComparison {

    /** The RIM index nvtrust skips when NVDEC0 is disabled ({@code is_msr_35_valid}). */
    public static final int NVDEC0_INDEX = 35;

    /** Why one index does not match. */
    public enum Problem {
        /** The block's value is none of the alternatives, or its size differs. */
        DIFFERENT,
        /** The report has no block for an active golden index. */
        MISSING,
        /** The driver and VBIOS RIMs both have an active entry at this index. */
        CONFLICT,
        /** There are more golden entries than runtime blocks (index -1). */
        TOO_MANY_GOLDEN
    }

    /**
     * One mismatch.
     *
     * @param index the RIM index (0-based), or -1 for {@link Problem#TOO_MANY_GOLDEN}
     * @param component {@code "driver"} or {@code "vbios"} (both, joined by {@code "+"}, for a conflict)
     * @param name the entry's name in the RIM
     * @param problem what is wrong
     * @param got the block's value in hex, or {@code null} if there is none
     * @param expected the accepted values in hex
     */
    public record Mismatch(int index, String component, String name, Problem problem, String got,
            List<String> expected) {

        /** Copies the list. */
        public Mismatch {
            expected = List.copyOf(expected);
        }

        @Override
        public String toString() {
            return switch (problem) {
                case DIFFERENT -> component + " index " + index + " (" + name + "): got " + got + ", expected "
                        + (expected.size() == 1 ? expected.get(0) : "one of " + expected);
                case MISSING -> component + " index " + index + " (" + name + "): the report has no measurement block "
                        + (index + 1);
                case CONFLICT -> "index " + index + " (" + name + ") is active in both the driver and the VBIOS RIM";
                case TOO_MANY_GOLDEN -> got;
            };
        }
    }

    private RimComparison() {
    }

    /**
     * @param driver the driver RIM's entries (all of them; inactive ones are ignored)
     * @param vbios the VBIOS RIM's entries
     * @param runtime the report's measurement blocks (SPDM indices 1..n)
     * @param nvdec0Enabled whether the report's NVDEC0_STATUS says NVDEC0 is enabled (0xAA)
     * @return every mismatch, in index order (conflicts first); empty if the GPU is in the expected state
     */
    public static List<Mismatch> compare(List<GoldenMeasurement> driver, List<GoldenMeasurement> vbios,
            List<MeasurementBlock> runtime, boolean nvdec0Enabled) {
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(vbios, "vbios");
        Objects.requireNonNull(runtime, "runtime");
        List<Mismatch> out = new ArrayList<>();
        Map<Integer, GoldenMeasurement> golden = new TreeMap<>();
        Map<Integer, String> component = new TreeMap<>();
        for (GoldenMeasurement g : driver) {
            if (g.active()) {
                golden.put(g.index(), g);
                component.put(g.index(), "driver");
            }
        }
        for (GoldenMeasurement g : vbios) {
            if (!g.active()) {
                continue;
            }
            if (golden.containsKey(g.index())) {
                out.add(new Mismatch(g.index(), "driver+vbios", golden.get(g.index()).name() + " / " + g.name(),
                        Problem.CONFLICT, null, List.of()));
                continue;
            }
            golden.put(g.index(), g);
            component.put(g.index(), "vbios");
        }
        if (!out.isEmpty()) {
            return out;
        }
        if (golden.size() > runtime.size()) {
            out.add(new Mismatch(-1, "driver+vbios", "", Problem.TOO_MANY_GOLDEN, "the RIMs have " + golden.size()
                    + " active golden measurements, more than the report's " + runtime.size() + " blocks",
                    List.of()));
            return out;
        }
        Map<Integer, MeasurementBlock> blocks = new TreeMap<>();
        for (MeasurementBlock b : runtime) {
            blocks.put(b.index(), b);
        }
        for (Map.Entry<Integer, GoldenMeasurement> e : golden.entrySet()) {
            int index = e.getKey();
            if (index == NVDEC0_INDEX && !nvdec0Enabled) {
                continue;
            }
            GoldenMeasurement g = e.getValue();
            List<String> expected = g.alternatives().stream().map(Hex::encode).toList();
            MeasurementBlock b = blocks.get(index + 1);
            if (b == null) {
                out.add(new Mismatch(index, component.get(index), g.name(), Problem.MISSING, null, expected));
                continue;
            }
            byte[] value = b.value();
            boolean match = g.alternatives().stream().anyMatch(a -> a.length == value.length
                    && Arrays.equals(a, value));
            if (!match) {
                out.add(new Mismatch(index, component.get(index), g.name(), Problem.DIFFERENT, Hex.encode(value),
                        expected));
            }
        }
        return out;
    }

    /**
     * @param driver the driver RIM
     * @param vbios the VBIOS RIM
     * @param runtime the report's measurement blocks
     * @param nvdec0Enabled whether NVDEC0 is enabled
     * @return every mismatch
     */
    public static List<Mismatch> compare(Rim driver, Rim vbios, List<MeasurementBlock> runtime,
            boolean nvdec0Enabled) {
        return compare(driver.measurements(), vbios.measurements(), runtime, nvdec0Enabled);
    }
}
