package io.teebox.amd.sev.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

import io.teebox.amd.sp.internal.AmdSecureProcessorImpl;
import io.teebox.amd.sp.internal.AmdSpConfig;

/** An emulated AMD platform for the firmware tests, with the configuration's defaults but for the ASID limits. */
final class Platforms {

    private Platforms() {
    }

    static AmdSecureProcessorImpl processor(int maxAsid, int minSevAsid) {
        return processor(maxAsid, minSevAsid, "teebox-amd-chip-0");
    }

    /** A platform of another chip: its own OCA, CEK, PEK and PDH. */
    static AmdSecureProcessorImpl processor(int maxAsid, int minSevAsid, String chipSeed) {
        Map<String, Object> values = Map.of("maxAsid", maxAsid, "minSevAsid", minSevAsid, "chipSeed", chipSeed);
        AmdSpConfig config = (AmdSpConfig) Proxy.newProxyInstance(AmdSpConfig.class.getClassLoader(),
                new Class<?>[] {AmdSpConfig.class}, (proxy, method, args) -> method.getName().equals("annotationType")
                        ? AmdSpConfig.class
                        : values.getOrDefault(method.getName(), method.getDefaultValue()));
        return new AmdSecureProcessorImpl(config);
    }
}
