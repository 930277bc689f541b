package io.teebox.amd.sp.testing;

import java.util.Map;

import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.internal.AmdSecureProcessorImpl;
import io.teebox.amd.sp.internal.TestConfigs;

/**
 * Emulated AMD platforms for other modules' tests (this module's test-jar): a secure processor of a configuration
 * given as values, with a fixed chip seed unless the values name one, and configuration updates as ConfigAdmin
 * makes them.
 */
public final class AmdPlatforms {

    private AmdPlatforms() {
    }

    /**
     * @param values configuration values by attribute name ({@code productLine}, {@code maxAsid}, {@code chipSeed},
     *            ...); the rest are the defaults, the chip seed {@value TestConfigs#TEST_CHIP}
     * @return the secure processor
     */
    public static AmdSecureProcessor processor(Map<String, Object> values) {
        return new AmdSecureProcessorImpl(TestConfigs.amdSp(values));
    }

    /**
     * @param maxAsid CPUID 0x8000_001F ECX
     * @param minSevAsid CPUID 0x8000_001F EDX
     * @param chipSeed the chip seed
     * @return the secure processor
     */
    public static AmdSecureProcessor processor(int maxAsid, int minSevAsid, String chipSeed) {
        return processor(Map.of("maxAsid", maxAsid, "minSevAsid", minSevAsid, "chipSeed", chipSeed));
    }

    /**
     * Applies a new configuration, as ConfigAdmin does (a firmware update: a new TCB, new ASID limits).
     *
     * @param sp a secure processor made here
     * @param values the new configuration's values; the rest are the defaults
     */
    public static void update(AmdSecureProcessor sp, Map<String, Object> values) {
        ((AmdSecureProcessorImpl) sp).modifiedForTest(values);
    }
}
