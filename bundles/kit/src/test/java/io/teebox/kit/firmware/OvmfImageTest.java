package io.teebox.kit.firmware;

import static io.teebox.kit.hex.Hex.encode;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.testing.FirmwareVectors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.Test;

public class OvmfImageTest {

    private static final byte[] OVMF = FirmwareVectors.ovmf();

    // file offsets in synthetic-ovmf.fd (see VECTORS-README.md and the footer walk in parsesTheSyntheticVector)
    private static final int TABLE_GUID = 0x3FFD0;
    private static final int TABLE_LENGTH = 0x3FFCE;
    private static final int TDX_ENTRY_LENGTH = 0x3FFBC;
    private static final int ASEV = 0x1000;
    private static final int TDX_GUID = 0x2000;
    private static final int TDVF = 0x2010;

    private static byte[] patched(int offset, long value, int width) {
        byte[] b = OVMF.clone();
        switch (width) {
            case 1 -> b[offset] = (byte) value;
            case 2 -> LittleEndian.put16(b, offset, value);
            case 4 -> LittleEndian.put32(b, offset, value);
            default -> LittleEndian.put64(b, offset, value);
        }
        return b;
    }

    private static MalformedFirmwareException rejects(byte[] image) {
        return assertThrows(MalformedFirmwareException.class, () -> OvmfImage.parse(image));
    }

    /** TDX metadata is checked only when a TD needs it: the image parses, its TDX sections are refused. */
    private static MalformedFirmwareException rejectsTdx(byte[] image) {
        OvmfImage parsed = OvmfImage.parse(image);
        assertTrue(parsed.hasTdxMetadata());
        return assertThrows(MalformedFirmwareException.class, parsed::tdxMetadata);
    }

    @Test
    public void parsesTheSyntheticVector() {
        OvmfImage img = OvmfImage.parse(OVMF);
        assertEquals(0x40000, img.size());
        assertEquals(0xFFFC0000L, img.loadAddress());
        assertTrue(img.hasFooterTable());
        Map<UUID, byte[]> entries = img.footerEntries();
        assertEquals(List.of(OvmfImage.SEV_HASH_TABLE_GUID, OvmfImage.SEV_ES_RESET_BLOCK_GUID,
                OvmfImage.SEV_METADATA_GUID, OvmfImage.TDX_METADATA_OFFSET_GUID), List.copyOf(entries.keySet()));
        assertEquals("007c800000040000", encode(entries.get(OvmfImage.SEV_HASH_TABLE_GUID)));
        assertEquals(0xFFFFE004L, img.sevEsResetEip().getAsLong());
        assertEquals(Optional.of(new FirmwareArea(0x807C00, 0x400)), img.kernelHashesArea());
        assertEquals(Optional.empty(), img.launchSecretArea());
        assertEquals(List.of(
                new SevMetadataSection(0x800000, 0x3000, SevSectionType.SNP_SEC_MEM),
                new SevMetadataSection(0x803000, 0x1000, SevSectionType.SNP_SECRETS),
                new SevMetadataSection(0x804000, 0x1000, SevSectionType.CPUID),
                new SevMetadataSection(0x805000, 0x2000, SevSectionType.SNP_SEC_MEM),
                new SevMetadataSection(0x807000, 0x1000, SevSectionType.SNP_KERNEL_HASHES)), img.sevMetadata());
        assertEquals(List.of(
                new TdxMetadataSection(0, 0x30000, 0xFFFC0000L, 0x30000, TdxSectionType.BFV, 1),
                new TdxMetadataSection(0x30000, 0x8000, 0xFFFF0000L, 0x8000, TdxSectionType.CFV, 0),
                new TdxMetadataSection(0, 0, 0x810000, 0x4000, TdxSectionType.TEMP_MEM, 0),
                new TdxMetadataSection(0, 0, 0x814000, 0x2000, TdxSectionType.TEMP_MEM, 2),
                new TdxMetadataSection(0, 0, 0x816000, 0x1000, TdxSectionType.TD_HOB, 0)), img.tdxMetadata());
        assertTrue(img.tdxMetadata().get(0).extendMr());
        assertTrue(img.tdxMetadata().get(3).pageAug());
        assertFalse(img.tdxMetadata().get(1).extendMr());
    }

