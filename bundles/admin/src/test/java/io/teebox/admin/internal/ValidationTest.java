package io.teebox.admin.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.Test;
import org.osgi.service.log.LogLevel;

/** What config:set refuses before it writes anything, and how the guard words a refusal. */
public class ValidationTest {

    private static final Metatypes.Described AMD = new Metatypes.Described("io.teebox.amd.sp", Fakes.amdSp(), null,
            false);

    @Test
    public void aValueOfTheWrongTypeIsRefusedInOneLineNamingPidKeyAndReason() {
        assertEquals("config: io.teebox.amd.sp maxAsid: 'abc' is not an integer (-2147483648..2147483647)",
                ConfigCommands.refusal("io.teebox.amd.sp", AMD, "maxAsid", "abc"));
        assertEquals("config: io.teebox.amd.sp spl: '300' is not a byte (-128..127)",
                ConfigCommands.refusal("io.teebox.amd.sp", AMD, "spl", "300"));
        assertEquals("config: io.teebox.amd.sp debug: 'yes' is not a boolean (true or false)",
                ConfigCommands.refusal("io.teebox.amd.sp", AMD, "debug", "yes"));
    }

    @Test
    public void aValueOutsideTheOptionsIsRefusedListingThem() {
        assertEquals("config: io.teebox.amd.sp productLine: 'Rome' is not one of Milan, Genoa, Turin",
                ConfigCommands.refusal("io.teebox.amd.sp", AMD, "productLine", "Rome"));
        assertNull(ConfigCommands.refusal("io.teebox.amd.sp", AMD, "productLine", "Genoa"));
    }

    @Test
    public void theDefinitionsOwnValidationIsAsked() {
        String r = ConfigCommands.refusal("io.teebox.amd.sp", AMD, "signingKey", "reject");
        assertEquals("config: io.teebox.amd.sp signingKey: 'reject' is refused by the metatype (rejected by the "
                + "definition)", r);
    }

    @Test
    public void multiValuedAttributesTakeACommaSeparatedListUpToTheirCardinality() {
        assertNull(ConfigCommands.refusal("p", AMD, "revokedPpids", "a,b,c"));
        assertTrue(ConfigCommands.refusal("p", AMD, "revokedPpids", "a,b,c,d").contains("at most 3"));
    }

    @Test
    public void anUnknownKeyIsRefusedNamingTheKnownOnesUnlessThePidHasNoMetatype() {
        assertEquals("config: io.teebox.amd.sp has no property maxAsId; its metatype knows productLine, maxAsid, "
                + "signingKey, revokedPpids, debug, spl", ConfigCommands.refusal("io.teebox.amd.sp", AMD,
                        "maxAsId", "3"));
        assertNull("no metatype: nothing to check against", ConfigCommands.refusal("org.example", null, "x", "y"));
        assertNull(ConfigCommands.refusal("io.teebox.amd.sp", AMD, "maxAsid", "-3"));
    }

    @Test
    public void theGuardsLineNamesFileKeyValueReasonAndWhatStaysInForce() {
        java.util.Hashtable<String, Object> dict = new java.util.Hashtable<>();
        dict.put(ConfigGuard.FILENAME, java.nio.file.Path.of("config/io.teebox.amd.sp.cfg").toAbsolutePath().toUri()
                .toString());
        dict.put("maxAsid", "999");
        Map<String, Object> now = Map.of("maxAsid", "999", "minSevAsid", "5");
        Map<String, Object> before = Map.of("maxAsid", "15", "minSevAsid", "5");
        Set<String> changed = ConfigGuard.changedKeys(before, now);
        assertEquals(Set.of("maxAsid"), changed);
        String reason = ConfigGuard.stripPid("io.teebox.amd.sp: maxAsid must be 1..1006, got 999", "io.teebox.amd.sp",
                null);
        assertEquals("config/io.teebox.amd.sp.cfg: maxAsid=999: maxAsid must be 1..1006, got 999; the previous "
                + "configuration stays in force (maxAsid=15)", ConfigGuard.line(dict, "io.teebox.amd.sp", now, before,
                        changed, reason, AMD));
        assertEquals("with nothing accepted before, the default is what stays",
                "io.teebox.amd.sp: maxAsid=999: r; the previous configuration stays in force (maxAsid=15, the "
                        + "default)", ConfigGuard.line(null, "io.teebox.amd.sp", now, null, Set.of("maxAsid"), "r",
                                AMD));
    }

