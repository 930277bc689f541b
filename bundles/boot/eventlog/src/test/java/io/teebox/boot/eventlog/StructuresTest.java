package io.teebox.boot.eventlog;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;

/** Every structure round-trips, matches independent bytes where they exist, and refuses malformed input. */
public class StructuresTest {

    private static final HashAlgorithm[] BANKS = {HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384};

    private static EventLogException refused(ThrowingRunnable r, String messagePart) {
        EventLogException e = assertThrows(EventLogException.class, r);
        assertTrue(e.getMessage(), e.getMessage().contains(messagePart));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        assertTrue(e instanceof MalformedStructureException);
        return e;
    }

    // --- Spec ID event --------------------------------------------------------------------------------------

    @Test
    public void specIdEventHasTheProfileLayout() {
        // signature, platformClass 0, 2.0 errata 0, uintnSize 2, two algorithms (SHA-256 32, SHA-384 48), no vendor info
        assertEquals("5370656320494420" + "4576656e74303300" + "00000000" + "00" + "02" + "00" + "02" + "02000000"
                + "0b002000" + "0c003000" + "00",
                Hex.encode(SpecIdEvent.forBanks(List.of(HashAlgorithm.SHA256, HashAlgorithm.SHA384)).write()));
    }

    @Test
    public void specIdEventRoundTripsWithVendorInfo() {
        SpecIdEvent s = new SpecIdEvent(1, 0, 2, 2, 1, List.of(new SpecIdEvent.AlgorithmSize(0x0B, 32),
                new SpecIdEvent.AlgorithmSize(0x12, 32)), new byte[] {1, 2, 3});
        SpecIdEvent back = SpecIdEvent.parse(s.write());
        assertArrayEquals(s.write(), back.write());
        assertEquals(1, back.platformClass());
        assertEquals(2, back.specErrata());
        assertEquals(1, back.uintnSize());
        assertEquals(Integer.valueOf(32), back.digestSize(0x12).orElseThrow());
        assertArrayEquals(new byte[] {1, 2, 3}, back.vendorInfo());
    }

    @Test
    public void specIdEventRefusesMalformedInput() {
        byte[] good = SpecIdEvent.forBanks(List.of(BANKS)).write();
        byte[] sig = good.clone();
        sig[14] = '2';
        refused(() -> SpecIdEvent.parse(sig), "signature is \"Spec ID Event02\\0\", expected \"Spec ID Event03\\0\"");
        byte[] none = good.clone();
        LittleEndian.put32(none, 24, 0);
        refused(() -> SpecIdEvent.parse(none), "numberOfAlgorithms is 0, expected 1 to");
        byte[] many = good.clone();
        LittleEndian.put32(many, 24, 1000);
        refused(() -> SpecIdEvent.parse(many), "numberOfAlgorithms is 1000");
        refused(() -> SpecIdEvent.parse(Arrays.copyOf(good, good.length - 1)), "vendorInfoSize at offset");
        refused(() -> SpecIdEvent.parse(Arrays.copyOf(good, good.length + 1)), "1 bytes after vendorInfo");
        byte[] vendor = good.clone();
        vendor[vendor.length - 1] = 5;
        refused(() -> SpecIdEvent.parse(vendor), "vendorInfo at offset");
        byte[] size = good.clone();
        LittleEndian.put16(size, 28 + 4 + 2, 31);
        refused(() -> SpecIdEvent.parse(size), "gives SHA256 a digestSize of 31, expected 32");
    }

    // --- crypto-agile log and TCG_PCR_EVENT2 -------------------------------------------------------------------

    @Test
    public void cryptoAgileLogRoundTrips() {
        EventLog log = ModelledBoot.build(3, BANKS);
        byte[] bytes = log.write();
        EventLog back = EventLog.parse(bytes);
        assertArrayEquals(bytes, back.write());
        assertEquals(log.events().size(), back.events().size());
        for (HashAlgorithm a : BANKS) {
            for (int pcr = 0; pcr < 24; pcr++) {
                assertArrayEquals(log.replay().value(a, pcr), back.replay().value(a, pcr));
            }
        }
    }

