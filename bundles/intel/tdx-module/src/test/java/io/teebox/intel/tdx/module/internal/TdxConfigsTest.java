package io.teebox.intel.tdx.module.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.Test;

import io.teebox.kit.hex.Hex;

/** A configuration of pid io.teebox.intel.tdx is refused in one line naming the key at fault. */
public class TdxConfigsTest {

    /** A TdxConfig with the annotation's defaults and the given values, as DS would build it. */
    static TdxConfig config(Map<String, Object> values) {
        return (TdxConfig) Proxy.newProxyInstance(TdxConfig.class.getClassLoader(), new Class<?>[] {TdxConfig.class},
                (proxy, m, args) -> values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue());
    }

    private static String refusal(Map<String, Object> values) {
        return assertThrows(IllegalArgumentException.class, () -> TdxConfigs.platform(config(values), "00"))
                .getMessage();
    }

    @Test
    public void theDefaultsDescribeTheDefaultPlatform() {
        TdxPlatform p = TdxConfigs.platform(config(Map.of()), "00");
        assertArrayEquals(Hex.decode("00806F050000"), p.fmspc());
    }

    @Test
    public void eachRefusalNamesTheKey() {
        assertEquals("io.teebox.intel.tdx: hkidCount must be at least 1, got 0", refusal(Map.of("hkidCount", 0)));
        assertEquals("io.teebox.intel.tdx: firstHkid must be at least 1 (KeyID 0 is the host's), got 0",
                refusal(Map.of("firstHkid", 0)));
        assertEquals("io.teebox.intel.tdx: firstHkid + hkidCount - 1 must be at most 1023, the largest KeyID, got 1055",
                refusal(Map.of("firstHkid", 1000, "hkidCount", 56)));
        assertEquals("io.teebox.intel.tdx: firstHkid + hkidCount - 1 must be at most 1023, the largest KeyID, got "
                + (1000L + Integer.MAX_VALUE - 1), refusal(Map.of("firstHkid", 1000, "hkidCount", Integer.MAX_VALUE)));
        assertEquals("io.teebox.intel.tdx: fmspc is not hex: invalid hex character 'z' at position 0",
                refusal(Map.of("fmspc", "zz")));
        assertEquals("io.teebox.intel.tdx: cpuSvn must be 32 hex digits, got 2", refusal(Map.of("cpuSvn", "00")));
    }
}