    @Test
    public void imageDigestIsTheSevLaunchDigest() {
        OvmfImage img = OvmfImage.parse(OVMF);
        String sha = encode(Digests.sha256(img.bytes()));
        assertEquals(FirmwareVectors.json().get("firmware_sha256").getAsString(), sha);
        assertEquals(FirmwareVectors.named("sev").expected(), sha);
    }

    @Test
    public void parseAndAccessorsCopy() {
        byte[] b = OVMF.clone();
        OvmfImage img = OvmfImage.parse(b);
        b[0] ^= 1;
        assertArrayEquals(OVMF, img.bytes());
        img.bytes()[0] ^= 1;
        img.footerEntries().get(OvmfImage.SEV_ES_RESET_BLOCK_GUID)[0] = 0;
        assertArrayEquals(OVMF, img.bytes());
        assertEquals(0xFFFFE004L, img.sevEsResetEip().getAsLong());
    }

    @Test
    public void plainFirmwareWithoutTableIsAccepted() {
        byte[] plain = new byte[0x2000];
        plain[0x1FF0] = (byte) 0xEA;
        OvmfImage img = OvmfImage.parse(plain);
        assertFalse(img.hasFooterTable());
        assertTrue(img.footerEntries().isEmpty());
        assertTrue(img.sevEsResetEip().isEmpty());
        assertTrue(img.sevMetadata().isEmpty());
        assertTrue(img.tdxMetadata().isEmpty());
        assertEquals(0xFFFFE000L, img.loadAddress());
    }

    @Test
    public void sizeMustBeAPositiveMultipleOf4KiB() {
        MalformedFirmwareException e = rejects(java.util.Arrays.copyOf(OVMF, OVMF.length - 1));
        assertEquals("image size", e.field());
        assertEquals("firmware image is 262143 bytes, expected a positive multiple of 4096", e.getMessage());
        assertEquals("image size", rejects(new byte[0]).field());
    }

    @Test
    public void shiftedTableGuidIsRejected() {
        byte[] b = OVMF.clone();
        System.arraycopy(OVMF, TABLE_GUID, b, TABLE_GUID + 4, 16);
        MalformedFirmwareException e = rejects(b);
        assertEquals("footer table GUID", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("found at offset 0x3FFD4, expected at 0x3FFD0"));
    }

    @Test
    public void damagedTableGuidIsRejectedWithFoundAndExpected() {
        byte[] b = OVMF.clone();
        b[TABLE_GUID + 5] ^= 0x40;
        MalformedFirmwareException e = rejects(b);
        assertEquals("footer table GUID", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("expected 96b582de-1fb2-45f7-baea-a366c55a082d"));
        assertTrue(e.getMessage(), e.getMessage().contains("is 96b582de-5fb2-45f7-"));
    }

    @Test
    public void tableLengthOutOfRangeIsRejected() {
        MalformedFirmwareException e = rejects(patched(TABLE_LENGTH, 17, 2));
        assertEquals("footer table length", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("footer table length is 17 bytes, expected 18.."));
    }

    @Test
    public void entryRunningOutOfTheTableIsRejected() {
        MalformedFirmwareException e = rejects(patched(TDX_ENTRY_LENGTH, 200, 2));
        assertEquals("footer entry " + OvmfImage.TDX_METADATA_OFFSET_GUID + " length", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("has length 200, expected 18..92"));
        // a table length that leaves a stub too short for an entry
        e = rejects(patched(TABLE_LENGTH, 110 + 4, 2));
        assertEquals("footer table entry", e.field());
    }

