package io.teebox.kit.hex;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.Test;

public class HexTest {

    @Test
    public void encodesLowercaseAndDecodesBack() {
        byte[] b = {0, 1, (byte) 0xAB, (byte) 0xFF, 0x7F};
        assertEquals("0001abff7f", Hex.encode(b));
        assertArrayEquals(b, Hex.decode("0001abff7f"));
        assertArrayEquals(b, Hex.decode("0x00 01 AB\nff\t7F"));
        assertArrayEquals(new byte[0], Hex.decode(""));
        assertArrayEquals(new byte[0], Hex.decode("0x"));
    }

    @Test
    public void badCharacterIsReportedWithPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("00zz"));
        assertEquals("invalid hex character 'z' at position 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("0x0g"));
        assertTrue(e.getMessage(), e.getMessage().contains("position 3"));
        assertThrows(IllegalArgumentException.class, () -> Hex.decode("\u0661\u0662"));
    }

    @Test
    public void oddLengthIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.decode("abc"));
        assertTrue(e.getMessage(), e.getMessage().contains("odd"));
    }

    @Test
    public void dumpHasAddressTwoGroupsAndAscii() {
        byte[] data = "teebox default firmware\u0001".getBytes(StandardCharsets.ISO_8859_1);
        String dump = HexDump.format(0xFFFF_FFC0L, data);
        String[] lines = dump.split("\n");
        assertEquals(2, lines.length);
        assertEquals("00000000ffffffc0  74 65 65 62 6f 78 20 64  65 66 61 75 6c 74 20 66  |teebox default f|",
                lines[0]);
        assertEquals("00000000ffffffd0  69 72 6d 77 61 72 65 01                           |irmware.|",
                lines[1]);
        assertEquals(lines[0].indexOf('|'), lines[1].indexOf('|'));
        assertEquals("", HexDump.format(0, new byte[0]));
    }
}
