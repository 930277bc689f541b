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

    @Test
    public void theModuleImageOfTheBundleGivesVersionAndTcbUnlessTheConfigurationSetsThem() {
        ModuleImage image = ModuleImage.parse("1.5.08;tee-tcb-svn=07010300000000000000000000000000");
        TdxPlatform p = TdxConfigs.platform(config(Map.of()), "00", image);
        assertEquals("1.5.08", p.moduleVersion());
        assertArrayEquals(Hex.decode("07010300000000000000000000000000"), p.teeTcbSvn());
        TdxPlatform pinned = TdxConfigs.platform(config(Map.of("teeTcbSvn", "03010200000000000000000000000000")), "00",
                image);
        assertEquals("the image's version", "1.5.08", pinned.moduleVersion());
        assertArrayEquals("the configured TEE_TCB_SVN", Hex.decode("03010200000000000000000000000000"),
                pinned.teeTcbSvn());
        assertEquals("1.5.07", TdxConfigs.platform(config(Map.of("moduleVersion", "1.5.07")), "00", image)
                .moduleVersion());
        TdxPlatform builtIn = TdxConfigs.platform(config(Map.of()), "00");
        assertEquals(TdxPlatform.defaults().moduleVersion(), builtIn.moduleVersion());
        assertArrayEquals(TdxPlatform.defaults().teeTcbSvn(), builtIn.teeTcbSvn());
    }

    @Test
    public void aMalformedModuleHeaderIsRefusedInOneLine() {
        assertEquals("Teebox-Tdx-Module: tee-tcb-svn=hex is missing in '1.5.06'",
                assertThrows(IllegalArgumentException.class, () -> ModuleImage.parse("1.5.06")).getMessage());
        assertEquals("Teebox-Tdx-Module: tee-tcb-svn must be 32 hex digits, got 4",
                assertThrows(IllegalArgumentException.class, () -> ModuleImage.parse("1.5.06;tee-tcb-svn=0501"))
                        .getMessage());
        assertEquals("Teebox-Tdx-Module: unknown attribute 'mrseam=00' (expected tee-tcb-svn=hex)",
                assertThrows(IllegalArgumentException.class, () -> ModuleImage.parse("1.5.06;mrseam=00"))
                        .getMessage());
        assertEquals("io.teebox.intel.tdx: moduleVersion must be major.minor.build, got 'one'",
                refusal(Map.of("moduleVersion", "one")));
    }
}
