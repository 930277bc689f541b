package io.teebox.amd.sp.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Builds {@link AmdSpConfig} instances for tests: the annotation's defaults with some values replaced. */
public final class TestConfigs {

    private TestConfigs() {
    }

    public static AmdSpConfig amdSp(Map<String, Object> values) {
        return (AmdSpConfig) Proxy.newProxyInstance(AmdSpConfig.class.getClassLoader(),
                new Class<?>[] {AmdSpConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return AmdSpConfig.class;
                    }
                    Object v = values.get(method.getName());
                    if (v == null && method.getName().equals("chipSeed")) {
                        return "teebox-test-chip";
                    }
                    return v != null ? v : method.getDefaultValue();
                });
    }

    public static AmdSecureProcessorImpl processor(int maxAsid, int minSevAsid) {
        return new AmdSecureProcessorImpl(amdSp(Map.of("maxAsid", maxAsid, "minSevAsid", minSevAsid)));
    }
}