    @Test
    public void theKeyAReasonNamesIsTheOneReportedAmongSeveralChanged() {
        Map<String, Object> before = new LinkedHashMap<>(Map.of("maxAsid", "15", "minSevAsid", "5"));
        Map<String, Object> now = Map.of("maxAsid", "3", "minSevAsid", "9");
        Set<String> changed = ConfigGuard.changedKeys(before, now);
        assertEquals(Set.of("minSevAsid"), ConfigGuard.namedIn("minSevAsid must be 1..maxAsid+1 (4), got 9",
                Set.of("minSevAsid", "maxAsidX")));
        assertEquals(changed, ConfigGuard.namedIn("something else went wrong", changed));
        assertEquals("a deleted key is a change", Set.of("minSevAsid"),
                ConfigGuard.changedKeys(before, Map.of("maxAsid", "15")));
    }

    @Test
    public void onlyAnExceptionFromTheComponentsOwnCodeIsARefusal() {
        String own = "java.lang.reflect.InvocationTargetException\n\tat jdk.internal.Foo.bar(Foo.java:1)\n"
                + "Caused by: java.lang.IllegalArgumentException: io.teebox.amd.sp: maxAsid must be 1..1006, got 0\n"
                + "\tat io.teebox.amd.sp.internal.AmdSpConfigs.check(AmdSpConfigs.java:32)\n";
        assertTrue(ConfigGuard.thrownBy(own, "io.teebox.amd.sp.internal.AmdSecureProcessorImpl"));
        assertEquals("io.teebox.amd.sp: maxAsid must be 1..1006, got 0",
                ConfigGuard.refusal(own, "io.teebox.amd.sp.internal.AmdSecureProcessorImpl"));
        // the component's own exception wins over its cause, also when the log wrapped the chain
        String wrapped = "java.lang.IllegalArgumentException: io.teebox.intel.tdx: fmspc is not hex: bad 'z'\n"
                + "\tat io.teebox.intel.tdx.module.internal.TdxConfigs.hex(TdxConfigs.java:33)\n"
                + "Caused by: org.apache.felix.log.LogException: java.lang.IllegalArgumentException: bad 'z'\n"
                + "\tat io.teebox.kit.hex.Hex.decode(Hex.java:40)\n";
        assertEquals("io.teebox.intel.tdx: fmspc is not hex: bad 'z'",
                ConfigGuard.refusal(wrapped, "io.teebox.intel.tdx.module.internal.TdxModuleImpl"));
        assertNull("thrown in another package", ConfigGuard.refusal(wrapped, "io.teebox.intel.tdx.internal.TdxBackend"));
        String dependency = "org.osgi.service.component.ComponentException: Unable to get service for reference $002\n"
                + "\tat org.apache.felix.scr.impl.manager.SingleComponentManager.x(SingleComponentManager.java:1)\n";
        assertFalse(ConfigGuard.thrownBy(dependency, "io.teebox.intel.tdx.internal.TdxBackend"));
    }

    @Test
    public void aBadLogLevelIsRefusedInOneLine() {
        assertEquals(LogLevel.DEBUG, LogCommands.level("debug"));
        IllegalArgumentException e = org.junit.Assert.assertThrows(IllegalArgumentException.class,
                () -> LogCommands.level("LOUD"));
        assertEquals("log: level 'LOUD' is not one of AUDIT, ERROR, WARN, INFO, DEBUG, TRACE", e.getMessage());
    }
}
