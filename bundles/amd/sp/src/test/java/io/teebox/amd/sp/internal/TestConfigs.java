package io.teebox.amd.sp.internal;

import java.util.HashMap;
import java.util.Map;

/** Builds {@link AmdSpConfig} instances for tests: the annotation's defaults with some values replaced. */
public final class TestConfigs {

    /** The chip seed of test platforms that name none. */
    public static final String TEST_CHIP = "teebox-test-chip";

    private TestConfigs() {
    }

    public static AmdSpConfig amdSp(Map<String, Object> values) {
        Map<String, Object> v = new HashMap<>(values);
        v.putIfAbsent("chipSeed", TEST_CHIP);
        return AmdSpConfigs.of(v);
    }

    public static AmdSecureProcessorImpl processor(int maxAsid, int minSevAsid) {
        return new AmdSecureProcessorImpl(amdSp(Map.of("maxAsid", maxAsid, "minSevAsid", minSevAsid)));
    }
}
