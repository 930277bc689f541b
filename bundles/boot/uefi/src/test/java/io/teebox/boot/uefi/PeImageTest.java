package io.teebox.boot.uefi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.Test;

public class PeImageTest {

    private static final byte[] IMAGE = Fixtures.image("shimx64.efi 15.8");

    @Test
    public void builtImageParsesAsAnX64EfiApplicationWithTextAndData() {
        PeImage pe = PeImage.parse(IMAGE);
        assertEquals(PeImage.IMAGE_FILE_MACHINE_AMD64, pe.machine());
        assertEquals(PeImage.IMAGE_SUBSYSTEM_EFI_APPLICATION, pe.subsystem());
        assertEquals(0x200, pe.fileAlignment());
        assertEquals(0x200, pe.sizeOfHeaders());
        assertEquals(16, pe.numberOfRvaAndSizes());
        assertEquals(2, pe.sections().size());
        PeSection text = pe.sections().get(0);
        PeSection data = pe.sections().get(1);
        assertEquals(".text", text.name());
        assertEquals(".data", data.name());
        assertEquals(PeSection.CODE, text.characteristics());
        assertEquals(PeSection.DATA, data.characteristics());
        assertEquals(text.virtualAddress(), pe.addressOfEntryPoint());
        assertEquals(0, text.pointerToRawData() % 0x200);
        assertEquals(0, data.pointerToRawData() % 0x200);
        assertArrayEquals(new byte[] {0x31, (byte) 0xC0, (byte) 0xC3}, Arrays.copyOf(pe.sectionData(text), 3));
        assertEquals("shimx64.efi 15.8", new String(pe.sectionData(data), 0, (int) data.virtualSize(),
                StandardCharsets.UTF_8));
        assertTrue(pe.certificates().isEmpty());
        assertEquals(0, pe.certificateTableSize());
        assertEquals(IMAGE.length, pe.size());
    }

    @Test
    public void headerFieldsSitAtThePeFormatOffsets() {
        // independent of the parser: read the fields at the offsets the PE Format gives
        assertEquals('M', IMAGE[0]);
        assertEquals('Z', IMAGE[1]);
        int pe = (int) LittleEndian.u32(IMAGE, 0x3C);
        assertEquals(0x00004550L, LittleEndian.u32(IMAGE, pe));
        assertEquals(0x8664, LittleEndian.u16(IMAGE, pe + 4));
        assertEquals(240, LittleEndian.u16(IMAGE, pe + 4 + 16));
        int opt = pe + 24;
        assertEquals(0x20B, LittleEndian.u16(IMAGE, opt));
        assertEquals(10, LittleEndian.u16(IMAGE, opt + 68));
        assertEquals(opt + 64, PeImage.parse(IMAGE).checkSumOffset());
        assertEquals(opt + 112 + 4 * 8, PeImage.parse(IMAGE).certificateTableEntryOffset());
    }

    @Test
    public void checkSumIsThePeChecksumAndSigningKeepsItRight() {
        PeImage pe = PeImage.parse(IMAGE);
        assertEquals(PeImage.computeCheckSum(IMAGE, pe.checkSumOffset()), pe.checkSum());
        assertTrue(pe.checkSum() != 0);
        byte[] signed = Fixtures.VENDOR.sign(IMAGE);
        assertEquals(PeImage.computeCheckSum(signed, pe.checkSumOffset()), PeImage.parse(signed).checkSum());
        // odd length: the last byte counts alone
        assertEquals(0x0102 + 0x03 + 3, PeImage.computeCheckSum(new byte[] {2, 1, 3}, 100));
    }

    @Test
    public void sameComponentGivesSameImageAndOthersDiffer() {
        assertArrayEquals(IMAGE, Fixtures.image("shimx64.efi 15.8"));
        assertFalse(Arrays.equals(Authenticode.sha256(IMAGE), Authenticode.sha256(Fixtures.image("grubx64.efi 2.12"))));
    }

    @Test
    public void aarch64ImageParses() {
        byte[] arm = new EfiApplicationBuilder().machine(PeImage.IMAGE_FILE_MACHINE_ARM64).payload("grubaa64").build();
        assertEquals(PeImage.IMAGE_FILE_MACHINE_ARM64, PeImage.parse(arm).machine());
    }

    @Test
    public void truncatedHeadersAreRefused() {
        assertRefused(Arrays.copyOf(IMAGE, 40), "PE image is 40 bytes, shorter than the 64-byte MS-DOS header");
        assertRefused(Arrays.copyOf(IMAGE, 0x50), "e_lfanew is 0x40");
        assertRefused(Arrays.copyOf(IMAGE, 0x60),
                "optional header of 240 bytes at 0x58 runs past the end of the 96-byte file");
        assertRefused(Arrays.copyOf(IMAGE, 0x190), "SizeOfHeaders is 0x200, expected at least 0x198 (the end of 2"
                + " section headers) and at most the file size 0x190");
        assertRefused(Arrays.copyOf(IMAGE, 0x500), "section 1 (.data) has 0x200 bytes at file offset 0x400");
    }

    @Test
    public void wrongMagicsAreRefused() {
        assertRefused(Fixtures.flip(IMAGE, 0), "MS-DOS header e_magic is 0x5A4C, expected 0x5A4D (\"MZ\")");
        assertRefused(Fixtures.flip(IMAGE, 0x40), "PE signature at 0x40 is 0x00004551, expected 0x00004550");
        byte[] pe32 = IMAGE.clone();
        LittleEndian.put16(pe32, 0x58, PeImage.PE32_MAGIC);
        assertRefused(pe32, "optional header Magic is 0x10B (PE32), expected 0x20B (PE32+)");
    }

    @Test
    public void inconsistentHeadersAreRefused() {
        byte[] align = IMAGE.clone();
        LittleEndian.put32(align, 0x58 + 36, 0x300);
        assertRefused(align, "FileAlignment is 0x300, expected a power of two");
        byte[] rvas = IMAGE.clone();
        LittleEndian.put32(rvas, 0x58 + 108, 17);
        assertRefused(rvas, "NumberOfRvaAndSizes is 17, expected at most 16");
        byte[] headers = IMAGE.clone();
        LittleEndian.put32(headers, 0x58 + 60, 0x100);
        assertRefused(headers, "SizeOfHeaders is 0x100, expected at least 0x198");
        byte[] ptr = IMAGE.clone();
        LittleEndian.put32(ptr, 0x148 + 20, 0x10000);
        assertRefused(ptr, "section 0 (.text) has 0x200 bytes at file offset 0x10000");
        byte[] cert = IMAGE.clone();
        LittleEndian.put32(cert, 0x58 + 112 + 32, 0x600);
        LittleEndian.put32(cert, 0x58 + 112 + 36, 0x100);
        assertRefused(cert, "Certificate Table is 0x100 bytes at file offset 0x600");
    }

    @Test
    public void withoutCertificatesGivesBackTheUnsignedImage() {
        byte[] signed = Fixtures.VENDOR.sign(IMAGE);
        assertArrayEquals(IMAGE, PeImage.parse(signed).withoutCertificates());
    }

    private static void assertRefused(byte[] image, String expected) {
        MalformedStructureException e = assertThrows(MalformedStructureException.class, () -> PeImage.parse(image));
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
        Fixtures.assertOneLine(e.getMessage());
    }
}