    @Test
    public void tcgPcrEvent2HasTheProfileLayout() {
        EventLog log = EventLogBuilder.forBanks(HashAlgorithm.SHA256).separator(7).build();
        assertEquals("07000000" + "04000000" + "01000000" + "0b00"
                + "df3f619804a92fdb4057192dc43dd748ea778adc52bc498ce80524c014b81119" + "04000000" + "00000000",
                Hex.encode(log.events().get(0).write()));
    }

    /** Offset of the first TCG_PCR_EVENT2 (after the Spec ID record). */
    private static int firstRecord(EventLog log) {
        return TcgPcrEvent.HEADER_SIZE + log.specId().write().length;
    }

    @Test
    public void cryptoAgileLogRefusesTruncationAtEveryField() {
        EventLog log = ModelledBoot.build(-1, HashAlgorithm.SHA256, HashAlgorithm.SHA384);
        byte[] bytes = log.write();
        int first = firstRecord(log);
        int recordEnd = first + log.events().get(0).write().length;
        for (int cut = 1; cut < recordEnd; cut++) {
            if (cut == first) {
                continue; // the Spec ID record alone is a log of no events
            }
            byte[] t = Arrays.copyOf(bytes, cut);
            assertThrows("cut at " + cut, EventLogException.class, () -> EventLog.parse(t));
        }
        refused(() -> EventLog.parse(Arrays.copyOf(bytes, bytes.length - 1)), "needs");
    }

    @Test
    public void cryptoAgileLogRefusesAnEventSizeBeyondTheBuffer() {
        EventLog log = ModelledBoot.build(-1, HashAlgorithm.SHA256);
        byte[] bytes = log.write();
        int off = firstRecord(log) + 12 + 2 + 32;
        LittleEndian.put32(bytes, off, 0xFFFFFFF0L);
        refused(() -> EventLog.parse(bytes), "TCG crypto-agile event log.event at offset " + (off + 4)
                + " needs 4294967280 bytes, only");
    }

    @Test
    public void cryptoAgileLogRefusesAnAlgorithmTheSpecIdEventDidNotDeclare() {
        EventLog log = ModelledBoot.build(-1, HashAlgorithm.SHA256, HashAlgorithm.SHA384);
        byte[] bytes = log.write();
        int off = firstRecord(log) + 12;
        assertEquals(0x000B, LittleEndian.u16(bytes, off));
        LittleEndian.put16(bytes, off, 0x0099);
        EventLogException e = refused(() -> EventLog.parse(bytes),
                "has a digest of algorithm 0x0099, expected one of the Spec ID event's [0x000b, 0x000c]");
        assertEquals("digests[0].hashAlg", e.field());
        assertEquals("TCG_PCR_EVENT2", e.structName());
    }

    @Test
    public void cryptoAgileLogRefusesADigestCountOtherThanItsBanks() {
        EventLog log = ModelledBoot.build(-1, HashAlgorithm.SHA256, HashAlgorithm.SHA384);
        byte[] bytes = log.write();
        int off = firstRecord(log) + 8;
        LittleEndian.put32(bytes, off, 1);
        refused(() -> EventLog.parse(bytes), "has 1 digests, expected 2 (numberOfAlgorithms of the Spec ID event)");
        LittleEndian.put32(bytes, off, 3);
        refused(() -> EventLog.parse(bytes), "has 3 digests, expected 2");
    }

    @Test
    public void cryptoAgileLogRefusesTwoDigestsOfOneBank() {
        EventLog log = ModelledBoot.build(-1, HashAlgorithm.SHA256, HashAlgorithm.SHA384);
        byte[] bytes = log.write();
        int off = firstRecord(log) + 12 + 2 + 32;
        assertEquals(0x000C, LittleEndian.u16(bytes, off));
        LittleEndian.put16(bytes, off, 0x000B);
        refused(() -> EventLog.parse(bytes), "has two digests of algorithm 0x000b, expected one per bank");
    }

    @Test
    public void cryptoAgileLogRefusesAFirstRecordThatIsNotASpecIdEvent() {
        EventLog log = ModelledBoot.build(-1, HashAlgorithm.SHA256);
        byte[] pcr = log.write();
        LittleEndian.put32(pcr, 0, 1);
        refused(() -> EventLog.parse(pcr), "Spec ID event's pcrIndex is 1, expected 0");
        byte[] digest = log.write();
        digest[8] = 1;
        refused(() -> EventLog.parse(digest), "Spec ID event's digest is not zero");
    }