    @Test
    public void badSevMetadataSignatureIsRejected() {
        MalformedFirmwareException e = rejects(patched(ASEV, 'X', 1));
        assertEquals("SEV metadata signature", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("is \"XSEV\""));
        assertTrue(e.getMessage(), e.getMessage().contains("expected \"ASEV\""));
    }

    @Test
    public void unsupportedSevMetadataVersionIsRejected() {
        MalformedFirmwareException e = rejects(patched(ASEV + 8, 2, 4));
        assertEquals("SEV metadata version", e.field());
        assertEquals("SEV metadata version is 2, expected 1", e.getMessage());
    }

    @Test
    public void truncatedSevMetadataIsRejected() {
        MalformedFirmwareException e = rejects(patched(ASEV + 12, 6, 4));
        assertEquals("SEV metadata count", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("count 6 needs 88 bytes, 76 left"));
    }

    @Test
    public void sevSectionOutOfRangeOrOfUnknownTypeIsRejected() {
        byte[] b = patched(ASEV + 16, 0xFFFFF000L, 4); // section 0 gpa, size 0x3000
        MalformedFirmwareException e = rejects(b);
        assertEquals("SEV metadata section 0", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("out of range"));
        e = rejects(patched(ASEV + 16 + 12 + 8, 7, 4)); // section 1 type
        assertEquals("SEV metadata section 1 type", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("unknown SEV metadata section type 0x7"));
    }

    @Test
    public void sevMetadataOffsetOutsideTheImageIsRejected() {
        // the SEV metadata offset entry's data sits 22 bytes below the TDX entry: at 0x3FFA2
        MalformedFirmwareException e = rejects(patched(0x3FFA2, 0x50000, 4));
        assertEquals("SEV metadata offset", e.field());
    }

    @Test
    public void badTdxDescriptorIsRejected() {
        MalformedFirmwareException e = rejectsTdx(patched(TDVF + 3, 'X', 1));
        assertEquals("TDX metadata signature", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("expected \"TDVF\""));
        e = rejectsTdx(patched(TDVF + 8, 0, 4));
        assertEquals("TDX metadata version", e.field());
        e = rejectsTdx(patched(TDVF + 12, 0x1000_0000L, 4));
        assertEquals("TDX metadata count", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("needs 8589934608 bytes"));
        e = rejectsTdx(patched(TDX_GUID, 0, 1));
        assertEquals("TDX metadata GUID", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("expected e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae"));
    }

    @Test
    public void badTdxSectionsAreRejected() {
        int s1 = TDVF + 16 + 32; // section 1 (CFV)
        MalformedFirmwareException e = rejectsTdx(patched(s1 + 4, 0x10001, 4)); // raw size past the image
        assertEquals("TDX metadata section 1", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("out of range"));
        e = rejectsTdx(patched(s1 + 24, 9, 4));
        assertEquals("TDX metadata section 1 type", e.field());
        e = rejectsTdx(patched(s1 + 8, 0xFFFF0800L, 8));
        assertEquals("TDX metadata section 1", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("aligned"));
    }

    @Test
    public void shortKnownEntryIsRejected() {
        byte[] img = new FirmwareBuilder(0x2000).footerEntry(OvmfImage.SEV_ES_RESET_BLOCK_GUID, new byte[2]).build();
        MalformedFirmwareException e = rejects(img);
        assertEquals("SEV-ES AP reset block", e.field());
        assertTrue(e.getMessage(), e.getMessage().contains("has 2 data bytes, expected at least 4"));
    }

    @Test
    public void efiGuidUsesMixedEndianBytes() {
        byte[] b = EfiGuid.bytes(OvmfImage.FOOTER_TABLE_GUID);
        assertEquals("de82b596b21ff745baeaa366c55a082d", encode(b));
        assertEquals(OvmfImage.FOOTER_TABLE_GUID, EfiGuid.read(b, 0));
        assertArrayEquals(java.util.Arrays.copyOfRange(OVMF, TABLE_GUID, TABLE_GUID + 16), b);
    }
}
