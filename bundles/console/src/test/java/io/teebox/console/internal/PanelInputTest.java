package io.teebox.console.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;

import com.google.gson.JsonObject;

/** What the panels make of what a browser sends: each mistake is one line naming the field. */
public class PanelInputTest {

    @Test
    public void addressesAreHexOrDecimal() {
        assertEquals(0x80A000L, Panel.address("gpa", "0x80A000"));
        assertEquals(4096L, Panel.address("gpa", "4096"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Panel.address("gpa", "0xZZ"));
        assertEquals("gpa '0xZZ' is not a number (0x-hex or decimal)", e.getMessage());
    }

    @Test
    public void hostWriteDataIsTextOrHex() {
        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), MemoryPanel.data("hi"));
        assertArrayEquals(new byte[] {0, (byte) 0xFF}, MemoryPanel.data("hex:00ff"));
        assertThrows(IllegalArgumentException.class, () -> MemoryPanel.data("hex:0g"));
    }

    @Test
    public void requiredFieldsAreNamedWhenMissing() {
        JsonObject o = new JsonObject();
        o.addProperty("blank", "  ");
        assertEquals("'guest' is missing", assertThrows(IllegalArgumentException.class,
                () -> Panel.string(o, "guest")).getMessage());
        assertEquals("'blank' is missing", assertThrows(IllegalArgumentException.class,
                () -> Panel.string(o, "blank")).getMessage());
        o.addProperty("fw", "not base64!");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Panel.base64(o, "fw")).getMessage()
                .startsWith("'fw' is not Base64"));
        o.addProperty("vcpus", "two");
        assertEquals("vcpus 'two' is not a whole number", assertThrows(IllegalArgumentException.class,
                () -> GuestsPanel.integer(o, "vcpus", 1)).getMessage());
    }

    @Test
    public void certificatesArePemBlocksLeafFirst() {
        String pem = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n"
                + "-----BEGIN VENDOR CERTIFICATE-----\nAwQ=\n-----END VENDOR CERTIFICATE-----\n";
        List<byte[]> certs = EvidencePanel.certificates(pem);
        assertEquals(2, certs.size());
        assertArrayEquals(new byte[] {0, 1, 2}, certs.get(0));
        assertArrayEquals(new byte[] {3, 4}, certs.get(1));
        assertEquals(0, EvidencePanel.certificates(null).size());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EvidencePanel.certificates("garbage"))
                .getMessage().startsWith("no PEM certificate block"));
        String back = EvidencePanel.pem(certs);
        assertTrue(back, back.contains("-----BEGIN VENDOR CERTIFICATE-----\nAAEC\n"));
    }
}