    @Test
    public void replayRefusesAPcrIndexBeyond23() {
        EventLog log = EventLogBuilder.forBanks(HashAlgorithm.SHA256).separator(7).build();
        byte[] bytes = log.write();
        LittleEndian.put32(bytes, firstRecord(log), 24);
        EventLog bad = EventLog.parse(bytes);
        refused(bad::replay, "TCG_PCR_EVENT2.pcrIndex is 24, expected 0..23");
    }

    // --- legacy SHA-1 log ---------------------------------------------------------------------------------------

    @Test
    public void legacyLogRoundTripsAndRefusesMalformedInput() throws IOException {
        TcgPcrEvent e = new TcgPcrEvent(7, EventType.EV_SEPARATOR.value(), HashAlgorithm.SHA1.digest(new byte[4]),
                new byte[4]);
        assertEquals("07000000" + "04000000" + "9069ca78e7450a285173431b3e52c5c25299e473" + "04000000" + "00000000",
                Hex.encode(e.write()));
        LegacyEventLog log = new LegacyEventLog(List.of(e, e));
        assertArrayEquals(log.write(), LegacyEventLog.parse(log.write()).write());
        byte[] bytes = log.write();
        refused(() -> LegacyEventLog.parse(Arrays.copyOf(bytes, bytes.length - 1)),
                "TCG SHA-1 event log.event at offset 68 needs 4 bytes, only 3 left");
        refused(() -> LegacyEventLog.parse(Arrays.copyOf(bytes, 66)),
                "TCG SHA-1 event log.eventDataSize at offset 64 needs 4 bytes, only 2 left");
        byte[] big = bytes.clone();
        LittleEndian.put32(big, 28, 1000);
        refused(() -> LegacyEventLog.parse(big), "event at offset 32 needs 1000 bytes, only 40 left");
        refused(() -> LegacyEventLog.parse(ModelledBoot.build(-1, HashAlgorithm.SHA256).write()),
                "starts with a Spec ID Event03, expected SHA-1 records");
    }

    // --- UEFI event data ------------------------------------------------------------------------------------

    @Test
    public void uefiVariableDataIsBitExactToTheGenuineSecureBootEvent() throws IOException {
        byte[] genuine = LegacyEventLog.parse(GenuineLogTest.resource("eventlog.sha1.bin")).events().get(1).event();
        assertArrayEquals(genuine,
                new UefiVariableData(UefiVariableData.EFI_GLOBAL_VARIABLE, "SecureBoot", new byte[] {1}).write());
    }

    @Test
    public void uefiVariableDataRoundTripsAndRefusesMalformedInput() {
        UefiVariableData v = new UefiVariableData(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "dbx",
                new byte[] {1, 2, 3, 4, 5});
        byte[] b = v.write();
        assertEquals("cbb219d73a3d9645a3bcdad00e67656f" + "0300000000000000" + "0500000000000000" + "640062007800"
                + "0102030405", Hex.encode(b));
        UefiVariableData back = UefiVariableData.parse(b);
        assertEquals(v.variableName(), back.variableName());
        assertEquals("dbx", back.unicodeName());
        assertArrayEquals(b, back.write());
        refused(() -> UefiVariableData.parse(Arrays.copyOf(b, b.length - 1)), "VariableData at offset 38 needs 5");
        refused(() -> UefiVariableData.parse(Arrays.copyOf(b, b.length + 1)), "1 bytes after VariableData");
        byte[] name = b.clone();
        LittleEndian.put64(name, 16, 0x4000000000000000L);
        refused(() -> UefiVariableData.parse(name), "UnicodeNameLength is 4611686018427387904 CHAR16, only 11 bytes");
        byte[] data = b.clone();
        LittleEndian.put64(data, 24, -1L);
        refused(() -> UefiVariableData.parse(data), "VariableData at offset 38 has size 18446744073709551615, only 5");
        byte[] surrogate = b.clone();
        surrogate[32] = 0x00;
        surrogate[33] = (byte) 0xD8;
        refused(() -> UefiVariableData.parse(surrogate), "UnicodeName is not valid UTF-16LE");
        refused(() -> UefiVariableData.parse(new byte[31]), "UEFI_VARIABLE_DATA.VariableDataLength at offset 24");
    }

