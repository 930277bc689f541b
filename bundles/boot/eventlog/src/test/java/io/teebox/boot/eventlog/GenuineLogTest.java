package io.teebox.boot.eventlog;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.hex.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The SHA-1 log of a Windows GCP Shielded VM (go-attestation's test data) against the PCR values it recorded. */
public class GenuineLogTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static byte[] resource(String name) throws IOException {
        try (InputStream in = GenuineLogTest.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            return in.readAllBytes();
        }
    }

    static Map<Integer, String> recordedPcrs() throws IOException {
        Map<Integer, String> pcrs = new TreeMap<>();
        for (String line : new String(resource("windows_gcp_shielded_vm.pcrs.sha1.txt"), StandardCharsets.US_ASCII)
                .split("\n")) {
            if (!line.isBlank()) {
                String[] f = line.trim().split(" ");
                pcrs.put(Integer.parseInt(f[0]), f[1]);
            }
        }
        return pcrs;
    }

    @Test
    public void replayOfTheLegacyLogReproducesPcrs0To16And23() throws IOException {
        LegacyEventLog log = LegacyEventLog.parse(resource("eventlog.sha1.bin"));
        assertEquals(21, log.events().size());
        PcrBanks replay = log.replay();
        Map<Integer, String> recorded = recordedPcrs();
        assertEquals(24, recorded.size());
        for (int pcr = 0; pcr < 24; pcr++) {
            String ours = Hex.encode(replay.value(HashAlgorithm.SHA1, pcr));
            if (pcr >= 17 && pcr <= 22) {
                assertEquals("ff".repeat(20), recorded.get(pcr));
                assertEquals("PCR " + pcr + " is not in the log", "00".repeat(20), ours);
            } else {
                assertEquals("PCR " + pcr, recorded.get(pcr), ours);
            }
        }
        assertEquals("51c323de0c0c694f4601cdd02beb58ff13629f74", Hex.encode(replay.value(HashAlgorithm.SHA1, 0)));
        assertEquals("859a5877266b5c909613468091a73380a5386786", Hex.encode(replay.value(HashAlgorithm.SHA1, 7)));
    }

    @Test
    public void theLegacyLogIsWrittenBackByteForByte() throws IOException {
        byte[] bytes = resource("eventlog.sha1.bin");
        assertArrayEquals(bytes, LegacyEventLog.parse(bytes).write());
    }

    @Test
    public void tpm2EventlogReplaysTheGenuineLogToTheSamePcrs() throws Exception {
        byte[] bytes = resource("eventlog.sha1.bin");
        Tpm2Eventlog tool = Tpm2Eventlog.run(tmp.getRoot().toPath(), bytes);
        assertEquals(tool.stderr, 0, tool.exitCode);
        LegacyEventLog log = LegacyEventLog.parse(bytes);
        assertEquals(log.events().size(), tool.events.size());
        for (int i = 0; i < log.events().size(); i++) {
            TcgPcrEvent e = log.events().get(i);
            assertEquals("event " + i, EventType.name(e.eventType()), tool.events.get(i).eventType);
            assertEquals("event " + i, Map.of("sha1", Hex.encode(e.digest())), tool.events.get(i).digests);
            assertEquals("event " + i, e.event().length, tool.events.get(i).eventSize);
        }
        PcrBanks replay = log.replay();
        Map<Integer, String> ours = new TreeMap<>();
        for (int pcr : replay.extended()) {
            ours.put(pcr, Hex.encode(replay.value(HashAlgorithm.SHA1, pcr)));
        }
        assertEquals(Map.of("sha1", ours), tool.pcrs);
    }

    @Test
    public void theUefiEventDataOfTheGenuineLogIncludingItsGptParsesAndIsWrittenBack() throws IOException {
        LegacyEventLog log = LegacyEventLog.parse(resource("eventlog.sha1.bin"));
        int variables = 0;
        int images = 0;
        int separators = 0;
        int signatureLists = 0;
        int gpts = 0;
        for (TcgPcrEvent e : log.events()) {
            EventType type = EventType.of(e.eventType()).orElseThrow();
            switch (type) {
                case EV_EFI_VARIABLE_DRIVER_CONFIG, EV_EFI_VARIABLE_BOOT, EV_EFI_VARIABLE_AUTHORITY -> {
                    UefiVariableData v = UefiVariableData.parse(e.event());
                    assertArrayEquals(e.event(), v.write());
                    if (type == EventType.EV_EFI_VARIABLE_DRIVER_CONFIG) {
                        assertArrayEquals("PCR 7 variables are measured as their UEFI_VARIABLE_DATA",
                                HashAlgorithm.SHA1.digest(e.event()), e.digest());
                        if (List.of("PK", "KEK", "db", "dbx").contains(v.unicodeName())
                                && v.variableData().length > 0) {
                            List<EfiSignatureList> lists = EfiSignatureList.parseAll(v.variableData());
                            assertArrayEquals(v.variableData(), EfiSignatureList.writeAll(lists));
                            signatureLists += lists.size();
                        }
                    }
                    variables++;
                }
                case EV_EFI_BOOT_SERVICES_APPLICATION -> {
                    UefiImageLoadEvent img = UefiImageLoadEvent.parse(e.event());
                    assertArrayEquals(e.event(), img.write());
                    assertTrue(img.devicePath().length > 0);
                    images++;
                }
                case EV_EFI_GPT_EVENT -> {
                    UefiGptData gpt = UefiGptData.parse(e.event());
                    assertArrayEquals(e.event(), gpt.write());
                    assertArrayEquals(HashAlgorithm.SHA1.digest(e.event()), e.digest());
                    assertEquals(List.of("Microsoft reserved partition", "EFI system partition",
                            "Basic data partition"), gpt.partitions().stream()
                                    .map(UefiGptData.PartitionEntry::partitionName).toList());
                    assertEquals(128, gpt.uefiPartitionHeader().numberOfPartitionEntries());
                    assertEquals(0x8000, gpt.partitions().get(1).startingLba());
                    gpts++;
                }
                case EV_SEPARATOR -> {
                    assertArrayEquals(HashAlgorithm.SHA1.digest(e.event()), e.digest());
                    separators++;
                }
                default -> {
                }
            }
        }
        assertEquals(6, variables);
        assertEquals(1, images);
        assertEquals(4, separators);
        assertEquals(1, gpts);
        assertTrue("PK, KEK, db or dbx carry EFI_SIGNATURE_LISTs", signatureLists > 0);
        UefiVariableData secureBoot = UefiVariableData.parse(log.events().get(1).event());
        assertEquals("SecureBoot", secureBoot.unicodeName());
        assertEquals(UefiVariableData.EFI_GLOBAL_VARIABLE, secureBoot.variableName());
        assertArrayEquals(new byte[] {1}, secureBoot.variableData());
    }

    @Test
    public void theCryptoAgileParserRefusesTheSha1Log() throws IOException {
        byte[] bytes = resource("eventlog.sha1.bin");
        EventLogException e = assertThrows(EventLogException.class, () -> EventLog.parse(bytes));
        assertEquals("TCG crypto-agile event log's first record is EV_S_CRTM_VERSION, expected EV_NO_ACTION carrying a"
                + " Spec ID Event03 (a SHA-1 log goes to LegacyEventLog)", e.getMessage());
    }
}
