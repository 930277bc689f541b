package io.teebox.disk.luks2.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Exception.Reason;
import io.teebox.kit.crypto.Digests;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.Test;

public class BinaryHeaderTest {

    private static final String JSON = "{\"keyslots\":{}}";

    private static BinaryHeader header(boolean secondary) {
        byte[] salt = new byte[64];
        Arrays.fill(salt, (byte) 7);
        return new BinaryHeader(secondary, 0x4000, 3, "root", "sha256", salt,
                "0df4f74a-b55a-4b8b-a6ec-28d3b4a370ec", "teebox", secondary ? 0x4000 : 0);
    }

    @Test
    public void writeThenParseRoundTripsBothCopies() {
        for (boolean secondary : new boolean[] {false, true}) {
            BinaryHeader h = header(secondary);
            byte[] copy = h.write(JSON);
            assertEquals(0x4000, copy.length);
            BinaryHeader.Parsed p = BinaryHeader.parse(copy, h.hdrOffset(), secondary);
            assertEquals(JSON, p.json());
            assertEquals(h.seqid(), p.header().seqid());
            assertEquals("root", p.header().label());
            assertEquals("teebox", p.header().subsystem());
            assertEquals(h.uuid(), p.header().uuid());
            assertArrayEquals(h.salt(), p.header().salt());
            assertArrayEquals(copy, p.header().write(p.json()));
        }
    }

    @Test
    public void layoutIsTheSpecificationsBigEndianOne() {
        byte[] copy = header(true).write(JSON);
        assertArrayEquals(new byte[] {'S', 'K', 'U', 'L', (byte) 0xba, (byte) 0xbe, 0, 2}, Arrays.copyOf(copy, 8));
        assertEquals(0x40, copy[8 + 6] & 0xff); // hdr_size 0x4000, big-endian u64 at 8
        assertEquals(3, copy[16 + 7]); // seqid at 16
        assertEquals("sha256", new String(copy, 72, 6, StandardCharsets.US_ASCII));
        assertEquals(0x40, copy[256 + 6] & 0xff); // hdr_offset at 256
        assertEquals('{', copy[4096]);
        byte[] zeroed = copy.clone();
        Arrays.fill(zeroed, 448, 512, (byte) 0);
        assertArrayEquals(Digests.sha256(zeroed), Arrays.copyOfRange(copy, 448, 480));
    }

    @Test
    public void aFlippedByteFailsTheChecksum() {
        byte[] copy = header(false).write(JSON);
        copy[4096 + 3] ^= 1;
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> BinaryHeader.parse(copy, 0, false));
        assertEquals(Reason.BAD_CHECKSUM, e.reason());
        assertTrue(e.getMessage(), e.getMessage().startsWith("LUKS2 primary header checksum is "));
    }

    @Test
    public void badMagicVersionOffsetSizeAndTruncationAreRefused() {
        byte[] copy = header(false).write(JSON);
        assertEquals(Reason.BAD_MAGIC, assertThrows(Luks2Exception.class,
                () -> BinaryHeader.parse(copy, 0, true)).reason());
        byte[] v = copy.clone();
        v[7] = 1;
        assertEquals(Reason.BAD_VERSION, assertThrows(Luks2Exception.class,
                () -> BinaryHeader.parse(v, 0, false)).reason());
        assertEquals(Reason.BAD_OFFSET, assertThrows(Luks2Exception.class,
                () -> BinaryHeader.parse(copy, 0x4000, false)).reason());
        byte[] s = copy.clone();
        s[14] = 0x50;
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> BinaryHeader.parse(s, 0, false));
        assertEquals(Reason.BAD_OFFSET, e.reason());
        assertEquals("LUKS2 primary header hdr_size is 0x5000, expected a power of two from 0x4000 to 0x400000",
                e.getMessage());
        assertEquals(Reason.TRUNCATED, assertThrows(Luks2Exception.class,
                () -> BinaryHeader.parse(Arrays.copyOf(copy, 4000), 0, false)).reason());
        assertEquals(Reason.TRUNCATED, assertThrows(Luks2Exception.class,
                () -> BinaryHeader.parse(Arrays.copyOf(copy, 8192), 0, false)).reason());
    }

    @Test
    public void bytesAfterTheJsonTextAreRefused() {
        BinaryHeader h = header(false);
        byte[] copy = h.write(JSON);
        copy[4096 + JSON.length() + 10] = 'x';
        byte[] zeroed = copy.clone();
        Arrays.fill(zeroed, 448, 512, (byte) 0);
        System.arraycopy(Digests.sha256(zeroed), 0, copy, 448, 32);
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> BinaryHeader.parse(copy, 0, false));
        assertEquals(Reason.BAD_METADATA, e.reason());
    }

    @Test
    public void jsonLargerThanItsAreaIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> header(false).write("{" + "x".repeat(12288) + "}"));
    }
}