    @Test
    public void uefiImageLoadEventRoundTripsAndRefusesMalformedInput() {
        UefiImageLoadEvent img = new UefiImageLoadEvent(0x7E1A4018L, 0x9C1E8L, 0x140000000L,
                ModelledBoot.devicePath("\\EFI\\BOOT\\BOOTX64.EFI"));
        byte[] b = img.write();
        assertEquals("18401a7e00000000" + "e8c1090000000000" + "0000004001000000" + "3400000000000000",
                Hex.encode(Arrays.copyOf(b, 32)));
        UefiImageLoadEvent back = UefiImageLoadEvent.parse(b);
        assertEquals(img.imageLocationInMemory(), back.imageLocationInMemory());
        assertEquals(img.imageLinkTimeAddress(), back.imageLinkTimeAddress());
        assertArrayEquals(b, back.write());
        byte[] longer = b.clone();
        LittleEndian.put64(longer, 24, 53);
        refused(() -> UefiImageLoadEvent.parse(longer), "DevicePath at offset 32 needs 53 bytes, only 52 left");
        byte[] shorter = b.clone();
        LittleEndian.put64(shorter, 24, 51);
        refused(() -> UefiImageLoadEvent.parse(shorter), "1 bytes after DevicePath");
        refused(() -> UefiImageLoadEvent.parse(new byte[20]), "ImageLinkTimeAddress at offset 16 needs 8 bytes");
    }

    @Test
    public void uefiPlatformFirmwareBlobIsSixteenBytes() {
        UefiPlatformFirmwareBlob blob = new UefiPlatformFirmwareBlob(0xFFC84000L, 0x37C000L);
        assertEquals("0040c8ff00000000" + "00c0370000000000", Hex.encode(blob.write()));
        assertEquals(blob, UefiPlatformFirmwareBlob.parse(blob.write()));
        refused(() -> UefiPlatformFirmwareBlob.parse(new byte[15]), "BlobLength at offset 8 needs 8 bytes, only 7");
        refused(() -> UefiPlatformFirmwareBlob.parse(new byte[17]), "1 bytes after BlobLength");
    }

    @Test
    public void uefiHandoffTablePointersRoundTripAndRefuseACountMismatch() {
        UefiHandoffTablePointers t = new UefiHandoffTablePointers(List.of(
                new UefiHandoffTablePointers.ConfigurationTable(UUID.randomUUID(), 0x7F8E6000L),
                new UefiHandoffTablePointers.ConfigurationTable(UUID.randomUUID(), 0x7F8E7000L)));
        byte[] b = t.write();
        assertEquals(8 + 48, b.length);
        assertEquals(t, UefiHandoffTablePointers.parse(b));
        byte[] count = b.clone();
        LittleEndian.put64(count, 0, 3);
        refused(() -> UefiHandoffTablePointers.parse(count), "NumberOfTables is 3, expected 2");
        refused(() -> UefiHandoffTablePointers.parse(Arrays.copyOf(b, b.length - 1)), "NumberOfTables is 2");
    }

    @Test
    public void efiSignatureListRoundTripsAndRefusesInconsistentSizes() {
        EfiSignatureList l = new EfiSignatureList(EfiSignatureList.EFI_CERT_SHA256_GUID, new byte[0], List.of(
                new EfiSignatureList.SignatureData(ModelledBoot.OWNER, new byte[32]),
                new EfiSignatureList.SignatureData(ModelledBoot.OWNER, new byte[32])));
        byte[] b = l.write();
        assertEquals("2616c4c14c509240aca941f936934328" + "7c000000" + "00000000" + "30000000",
                Hex.encode(Arrays.copyOf(b, 28)));
        byte[] two = EfiSignatureList.writeAll(List.of(l, l));
        assertArrayEquals(two, EfiSignatureList.writeAll(EfiSignatureList.parseAll(two)));
        assertEquals(2, EfiSignatureList.parseAll(two).size());
        byte[] odd = b.clone();
        LittleEndian.put32(odd, 16, 0x7c - 1);
        refused(() -> EfiSignatureList.parseAll(odd), "SignatureListSize 123");
        byte[] past = b.clone();
        LittleEndian.put32(past, 16, 0x7c + 48);
        refused(() -> EfiSignatureList.parseAll(past), "Signatures at offset 28 needs 144 bytes, only 96 left");
    }

