package io.teebox.kit.codec;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class LayoutTest {

    /** A structure with every kind of field and a reserved range. */
    private static final Layout SAMPLE = Layout.define("SEV_SESSION", 128)
            .bytes("nonce", 0x00, 16)
            .u32("policy", 0x10)
            .reserved(0x14, 4)
            .u8("api_major", 0x18)
            .u8("api_minor", 0x19)
            .u16("build", 0x1A)
            .u64("gpa", 0x20)
            .bytes("mac", 0x60, 32)
            .build();

    @Test
    public void roundTripKeepsEveryFieldAndByte() {
        Struct s = SAMPLE.create();
        byte[] nonce = new byte[16];
        for (int i = 0; i < 16; i++) {
            nonce[i] = (byte) (0xA0 + i);
        }
        s.set("nonce", nonce).set("policy", 0xFFFF_FFFFL).set("api_major", 1).set("api_minor", 0x37)
                .set("build", 0xBEEF).set("gpa", 0x8000_0000_0000_1000L);
        byte[] bytes = s.toBytes();
        assertEquals(128, bytes.length);
        assertEquals((byte) 0xFF, bytes[0x10]);
        assertEquals((byte) 0xEF, bytes[0x1A]);
        assertEquals((byte) 0xBE, bytes[0x1B]);
        assertEquals((byte) 0x80, bytes[0x27]);

        Struct back = SAMPLE.parse(bytes);
        assertArrayEquals(nonce, back.bytes("nonce"));
        assertEquals(0xFFFF_FFFFL, back.u32("policy"));
        assertEquals(1, back.u8("api_major"));
        assertEquals(0x37, back.u8("api_minor"));
        assertEquals(0xBEEF, back.u16("build"));
        assertEquals(0x8000_0000_0000_1000L, back.u64("gpa"));
        assertArrayEquals(bytes, back.toBytes());
        assertEquals(s, back);
    }

    @Test
    public void parseCopiesTheInput() {
        byte[] data = new byte[128];
        Struct s = SAMPLE.parse(data);
        data[0x18] = 5;
        assertEquals(0, s.u8("api_major"));
        byte[] out = s.toBytes();
        out[0x18] = 7;
        assertEquals(0, s.u8("api_major"));
    }

    @Test
    public void wrongSizeIsRejectedWithFoundAndExpected() {
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> SAMPLE.parse(new byte[127]));
        assertEquals("SEV_SESSION is 127 bytes, expected 128", e.getMessage());
        assertEquals("SEV_SESSION", e.structName());
        assertNull(e.field());
    }

    @Test
    public void nonZeroReservedByteIsRejectedWithItsOffset() {
        byte[] data = new byte[128];
        data[0x15] = 1;
        MalformedStructureException e = assertThrows(MalformedStructureException.class, () -> SAMPLE.parse(data));
        assertEquals("SEV_SESSION: reserved bytes 0x14..0x17 must be zero, found 0x01 at 0x15", e.getMessage());
    }

    @Test
    public void parseAtOffsetReadsFromTheMiddleOfABuffer() {
        byte[] buf = new byte[300];
        buf[100 + 0x18] = 9;
        assertEquals(9, SAMPLE.parse(buf, 100).u8("api_major"));
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> SAMPLE.parse(buf, 200));
        assertTrue(e.getMessage(), e.getMessage().contains("needs 128 bytes at offset 0xC8, only 100 left"));
        byte[] bad = new byte[300];
        bad[100 + 0x16] = (byte) 0x80;
        assertThrows(MalformedStructureException.class, () -> SAMPLE.parse(bad, 100));
    }

    @Test
    public void valueTooWideForFieldNamesTheField() {
        Struct s = SAMPLE.create();
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> s.set("api_major", 0x100));
        assertEquals("api_major", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("SEV_SESSION.api_major"));
        assertThrows(MalformedStructureException.class, () -> s.set("build", 0x1_0000));
        assertThrows(MalformedStructureException.class, () -> s.set("policy", 0x1_0000_0000L));
        assertThrows(MalformedStructureException.class, () -> s.set("policy", -1));
        s.set("gpa", -1L);
        assertEquals(-1L, s.u64("gpa"));
    }

    @Test
    public void wrongLengthBytesNamesFieldFoundAndExpected() {
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> SAMPLE.create().set("mac", new byte[31]));
        assertEquals("mac", e.field());
        assertEquals("SEV_SESSION.mac: value is 31 bytes, expected 32", e.getMessage());
    }

    @Test
    public void unknownFieldIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SAMPLE.create().u32("polcy"));
        assertTrue(e.getMessage(), e.getMessage().contains("'polcy'"));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.offset("nope"));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.create().set("nope", 1));
    }

    @Test
    public void readingAFieldAsTheWrongWidthIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.create().u16("policy"));
        assertThrows(IllegalArgumentException.class, () -> SAMPLE.create().set("nonce", 1));
    }

    @Test
    public void overlappingFieldsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Layout.define("X", 16).u32("a", 0).u32("b", 2).build());
        assertTrue(e.getMessage(), e.getMessage().contains("field b") && e.getMessage().contains("field a"));
        assertThrows(IllegalArgumentException.class,
                () -> Layout.define("X", 16).u32("a", 0).reserved(3, 4).build());
    }

    @Test
    public void fieldsOutsideTheStructureAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Layout.define("X", 16).u64("a", 12).build());
        assertTrue(e.getMessage(), e.getMessage().contains("outside"));
        assertThrows(IllegalArgumentException.class, () -> Layout.define("X", 16).u8("a", -1).build());
        assertThrows(IllegalArgumentException.class, () -> Layout.define("X", 16).reserved(10, 7).build());
        assertThrows(IllegalArgumentException.class, () -> Layout.define("X", 16).u8("a", 0).u8("a", 1));
    }

    @Test
    public void metadataDescribesTheLayout() {
        assertEquals("SEV_SESSION", SAMPLE.name());
        assertEquals(128, SAMPLE.size());
        assertEquals(0x1A, SAMPLE.offset("build"));
        assertEquals(32, SAMPLE.length("mac"));
        assertEquals(List.of("nonce", "policy", "api_major", "api_minor", "build", "gpa", "mac"), SAMPLE.fields());
        String d = SAMPLE.create().set("build", 0x1234).describe();
        assertTrue(d, d.contains("build     @0x01A = 0x1234"));
        assertEquals(7, d.split("\n").length);
    }

    @Test
    public void renderGivesIntegersAsPaddedHexAndBytesAsLowerCaseHex() {
        Struct s = SAMPLE.create().set("api_major", 0xA).set("build", 0xBEEF).set("policy", 3)
                .set("gpa", 0x8000_0000_0000_1000L);
        byte[] nonce = new byte[16];
        nonce[0] = (byte) 0xAB;
        nonce[15] = 0x01;
        s.set("nonce", nonce);
        assertEquals("0x0A", s.render("api_major"));
        assertEquals("0xBEEF", s.render("build"));
        assertEquals("0x00000003", s.render("policy"));
        assertEquals("0x8000000000001000", s.render("gpa"));
        assertEquals("ab000000000000000000000000000001", s.render("nonce"));
        assertTrue(s.describe().contains("gpa       @0x020 = 0x8000000000001000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.render("nope"));
        assertTrue(e.getMessage(), e.getMessage().contains("no field 'nope'"));
    }

    @Test
    public void littleEndianHelpers() {
        byte[] b = new byte[16];
        LittleEndian.put64(b, 0, 0x0807060504030201L);
        LittleEndian.put32(b, 8, 0xFFFFFFFEL);
        LittleEndian.put16(b, 12, 0xABCD);
        assertEquals(0x0807060504030201L, LittleEndian.u64(b, 0));
        assertEquals(0x04030201L, LittleEndian.u32(b, 0));
        assertEquals(0x0201, LittleEndian.u16(b, 0));
        assertEquals(0xFFFFFFFEL, LittleEndian.u32(b, 8));
        assertEquals(0xABCD, LittleEndian.u16(b, 12));
        assertEquals(1, b[0]);
        assertArrayEquals(new byte[] {3, 2, 1}, LittleEndian.reverse(new byte[] {1, 2, 3}));
    }
}
