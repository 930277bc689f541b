package io.teebox.kit.firmware;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.refusesTyped;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.codec.LittleEndian;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Firmware images as a user hands them to {@code guest:launch --firmware} or {@code tee:firmware}: the footer GUID
 * table, the SEV-ES reset block, the kernel-hashes and secret areas, the SEV metadata and the TDX metadata
 * ({@link OvmfImage#tdxMetadata()}). Parsing refuses only with {@link MalformedFirmwareException}; the
 * {@code require...} checks with the {@code IllegalArgumentException} their Javadoc names. A parsed image is
 * rebuilt from what was read ({@link FirmwareBuilder}) and parses to the same values.
 *
 * <p>Input ({@link #image}): a u16 LE page count, then chunks {@code [u32 LE offset from the end][u16 LE
 * length][bytes]} laid into an otherwise zero image of that many 4 KiB pages, so a corpus entry for a 2 MiB OVMF
 * build holds only the pages with structures; page count 0 takes the rest of the input as the raw image.
 */
class OvmfImageFuzzTest {

    /** Pages at most: a 2 MiB OVMF.fd is 512. */
    static final int MAX_PAGES = 640;

    static byte[] image(byte[] data) {
        if (data.length < 2) {
            return data.clone();
        }
        int pages = LittleEndian.u16(data, 0);
        if (pages == 0) {
            return java.util.Arrays.copyOfRange(data, 2, data.length);
        }
        byte[] img = new byte[Math.min(pages, MAX_PAGES) * 4096];
        for (int at = 2; at + 6 <= data.length;) {
            long fromEnd = LittleEndian.u32(data, at);
            int len = Math.min(LittleEndian.u16(data, at + 4), data.length - at - 6);
            if (fromEnd <= img.length && len <= fromEnd) {
                System.arraycopy(data, at + 6, img, (int) (img.length - fromEnd), len);
            }
            at += 6 + len;
        }
        return img;
    }

    @FuzzTest
    void imagesParseOrNameTheField(byte[] data) {
        byte[] img = image(data);
        OvmfImage fw = typed(() -> OvmfImage.parse(img), MalformedFirmwareException.class);
        if (fw == null) {
            return;
        }
        assertSame("bytes()", img, fw.bytes());
        check("loads below 4 GiB", fw.loadAddress() == OvmfImage.FOUR_GIB - img.length);
        List<TdxMetadataSection> tdx = typed(fw::tdxMetadata, MalformedFirmwareException.class);
        check("toString", !fw.toString().isEmpty());
        refusesTyped(fw::requireKernelHashesArea, IllegalArgumentException.class);
        refusesTyped(fw::requireSnpKernelHashesSection, IllegalArgumentException.class);
        refusesTyped(() -> fw.requireLaunchSecretArea(img.length % 8192), IllegalArgumentException.class);
        if (!fw.hasFooterTable()) {
            check("no table, no entries", fw.footerEntries().isEmpty() && fw.sevMetadata().isEmpty()
                    && !fw.hasTdxMetadata());
            return;
        }
        rebuildsTheSame(fw, tdx);
    }

    /** Lays what was read into a fresh image where it was, and reads it back. */
    private static void rebuildsTheSame(OvmfImage fw, List<TdxMetadataSection> tdx) {
        Map<UUID, byte[]> entries = fw.footerEntries();
        int tableLength = OvmfImage.ENTRY_HEADER;
        for (byte[] d : entries.values()) {
            tableLength += d.length + OvmfImage.ENTRY_HEADER;
        }
        int tableStart = fw.size() - OvmfImage.FOOTER_TABLE_END_GAP - tableLength;
        int sevAt = metadataAt(fw, OvmfImage.SEV_METADATA_GUID);
        int tdxAt = tdx == null ? -1 : metadataAt(fw, OvmfImage.TDX_METADATA_OFFSET_GUID);
        if (tdx == null && fw.hasTdxMetadata()) {
            return; // the TDX metadata did not parse: nothing to rebuild it from
        }
        int sevEnd = sevAt + OvmfImage.METADATA_HEADER + fw.sevMetadata().size() * OvmfImage.SEV_SECTION_SIZE;
        int tdxEnd = tdxAt + OvmfImage.METADATA_HEADER + (tdx == null ? 0 : tdx.size() * OvmfImage.TDX_SECTION_SIZE);
        // the builder writes each structure where the original had it: only where they do not overlap each other
        // or the table (the parser accepts overlaps; the builder cannot reproduce them)
        boolean sevFits = sevAt < 0 || sevEnd <= tableStart && (tdxAt < 0 || sevEnd <= tdxAt - 16 || tdxEnd <= sevAt);
        boolean tdxFits = tdxAt < 0 || tdxAt >= 16 && tdxEnd <= tableStart;
        boolean plainOffsets = (sevAt < 0 || entries.get(OvmfImage.SEV_METADATA_GUID).length == 4)
                && (tdxAt < 0 || entries.get(OvmfImage.TDX_METADATA_OFFSET_GUID).length == 4);
        if (!sevFits || !tdxFits || tableStart < 0 || !plainOffsets) {
            return;
        }
        FirmwareBuilder b = new FirmwareBuilder(fw.size());
        if (sevAt >= 0) {
            b.sevMetadata(sevAt, fw.sevMetadata());
        }
        if (tdxAt >= 0) {
            b.tdxMetadata(tdxAt - 16, tdx);
        }
        entries.forEach((guid, d) -> {
            if (!guid.equals(OvmfImage.SEV_METADATA_GUID) && !guid.equals(OvmfImage.TDX_METADATA_OFFSET_GUID)) {
                b.footerEntry(guid, d);
            }
        });
        OvmfImage again = OvmfImage.parse(b.build());
        check("rebuilt footer entries", again.footerEntries().keySet().equals(entries.keySet())
                && entries.keySet().stream().allMatch(g -> java.util.Arrays.equals(entries.get(g),
                        again.footerEntries().get(g))));
        check("rebuilt SEV metadata", again.sevMetadata().equals(fw.sevMetadata()));
        check("rebuilt reset EIP and areas", again.sevEsResetEip().equals(fw.sevEsResetEip())
                && again.kernelHashesArea().equals(fw.kernelHashesArea())
                && again.launchSecretArea().equals(fw.launchSecretArea()));
        if (tdx != null) {
            check("rebuilt TDX metadata", again.tdxMetadata().equals(tdx));
        }
    }

    /** The file offset of the "ASEV"/"TDVF" header an entry points to, or -1 without the entry. */
    private static int metadataAt(OvmfImage fw, UUID entry) {
        byte[] d = fw.footerEntries().get(entry);
        return d == null ? -1 : (int) (fw.size() - LittleEndian.u32(d, 0));
    }
}
