package io.teebox.disk.image;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.boot.eventlog.UefiGptData;
import io.teebox.boot.eventlog.UefiGptData.PartitionEntry;
import io.teebox.disk.image.DiskImageException.Reason;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The GPT codec on its own, against sgdisk (Debian gdisk) and sfdisk (Debian fdisk). */
public class GuidPartitionTableTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final long SECTORS = 40960; // 20 MiB
    private static final UUID XBOOTLDR = UUID.fromString("bc13c2ff-59e6-4262-a352-b275fd6f7172");
    private static final UUID LINUX_ROOT = UUID.fromString("4f68bce3-e8cd-4db1-96e7-fbcaf984b709");
    private static final UUID DISK = UUID.fromString("55c99230-27f8-43f9-8225-be527b72e311");
    private static final UUID BOOT_ID = UUID.fromString("279d042b-51b3-4a8a-91cd-a275f92fee16");
    private static final UUID ROOT_ID = UUID.fromString("9cc3612a-976f-45b7-b731-25a9c1d21f59");

    private static List<PartitionEntry> twoPartitions() {
        return List.of(new PartitionEntry(XBOOTLDR, BOOT_ID, 2048, 10239, 0, "boot"),
                new PartitionEntry(LINUX_ROOT, ROOT_ID, 10240, 38911, 0, "root"));
    }

    private static byte[] image() {
        byte[] img = new byte[(int) (SECTORS * 512)];
        GuidPartitionTable.create(SECTORS, DISK, twoPartitions()).writeTo(img);
        return img;
    }

    private Path file(byte[] img) throws Exception {
        return Files.write(tmp.newFile().toPath(), img);
    }

    @Test
    public void roundTripReadsTheSameTableFromBytesAndFile() throws Exception {
        byte[] img = image();
        GuidPartitionTable t = GuidPartitionTable.read(img);
        assertEquals(twoPartitions(), t.partitions());
        assertEquals(DISK, t.header().diskGuid());
        assertEquals(1, t.header().myLba());
        assertEquals(SECTORS - 1, t.header().alternateLba());
        assertEquals(34, t.header().firstUsableLba());
        assertEquals(SECTORS - 34, t.header().lastUsableLba());
        assertFalse(t.fromBackup());
        assertTrue(t.refusedBackup().isEmpty());
        assertEquals(t, GuidPartitionTable.read(file(img)));
        byte[] again = new byte[img.length];
        t.writeTo(again);
        assertTrue(Arrays.equals(img, again));
    }

    @Test
    public void measuredEventDataParsesBackAsEventlogUefiGptData() {
        GuidPartitionTable t = GuidPartitionTable.read(image());
        UefiGptData d = UefiGptData.parse(t.measured().write());
        assertEquals(t.header(), d.uefiPartitionHeader());
        assertEquals(twoPartitions(), d.partitions());
    }

    @Test
    public void sgdiskAndSfdiskAcceptOurTable() throws Exception {
        Path p = file(image());
        String v = Tools.sgdisk("-v", p.toString());
        assertTrue(v, v.contains("No problems found"));
        assertFalse(v, v.contains("Caution") || v.contains("Warning") || v.contains("Problem:"));
        String list = Tools.sgdisk("-p", p.toString());
        assertTrue(list, Pattern.compile("1\\s+2048\\s+10239\\s.*EA00\\s+boot").matcher(list).find());
        assertTrue(list, Pattern.compile("2\\s+10240\\s+38911\\s.*8304\\s+root").matcher(list).find());
        String json = Tools.sfdiskJson(p);
        assertTrue(json, json.contains("\"id\": \"" + DISK.toString().toUpperCase() + "\""));
        assertTrue(json, Pattern.compile("\"start\": 2048, \"size\": 8192, \"type\": \""
                + "BC13C2FF-59E6-4262-A352-B275FD6F7172\", \"uuid\": \"" + BOOT_ID.toString().toUpperCase()
                + "\", \"name\": \"boot\"").matcher(json.replaceAll("\\s*\n\\s*", " ")).find());
        assertTrue(json, Pattern.compile("\"start\": 10240, \"size\": 28672, \"type\": \""
                + "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709\", \"uuid\": \"" + ROOT_ID.toString().toUpperCase()
                + "\", \"name\": \"root\"").matcher(json.replaceAll("\\s*\n\\s*", " ")).find());
    }

    @Test
    public void readsAnImageMadeBySgdiskIdentically() throws Exception {
        Path p = tmp.newFile("sg.img").toPath();
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(SECTORS * 512);
        }
        Tools.sgdisk("-U", DISK.toString(), "-n", "1:2048:10239", "-t", "1:" + XBOOTLDR,
                "-u", "1:" + BOOT_ID, "-c", "1:boot", "-n", "2:10240:38911", "-t",
                "2:" + LINUX_ROOT, "-u", "2:" + ROOT_ID, "-c", "2:root", p.toString());
        GuidPartitionTable theirs = GuidPartitionTable.read(p);
        GuidPartitionTable ours = GuidPartitionTable.read(image());
        assertEquals(ours.partitions(), theirs.partitions());
        assertEquals(ours.header(), theirs.header());
        // sgdisk's MBR differs from ours only in EndingCHS (it computes one, we write 0xFFFFFF as sfdisk does)
        byte[] sg = Files.readAllBytes(p);
        byte[] us = image();
        sg[446 + 5] = us[446 + 5];
        sg[446 + 6] = us[446 + 6];
        sg[446 + 7] = us[446 + 7];
        assertTrue("only the protective MBR's EndingCHS may differ", Arrays.equals(us, sg));
    }

    @Test
    public void flippedPrimaryHeaderFallsBackToTheBackupAndSaysSo() throws Exception {
        byte[] img = image();
        img[512 + 40] ^= 1; // FirstUsableLBA
        GuidPartitionTable t = GuidPartitionTable.read(img);
        assertTrue(t.fromBackup());
        assertEquals(Reason.GPT_HEADER_CRC, t.refusedPrimary().get().reason());
        assertEquals(SECTORS - 1, t.header().myLba());
        assertEquals(twoPartitions(), t.partitions());
        assertTrue(t.refusedPrimary().get().getMessage(),
                t.refusedPrimary().get().getMessage().startsWith("primary GPT header HeaderCRC32 is 0x"));
        // sgdisk sees the same damage
        String v = Tools.run("gdisk", null, null, "sgdisk", "-v", file(img).toString()).out();
        assertTrue(v, v.contains("CRC"));
    }

    @Test
    public void flippedPrimaryEntryFallsBackToTheBackup() {
        byte[] img = image();
        img[1024 + 56] ^= 1; // entry 1's name
        GuidPartitionTable t = GuidPartitionTable.read(img);
        assertEquals(Reason.GPT_ENTRIES_CRC, t.refusedPrimary().get().reason());
        assertEquals(twoPartitions(), t.partitions());
    }

    @Test
    public void flippedBackupIsReportedWhileThePrimaryIsUsed() {
        byte[] img = image();
        img[(int) ((SECTORS - 1) * 512) + 60] ^= 1;
        GuidPartitionTable t = GuidPartitionTable.read(img);
        assertFalse(t.fromBackup());
        assertEquals(Reason.GPT_HEADER_CRC, t.refusedBackup().get().reason());
    }

    @Test
    public void bothHeadersFlippedIsRefused() {
        byte[] img = image();
        img[512 + 60] ^= 1;
        img[(int) ((SECTORS - 1) * 512) + 60] ^= 1;
        DiskImageException e = assertThrows(DiskImageException.class, () -> GuidPartitionTable.read(img));
        assertEquals(Reason.GPT_NO_VALID_COPY, e.reason());
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage(), e.getMessage().contains("primary GPT header HeaderCRC32")
                && e.getMessage().contains("backup GPT header HeaderCRC32"));
    }

    @Test
    public void overlappingEntriesAreRefusedOnCreateAndOnRead() {
        List<PartitionEntry> overlap = List.of(
                new PartitionEntry(XBOOTLDR, BOOT_ID, 2048, 10239, 0, "boot"),
                new PartitionEntry(LINUX_ROOT, ROOT_ID, 10239, 38911, 0, "root"));
        DiskImageException e = assertThrows(DiskImageException.class,
                () -> GuidPartitionTable.create(SECTORS, DISK, overlap));
        assertEquals(Reason.GPT_OVERLAP, e.reason());
        assertEquals("GPT partition \"root\" (LBA 10239..38911) overlaps \"boot\" (LBA 2048..10239), expected "
                + "disjoint partitions", e.getMessage());
        // the same entries written with valid CRCs in both copies, as a careless tool would
        byte[] img = image();
        rewriteWithOverlap(img);
        DiskImageException r = assertThrows(DiskImageException.class, () -> GuidPartitionTable.read(img));
        assertEquals(Reason.GPT_OVERLAP, r.reason());
    }

    private static void rewriteWithOverlap(byte[] img) {
        // bypass create's check: write the entries and both headers by hand through the internal codec
        List<PartitionEntry> overlap = List.of(twoPartitions().get(0),
                new PartitionEntry(LINUX_ROOT, ROOT_ID, 9000, 38911, 0, "root"));
        GuidPartitionTable good = GuidPartitionTable.create(SECTORS, DISK, twoPartitions());
        byte[] array = io.teebox.disk.image.internal.GptCodec.writeEntries(overlap, 128);
        long crc = io.teebox.disk.image.internal.GptCodec.crc32(array, 0, array.length);
        UefiGptData.Header h = good.header();
        UefiGptData.Header bad = new UefiGptData.Header(h.revision(), h.headerSize(), 0, h.myLba(), h.alternateLba(),
                h.firstUsableLba(), h.lastUsableLba(), h.diskGuid(), h.partitionEntryLba(),
                h.numberOfPartitionEntries(), h.sizeOfPartitionEntry(), crc);
        new GuidPartitionTable(bad, overlap, SECTORS, java.util.Optional.empty(), java.util.Optional.empty())
                .writeTo(img);
    }

    @Test
    public void entryOutsideTheUsableLbasIsRefused() {
        DiskImageException e = assertThrows(DiskImageException.class, () -> GuidPartitionTable.create(SECTORS, DISK,
                List.of(new PartitionEntry(XBOOTLDR, BOOT_ID, 2048, SECTORS - 1, 0, "boot"))));
        assertEquals(Reason.GPT_ENTRY, e.reason());
    }

    @Test
    public void missingProtectiveMbrIsRefused() {
        byte[] img = image();
        img[446 + 4] = 0x07;
        DiskImageException e = assertThrows(DiskImageException.class, () -> GuidPartitionTable.read(img));
        assertEquals(Reason.PROTECTIVE_MBR, e.reason());
        assertEquals("protective MBR PartitionRecord[0].OSType is 0x07, expected 0xee", e.getMessage());
    }

    @Test
    public void headerSignatureIsCheckedFirst() {
        byte[] img = image();
        img[512] = 'X';
        GuidPartitionTable t = GuidPartitionTable.read(img);
        Matcher m = Pattern.compile("Signature is 0x5452415020494658, expected 0x5452415020494645")
                .matcher(t.refusedPrimary().get().getMessage());
        assertTrue(t.refusedPrimary().get().getMessage(), m.find());
    }
}