    @Test
    public void uefiGptDataRoundTripsAndRefusesMalformedInput() {
        UefiGptData gpt = ModelledBoot.gpt();
        byte[] b = gpt.write();
        assertEquals(92 + 8 + 2 * 128, b.length);
        assertEquals("4546492050415254" + "00000100" + "5c000000" + "cdab3412" + "00000000",
                Hex.encode(Arrays.copyOf(b, 24)));
        assertEquals(gpt, UefiGptData.parse(b));
        assertArrayEquals(b, UefiGptData.parse(b).write());
        byte[] sig = b.clone();
        sig[0] = 'X';
        refused(() -> UefiGptData.parse(sig), "Signature is 0x5452415020494658, expected 0x5452415020494645");
        byte[] reserved = b.clone();
        reserved[20] = 1;
        refused(() -> UefiGptData.parse(reserved), "UEFIPartitionHeader.Reserved is 0x00000001, expected 0");
        byte[] count = b.clone();
        LittleEndian.put64(count, 92, 3);
        refused(() -> UefiGptData.parse(count), "NumberOfPartitions is 3, expected 2 (128-byte entries");
        refused(() -> UefiGptData.parse(Arrays.copyOf(b, b.length - 1)), "NumberOfPartitions is 2, expected 1");
        byte[] padding = b.clone();
        padding[92 + 8 + 56 + 71] = 1;
        refused(() -> UefiGptData.parse(padding), "Partitions[0].PartitionName has non-zero bytes after its NUL");
        byte[] small = b.clone();
        LittleEndian.put32(small, 84, 64);
        refused(() -> UefiGptData.parse(small), "SizeOfPartitionEntry is 64, expected at least 128");
    }

    @Test
    public void startupLocalityRoundTripsAndRefusesAWrongSignature() {
        StartupLocalityEvent s = new StartupLocalityEvent(3);
        assertEquals("537461727475704c6f63616c69747900" + "03", Hex.encode(s.write()));
        assertEquals(s, StartupLocalityEvent.parse(s.write()));
        byte[] bad = s.write();
        bad[0] = 's';
        refused(() -> StartupLocalityEvent.parse(bad), "Signature is not \"StartupLocality\\0\"");
        refused(() -> StartupLocalityEvent.parse(Arrays.copyOf(s.write(), 18)), "1 bytes after StartupLocality");
    }

    @Test
    public void eventTypesCarryTheirSpecValues() {
        assertEquals(0x1, EventType.EV_POST_CODE.value());
        assertEquals(0x3, EventType.EV_NO_ACTION.value());
        assertEquals(0x4, EventType.EV_SEPARATOR.value());
        assertEquals(0x5, EventType.EV_ACTION.value());
        assertEquals(0x6, EventType.EV_EVENT_TAG.value());
        assertEquals(0x8, EventType.EV_S_CRTM_VERSION.value());
        assertEquals(0xD, EventType.EV_IPL.value());
        assertEquals(0x80000001L, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG.value());
        assertEquals(0x80000002L, EventType.EV_EFI_VARIABLE_BOOT.value());
        assertEquals(0x80000003L, EventType.EV_EFI_BOOT_SERVICES_APPLICATION.value());
        assertEquals(0x80000006L, EventType.EV_EFI_GPT_EVENT.value());
        assertEquals(0x80000007L, EventType.EV_EFI_ACTION.value());
        assertEquals(0x80000008L, EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB.value());
        assertEquals(0x80000009L, EventType.EV_EFI_HANDOFF_TABLES.value());
        assertEquals(0x800000E0L, EventType.EV_EFI_VARIABLE_AUTHORITY.value());
        assertEquals("0x00001234", EventType.name(0x1234));
    }
}
