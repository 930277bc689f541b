package io.teebox.kit.firmware;

import static io.teebox.kit.hex.Hex.encode;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.Digests;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.Test;

public class DefaultFirmwareTest {

    private static int fileOffset(OvmfImage img, long gpa) {
        return (int) (gpa - img.loadAddress());
    }

    @Test
    public void defaultFirmwareParsesWithEveryFeature() {
        byte[] bytes = DefaultFirmware.image();
        OvmfImage img = OvmfImage.parse(bytes);
        assertEquals(0x20000, img.size());
        assertEquals(0xFFFE0000L, img.loadAddress());
        assertEquals(DefaultFirmware.AP_RESET_EIP, img.sevEsResetEip().getAsLong());
        assertEquals(new FirmwareArea(0x807C00, 0x400), img.kernelHashesArea().orElseThrow());
        assertEquals(new FirmwareArea(0x80A000, 0x1000), img.launchSecretArea().orElseThrow());
        assertEquals(5, img.sevMetadata().size());
        assertEquals(5, img.tdxMetadata().size());
        assertEquals(5, img.footerEntries().size());
        assertArrayEquals(bytes, DefaultFirmware.parsed().bytes());
    }

    @Test
    public void imageIsACopyAndDeterministic() {
        byte[] a = DefaultFirmware.image();
        a[0] = 1;
        assertNotSame(a, DefaultFirmware.image());
        assertEquals(0, DefaultFirmware.image()[0]);
        // self-computed regression value: other bundles record measurements of this image, so a change to it
        // must be deliberate (update this value and say so)
        assertEquals("4ee9068581c93bfd0eab32e2eb8e23edabc94146025a6e134c9e4dfbdbd9bd7f",
                encode(Digests.sha256(DefaultFirmware.image())));
    }

    @Test
    public void bannerIsAtTheStartOfTheBootVolume() {
        byte[] img = DefaultFirmware.image();
        String text = new String(img, 0x2000, DefaultFirmware.BANNER.length(), StandardCharsets.US_ASCII);
        assertEquals("teebox default firmware", text);
    }

    @Test
    public void resetVectorJumpsToHaltingCode() {
        OvmfImage img = DefaultFirmware.parsed();
        byte[] b = img.bytes();
        int rv = img.size() - 16;
        assertEquals((byte) 0x90, b[rv]);
        assertEquals((byte) 0x90, b[rv + 1]);
        assertEquals((byte) 0xE9, b[rv + 2]);
        int next = 0xFFF5;
        int target = (next + (short) LittleEndian.u16(b, rv + 3)) & 0xFFFF;
        assertEquals(0xF000, target);
        int code = fileOffset(img, 0xFFFF0000L + target);
        assertArrayEquals(new byte[] {(byte) 0xFA, (byte) 0xF4, (byte) 0xEB, (byte) 0xFD},
                java.util.Arrays.copyOfRange(b, code, code + 4));
        int ap = fileOffset(img, img.sevEsResetEip().getAsLong());
        assertArrayEquals(new byte[] {(byte) 0xFA, (byte) 0xF4, (byte) 0xEB, (byte) 0xFD},
                java.util.Arrays.copyOfRange(b, ap, ap + 4));
    }

    @Test
    public void areasAndSectionsAreConsistent() {
        OvmfImage img = DefaultFirmware.parsed();
        FirmwareArea hashes = img.kernelHashesArea().orElseThrow();
        FirmwareArea secret = img.launchSecretArea().orElseThrow();
        SevMetadataSection hashesPage = img.sevMetadata().stream()
                .filter(s -> s.type() == SevSectionType.SNP_KERNEL_HASHES).findFirst().orElseThrow();
        assertTrue(hashes.gpa() >= hashesPage.gpa() && hashes.end() <= hashesPage.gpa() + hashesPage.size());
        for (SevMetadataSection s : img.sevMetadata()) {
            assertFalse(s.toString(), secret.gpa() < s.gpa() + s.size() && s.gpa() < secret.end());
        }
        for (TdxMetadataSection s : img.tdxMetadata()) {
            assertFalse(s.toString(), secret.gpa() < s.memoryAddress() + s.memoryDataSize()
                    && s.memoryAddress() < secret.end());
        }
        // CFV and BFV together cover the image exactly, at the addresses it is loaded to
        long covered = 0;
        for (TdxMetadataSection s : img.tdxMetadata()) {
            if (s.type() == TdxSectionType.BFV || s.type() == TdxSectionType.CFV) {
                assertEquals(img.loadAddress() + s.dataOffset(), s.memoryAddress());
                covered += s.rawDataSize();
            }
        }
        assertEquals(img.size(), covered);
    }

    @Test
    public void builderRoundTripsCustomEntriesAndPlainImages() {
        UUID custom = UUID.fromString("12345678-9abc-def0-1122-334455667788");
        byte[] img = new FirmwareBuilder(0x3000)
                .footerEntry(custom, new byte[] {1, 2, 3})
                .apResetEip(0xFFFFF000L)
                .build();
        OvmfImage parsed = OvmfImage.parse(img);
        assertEquals(List.of(custom, OvmfImage.SEV_ES_RESET_BLOCK_GUID), List.copyOf(parsed.footerEntries().keySet()));
        assertArrayEquals(new byte[] {1, 2, 3}, parsed.footerEntries().get(custom));
        assertTrue(parsed.sevMetadata().isEmpty());
        OvmfImage plain = OvmfImage.parse(new FirmwareBuilder(0x1000).apResetEip(1).withoutFooterTable().build());
        assertFalse(plain.hasFooterTable());
    }

    @Test
    public void builderRejectsOverlaps() {
        FirmwareBuilder b = new FirmwareBuilder(0x1000).put(0x100, new byte[32]).put(0x110, new byte[4]);
        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertTrue(e.getMessage(), e.getMessage().contains("overlaps"));
        FirmwareBuilder c = new FirmwareBuilder(0x1000).put(0xFD0, new byte[8]).apResetEip(0);
        assertThrows(IllegalStateException.class, c::build);
        assertThrows(IllegalArgumentException.class, () -> new FirmwareBuilder(0x1000).put(0xFFF, new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new FirmwareBuilder(0x1800));
    }
}
