package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.log.LoggerFactory;

import io.teebox.api.tee.KeySlotLimits;

/**
 * The config: and log: commands on the running platform, with FileInstall watching a directory of the test's own
 * as ./teebox watches config/: a valid value is applied and written to the pid's .cfg file, a value the metatype
 * refuses changes nothing, a value the component refuses is reported in one line with the old value in force, and
 * log:tail shows what was just logged.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigShellIT extends TeeboxTestSupport {

    private static final String AMD_SP = "io.teebox.amd.sp";
    /**
     * The watched directory. A fixed path: the probe bundle loads this class again inside the framework, so a
     * random one would differ between the two.
     */
    private static final Path DIR = Path.of("target/config-shell-it").toAbsolutePath();

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] configuration() {
        try {
            if (Files.isDirectory(DIR)) {
                try (var files = Files.list(DIR)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
            }
            Files.createDirectories(DIR);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Option[] {composite(platform()), bundle(bundleFile("org.apache.felix.fileinstall")),
            frameworkProperty("felix.fileinstall.dir").value(DIR.toString()),
            frameworkProperty("felix.fileinstall.poll").value("200"),
            frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
            frameworkProperty("felix.fileinstall.enableConfigSave").value("false"),
            frameworkProperty("felix.fileinstall.filter").value(".*\\.cfg")};
    }

    private String run(String commands) throws Exception {
        Object r = gogo(commands, "config", "log");
        return r == null ? "" : r.toString();
    }

    private String fails(String commands) throws Exception {
        return gogoFails(commands, "config", "log");
    }

    private KeySlotLimits sevSlots() {
        return backend("sev").descriptor().keySlots();
    }

    private Path cfg() {
        return DIR.resolve(AMD_SP + ".cfg");
    }

    @Test
    public void configurationFromTheShell() throws Exception {
        backend("sev");
        Files.writeString(cfg(), "# the AMD SP, written by the test\nmaxAsid = 15\nminSevAsid = 5\n");
        awaitShow("maxAsid = 15   file: 15");

        // a valid value: in force when the command returns, and in the file, with its comment kept
        String set = run("config:set " + AMD_SP + " maxAsid 31");
        assertTrue(set, set.startsWith(AMD_SP + " maxAsid = 31"));
        assertEquals(31, sevSlots().last());
        assertEquals("# the AMD SP, written by the test\nmaxAsid = 31\nminSevAsid = 5\n", Files.readString(cfg()));

        // a value the metatype refuses: one line, nothing changed
        String typeRefusal = fails("config:set " + AMD_SP + " maxAsid many");
        assertEquals("config: io.teebox.amd.sp maxAsid: 'many' is not an integer (-2147483648..2147483647)",
                typeRefusal);
        String unknown = fails("config:set " + AMD_SP + " maxAsId 3");
        assertTrue(unknown, unknown.startsWith("config: io.teebox.amd.sp has no property maxAsId; its metatype knows "
                + "productLine, apiMajor"));
        assertEquals(31, sevSlots().last());
        assertTrue(Files.readString(cfg()).contains("maxAsid = 31"));

        // a value the component refuses: one line naming file, key and reason; the old value stays in force, the
        // file is put back, ConfigAdmin shows what is in force
        String refused = fails("config:set " + AMD_SP + " maxAsid 2000");
        assertTrue(refused, refused.matches(".*io\\.teebox\\.amd\\.sp\\.cfg: maxAsid=2000: maxAsid must be 1\\.\\.1006, "
                + "got 2000; the previous configuration stays in force \\(maxAsid=31\\); .* is as it was"));
        assertFalse(refused.contains("\n"));
        assertEquals(31, sevSlots().last());
        assertTrue(Files.readString(cfg()).contains("maxAsid = 31"));
        await("ConfigAdmin shows 31 again", () -> "31".equals(String.valueOf(amdSpProperty("maxAsid"))));

        // the same refusal when the file is edited by hand: ConfigAdmin is put back to the value in force
        Files.writeString(cfg(), "# the AMD SP, written by the test\nmaxAsid = 2000\nminSevAsid = 5\n");
        awaitShow("maxAsid = 31   file: 2000 (not in force)");
        assertEquals(31, sevSlots().last());

        // show: effective value, file value and the metatype's name, description, type and default
        Files.writeString(cfg(), "maxAsid = 31\nminSevAsid = 5\nnotDescribed = x\n");
        await("FileInstall read the file", () -> "x".equals(amdSpProperty("notDescribed")));
        String show = run("config:show " + AMD_SP);
        assertTrue(show, show.contains("maxAsid = 31   file: 31\n      Max ASID: Number of encrypted guests"));
        assertTrue(show, show.contains("type Integer, one value, default 15"));
        assertTrue(show, show.contains("productLine = Milan (default)"));
        assertTrue(show, show.contains("options ") || show.contains("type String"));
        assertTrue(show, show.contains("notDescribed = x   file: x\n      not described by the metatype"));
        String list = run("config:list amd");
        assertTrue(list, list.contains("* io.teebox.amd.sp  teebox AMD Secure Processor  ["));
        assertTrue(list, list.contains("  io.teebox.amd.kds.http  (factory)"));

        // delete: back to the default
        String deleted = run("config:delete " + AMD_SP + " maxAsid");
        assertTrue(deleted, deleted.contains("maxAsid deleted; default 15"));
        assertEquals(15, sevSlots().last());
        assertFalse(Files.readString(cfg()).contains("maxAsid"));
    }

    @Test
    public void logTailShowsAnEntryJustLogged() throws Exception {
        String marker = "config-shell-it " + System.nanoTime();
        LoggerFactory loggers = service(LoggerFactory.class, null);
        loggers.getLogger("io.teebox.itests").error(marker);
        await("log:tail shows the entry", () -> {
            try {
                return run("log:tail -n 200").contains("ERROR [" + context.getBundle().getSymbolicName()
                        + "] io.teebox.itests: " + marker);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(run("log:display --level ERROR").contains(marker));
        assertFalse(run("log:display --level ERROR --bundle org.apache.felix.scr").contains(marker));
        assertEquals("log: level 'LOUD' is not one of AUDIT, ERROR, WARN, INFO, DEBUG, TRACE", fails("log:set LOUD"));
        assertEquals("ROOT = DEBUG", run("log:set DEBUG"));
        assertEquals("ROOT = WARN", run("log:set WARN"));
    }

    /** Waits until config:show of the AMD SP shows a text; the failure names what it showed last. */
    private void awaitShow(String expected) throws Exception {
        String last = "";
        for (long end = System.currentTimeMillis() + TIMEOUT_MS; System.currentTimeMillis() < end;) {
            last = run("config:show " + AMD_SP);
            if (last.contains(expected)) {
                return;
            }
            Thread.sleep(50);
        }
        fail("config:show " + AMD_SP + " never showed '" + expected + "'; last:\n" + last + "\nbundles: "
                + java.util.Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().contains("fileinstall"))
                        .map(b -> b.getSymbolicName() + "=" + b.getState()).toList());
    }

    private Object amdSpProperty(String key) {
        try {
            org.osgi.service.cm.Configuration[] cs = configAdmin.listConfigurations("(service.pid=" + AMD_SP + ")");
            return cs == null || cs[0].getProperties() == null ? null : cs[0].getProperties().get(key);
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
