package io.teebox.amd.sp.internal;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Checks a configuration of the secure processor, and makes one from values (tests, firmware updates). */
public final class AmdSpConfigs {

    private AmdSpConfigs() {
    }

    /**
     * @param c a configuration
     * @throws IllegalArgumentException naming the first field out of range
     */
    static void check(AmdSpConfig c) {
        if (!c.productLine().matches("Milan|Genoa|Turin")) {
            throw new IllegalArgumentException("io.teebox.amd.sp: productLine must be Milan, Genoa or Turin, got '"
                    + c.productLine() + "'");
        }
        for (int v : new int[] {c.apiMajor(), c.apiMinor(), c.build(), c.snpSpl()}) {
            if (v < -1 || v > 255) {
                throw new IllegalArgumentException("io.teebox.amd.sp: apiMajor, apiMinor, build and snpSpl are bytes "
                        + "or -1 (the firmware image's), got " + v);
            }
        }
        if (c.microcodeSpl() < 0 || c.microcodeSpl() > 255) {
            throw new IllegalArgumentException("io.teebox.amd.sp: microcodeSpl is a byte, got " + c.microcodeSpl());
        }
        if (!c.signingKey().equals("VCEK") && !c.signingKey().equals("VLEK")) {
            throw new IllegalArgumentException("io.teebox.amd.sp: signingKey must be VCEK or VLEK, got '"
                    + c.signingKey() + "'");
        }
        if (c.maxAsid() < 1 || c.maxAsid() > 1006) {
            throw new IllegalArgumentException("io.teebox.amd.sp: maxAsid must be 1..1006, got " + c.maxAsid());
        }
        if (c.minSevAsid() < 1 || c.minSevAsid() > c.maxAsid() + 1) {
            throw new IllegalArgumentException("io.teebox.amd.sp: minSevAsid must be 1..maxAsid+1 ("
                    + (c.maxAsid() + 1) + "), got " + c.minSevAsid());
        }
    }

    /**
     * @param c a configuration
     * @return the firmware values it sets, which override a loaded firmware image
     */
    static java.util.List<String> firmwareOverrides(AmdSpConfig c) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (c.apiMajor() >= 0) {
            out.add("apiMajor");
        }
        if (c.apiMinor() >= 0) {
            out.add("apiMinor");
        }
        if (c.build() >= 0) {
            out.add("build");
        }
        if (c.snpSpl() >= 0) {
            out.add("snpSpl");
        }
        return out;
    }

    /**
     * A configuration as ConfigAdmin would give it: the annotation's defaults with some values replaced.
     *
     * @param values attribute values by name
     * @return the configuration
     */
    public static AmdSpConfig of(Map<String, Object> values) {
        return (AmdSpConfig) Proxy.newProxyInstance(AmdSpConfig.class.getClassLoader(),
                new Class<?>[] {AmdSpConfig.class}, (proxy, method, args) -> method.getName().equals("annotationType")
                        ? AmdSpConfig.class
                        : values.getOrDefault(method.getName(), method.getDefaultValue()));
    }
}
