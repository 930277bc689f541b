package io.teebox.admin.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.Test;

public class CfgFileTest {

    private static final String AMD = "# The emulated AMD Secure Processor\n"
            + "productLine = Milan\n"
            + "! another comment style\n"
            + "\n"
            + "maxAsid = 15\n"
            + "minSevAsid: 5\n"
            + "description = a long \\\n"
            + "    value\n"
            + "path = C\\:\\\\dir\\u0041\n";

    @Test
    public void valuesAreReadAsJavaUtilPropertiesReadsThem() throws Exception {
        CfgFile f = CfgFile.parse(AMD);
        Properties p = new Properties();
        p.load(new java.io.StringReader(AMD));
        for (String k : p.stringPropertyNames()) {
            assertEquals(k, p.getProperty(k), f.raw(k));
        }
        assertEquals(p.stringPropertyNames().size(), f.keys().size());
        assertEquals("plain .cfg values are strings", "15", f.values().get("maxAsid"));
        assertFalse(f.typed());
    }

    @Test
    public void settingAKeyKeepsEveryOtherLineAsItWas() {
        CfgFile f = CfgFile.parse(AMD);
        f.set("maxAsid", "31");
        assertEquals(AMD.replace("maxAsid = 15", "maxAsid = 31"), f.text());
    }

    @Test
    public void aNewKeyIsAppendedAndADeletedOneLeavesNoLine() {
        CfgFile f = CfgFile.parse(AMD);
        f.set("snpSpl", "9");
        assertTrue(f.text().endsWith("snpSpl = 9\n"));
        assertTrue(f.delete("description"));
        assertFalse(f.text().contains("long"));
        assertFalse(f.text().contains("    value"));
        assertFalse("a missing key is reported", f.delete("nosuch"));
        assertTrue("comments stay", f.text().startsWith("# The emulated AMD Secure Processor\nproductLine = Milan\n! "));
    }

    @Test
    public void theLastOfDuplicateKeysWinsAndSetLeavesOne() {
        CfgFile f = CfgFile.parse("a = 1\n# c\na = 2\n");
        assertEquals("2", f.raw("a"));
        f.set("a", "3");
        assertEquals("# c\na = 3\n", f.text());
    }

    @Test
    public void valuesNeedingEscapesRoundTripThroughProperties() throws Exception {
        CfgFile f = CfgFile.empty();
        String tricky = " lead=ing:#\\ tab\t\u00e9 end ";
        f.set("odd key", tricky);
        Properties p = new Properties();
        p.load(new java.io.StringReader(f.text()));
        assertEquals(tricky, p.getProperty("odd key"));
        assertEquals(tricky, CfgFile.parse(f.text()).raw("odd key"));
    }

    @Test
    public void aFileWhoseValuesAreAllTypedIsReadTypedAndWrittenTyped() {
        CfgFile f = CfgFile.parse("maxAsid = I\"15\"\nproductLine = \"Milan\"\nids = I[\"1\", \"2\"]\nok = B\"true\"\n");
        assertTrue(f.typed());
        Map<String, Object> v = f.values();
        assertEquals(15, v.get("maxAsid"));
        assertEquals("Milan", v.get("productLine"));
        assertArrayEquals(new Integer[] {1, 2}, (Object[]) v.get("ids"));
        assertEquals(Boolean.TRUE, v.get("ok"));
        f.set("maxAsid", "31");
        assertEquals("the old value's type is kept", 31, f.values().get("maxAsid"));
        assertTrue(f.text().contains("maxAsid = I\"31\""));
    }

    @Test
    public void oneUntypedValueMakesEveryValueAString() {
        CfgFile f = CfgFile.parse("maxAsid = I\"15\"\nproductLine = Milan\n");
        assertFalse(f.typed());
        assertEquals("I\"15\"", f.values().get("maxAsid"));
    }

    @Test
    public void writingReplacesTheFileAtomicallyAndLeavesNoTemporaryFile() throws Exception {
        Path dir = Files.createTempDirectory("cfg");
        Path file = dir.resolve("io.teebox.amd.sp.cfg");
        Files.writeString(file, AMD, StandardCharsets.ISO_8859_1);
        CfgFile f = CfgFile.read(file);
        f.set("maxAsid", "31");
        f.write(file);
        assertEquals(AMD.replace("maxAsid = 15", "maxAsid = 31"), Files.readString(file, StandardCharsets.ISO_8859_1));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList());
        }
        Path created = dir.resolve("io.teebox.hypervisor.cfg");
        CfgFile fresh = CfgFile.read(created);
        assertNull(fresh.raw("maxGuests"));
        fresh.set("maxGuests", "8");
        fresh.write(created);
        assertEquals("maxGuests = 8\n", Files.readString(created));
    }

    @Test
    public void crlfFilesKeepTheirLineEnds() {
        CfgFile f = CfgFile.parse("# c\r\na = 1\r\n");
        f.set("a", "2");
        assertEquals("# c\r\na = 2\r\n", f.text());
    }
}
