package io.teebox.disk.luks2.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.teebox.disk.luks2.Kdf;
import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Exception.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Test;

public class MetadataTest {

    static String cryptsetupJson() throws IOException {
        try (InputStream in = MetadataTest.class.getResourceAsStream(
                "/io/teebox/disk/luks2/cryptsetup-2.6.1-pbkdf2.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    @Test
    public void cryptsetupsMetadataParsesAndIsWrittenBackByteForByte() throws IOException {
        String json = cryptsetupJson();
        Metadata m = Metadata.parse(json, 0x4000);
        Metadata.Keyslot k = m.keyslots().get(0);
        assertEquals(64, k.keySize());
        assertEquals(4000, k.stripes());
        assertEquals(32768, k.areaOffset());
        assertEquals(258048, k.areaSize());
        assertEquals(new Kdf.Pbkdf2(1000), k.kdf());
        Metadata.Segment s = m.segments().get(0);
        assertEquals(16777216, s.offset());
        assertEquals(-1, s.size());
        assertEquals(4096, s.sectorSize());
        assertEquals(List.of(0), m.digests().get(0).keyslots());
        assertEquals(32, m.digests().get(0).digest().length);
        assertEquals(new Metadata.Config(12288, 16744448), m.config());
        assertEquals(json, m.toJson());
    }

    @Test
    public void argon2idKeyslotRoundTrips() throws IOException {
        Metadata m = Metadata.parse(cryptsetupJson(), 0x4000);
        Metadata.Keyslot k = m.keyslots().get(0);
        Metadata.Keyslot a = new Metadata.Keyslot(64, 4000, "sha256", 32768, 258048, "aes-xts-plain64", 64,
                new Kdf.Argon2id(4, 1024, 2), k.salt());
        Metadata m2 = new Metadata(java.util.Map.of(0, a), m.segments(), m.digests(), m.config(), m.tokens());
        Metadata back = Metadata.parse(m2.toJson(), 0x4000);
        assertEquals(new Kdf.Argon2id(4, 1024, 2), back.keyslots().get(0).kdf());
        assertArrayEquals(k.salt(), back.keyslots().get(0).salt());
        assertEquals(m2.toJson(), back.toJson());
    }

    @Test
    public void overlappingKeyslotAreasAreRefused() throws IOException {
        String json = cryptsetupJson();
        int start = json.indexOf("\"0\":{\"type\":\"luks2\"");
        int end = json.indexOf("}},\"tokens\"");
        String slot = json.substring(start + 4, end + 1);
        String two = json.substring(0, end + 1) + ",\"1\":" + slot.replace("\"offset\":\"32768\"",
                "\"offset\":\"36864\"") + json.substring(end + 1);
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> Metadata.parse(two, 0x4000));
        assertEquals(e.getMessage(), Reason.BAD_OFFSET, e.reason());
        assertEquals("keyslots.1.area [0x9000, 0x48000) overlaps the area of keyslot 0 [0x8000, 0x47000), expected "
                + "disjoint areas", e.getMessage());
    }

    private static Reason refused(String json) {
        return assertThrows(Luks2Exception.class, () -> Metadata.parse(json, 0x4000)).reason();
    }

    @Test
    public void inconsistentOrForeignMetadataIsRefused() throws IOException {
        String json = cryptsetupJson();
        assertEquals(Reason.BAD_OFFSET, refused(json.replace("\"json_size\":\"12288\"", "\"json_size\":\"28672\"")));
        assertEquals(Reason.BAD_OFFSET, refused(json.replace("\"offset\":\"32768\"", "\"offset\":\"16384\"")));
        assertEquals(Reason.BAD_OFFSET, refused(json.replace("\"offset\":\"16777216\"", "\"offset\":\"65536\"")));
        assertEquals(Reason.UNSUPPORTED, refused(json.replace("\"type\":\"pbkdf2\",\"hash\":\"sha256\",\"iterations\"",
                "\"type\":\"argon2i\",\"hash\":\"sha256\",\"iterations\"")));
        assertEquals(Reason.BAD_METADATA, refused(json.replace("\"key_size\":64,\"af\"", "\"key_size\":\"64\",\"af\"")));
        assertEquals(Reason.BAD_METADATA, refused(json.replace("\"keyslots\":[\"0\"]", "\"keyslots\":[\"3\"]")));
        assertEquals(Reason.BAD_METADATA, refused("[1]"));
        assertEquals(Reason.BAD_METADATA, refused(json + " {}"));
        assertEquals(Reason.BAD_METADATA, refused(json.replace("{\"keyslots\"", "{keyslots")));
        assertEquals(Reason.UNSUPPORTED, refused(json.replace("\"keyslots_size\":\"16744448\"",
                "\"keyslots_size\":\"16744448\",\"requirements\":{\"mandatory\":[\"online-reencrypt-v2\"]}")));
        assertEquals(Reason.BAD_OFFSET, refused(json.replace("\"size\":\"dynamic\"", "\"size\":\"1000\"")));
        assertEquals(Reason.BAD_METADATA, refused("{\"keyslots\":"));
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> Metadata.parse(
                json.replace("\"size\":\"258048\"", "\"size\":\"25804x\""), 0x4000));
        assertEquals("keyslots.0.area.size is '25804x', expected a decimal string below 2^63", e.getMessage());
    }
}
