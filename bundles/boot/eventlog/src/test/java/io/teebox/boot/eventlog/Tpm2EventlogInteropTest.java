package io.teebox.boot.eventlog;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.hex.Hex;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * tpm2-tools' tpm2_eventlog, an independent parser, reads the crypto-agile log teebox writes for a modelled UEFI
 * boot and prints the same events and, at the end, the same PCR values per bank as teebox's replay.
 */
public class Tpm2EventlogInteropTest {

    private static final HashAlgorithm[] BANKS = {HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384};

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path dir() {
        return tmp.getRoot().toPath();
    }

    private static void assertSameEvents(EventLog log, Tpm2Eventlog tool) {
        assertEquals("events (Spec ID record included)", log.events().size() + 1, tool.events.size());
        Tpm2Eventlog.Event spec = tool.events.get(0);
        assertEquals("EV_NO_ACTION", spec.eventType);
        assertEquals(0, spec.pcrIndex);
        assertEquals(log.specId().write().length, spec.eventSize);
        for (int i = 0; i < log.events().size(); i++) {
            TcgPcrEvent2 ours = log.events().get(i);
            Tpm2Eventlog.Event theirs = tool.events.get(i + 1);
            String where = "event " + (i + 1);
            assertEquals(where, ours.pcrIndex(), theirs.pcrIndex);
            assertEquals(where, EventType.name(ours.eventType()), theirs.eventType);
            assertEquals(where, ours.event().length, theirs.eventSize);
            Map<String, String> digests = new java.util.LinkedHashMap<>();
            for (TcgPcrEvent2.Digest d : ours.digests()) {
                digests.put(HashAlgorithm.of(d.hashAlg()).orElseThrow().tpm2ToolsName(), Hex.encode(d.digest()));
            }
            assertEquals(where, digests, theirs.digests);
        }
    }

    private static void assertSamePcrs(PcrBanks replay, Tpm2Eventlog tool) {
        Map<String, Map<Integer, String>> ours = new TreeMap<>();
        for (HashAlgorithm a : replay.banks()) {
            Map<Integer, String> bank = new TreeMap<>();
            for (int pcr : replay.extended()) {
                bank.put(pcr, Hex.encode(replay.value(a, pcr)));
            }
            ours.put(a.tpm2ToolsName(), bank);
        }
        assertEquals(ours, tool.pcrs);
    }

    /**
     * PCR 0 as tpm2-tools up to 5.5 replays it: it extends EV_NO_ACTION records too (tpm2-tools issue #3224, fixed by
     * PR #3230) and ignores StartupLocality (added by PR #3242), both after 5.5.
     */
    private static String pcr0AsOldTpm2Tools(EventLog log, HashAlgorithm alg) {
        byte[] pcr = new byte[alg.digestSize()];
        for (TcgPcrEvent2 e : log.events()) {
            if (e.pcrIndex() == 0) {
                pcr = alg.extend(pcr, e.digest(alg).orElseThrow());
            }
        }
        return Hex.encode(pcr);
    }

    /** Equal PCRs, except that PCR 0 may be the one of a tpm2-tools older than the EV_NO_ACTION fix. */
    private static void assertSamePcrsButPcr0OfOldTpm2Tools(EventLog log, Tpm2Eventlog tool) {
        PcrBanks replay = log.replay();
        for (HashAlgorithm a : replay.banks()) {
            Map<Integer, String> bank = tool.pcrs.get(a.tpm2ToolsName());
            for (int pcr : replay.extended()) {
                String ours = Hex.encode(replay.value(a, pcr));
                if (pcr == 0 && !ours.equals(bank.get(0))) {
                    assertEquals("PCR 0 " + a + " is neither teebox's replay nor tpm2-tools <= 5.5's",
                            pcr0AsOldTpm2Tools(log, a), bank.get(0));
                } else {
                    assertEquals("PCR " + pcr + " " + a, ours, bank.get(pcr));
                }
            }
            assertEquals(replay.extended(), bank.keySet());
        }
    }

    @Test
    public void tpm2EventlogPrintsTheEventsAndPcrsOfTheReplayForAModelledBoot() throws Exception {
        EventLog log = ModelledBoot.build(-1, BANKS);
        Tpm2Eventlog tool = Tpm2Eventlog.run(dir(), log.write());
        assertEquals(tool.stderr, 0, tool.exitCode);
        // tpm2_eventlog recomputes the digests of separators, S-CRTM version, PCR 7 variables and GRUB's PCR 8
        // strings from the event data and warns on a mismatch
        assertEquals("tpm2_eventlog stderr", "", tool.stderr);
        assertSameEvents(log, tool);
        assertSamePcrs(log.replay(), tool);
        assertEquals(Map.of("sha1", 11, "sha256", 11, "sha384", 11), // PCRs 0-9 and 14
                Map.of("sha1", tool.pcrs.get("sha1").size(), "sha256", tool.pcrs.get("sha256").size(),
                        "sha384", tool.pcrs.get("sha384").size()));
    }

    @Test
    public void tpm2EventlogReadsTheStartupLocalityEventAndAgreesOnEveryPcrButPcr0OfItsOldReplay() throws Exception {
        for (int locality : new int[] {0, 3}) {
            EventLog log = ModelledBoot.build(locality, BANKS);
            Tpm2Eventlog tool = Tpm2Eventlog.run(dir(), log.write());
            assertEquals(tool.stderr, 0, tool.exitCode);
            assertSameEvents(log, tool);
            assertSamePcrsButPcr0OfOldTpm2Tools(log, tool);
        }
    }

    @Test
    public void tpm2EventlogReadsALogOfTheTwoBanksOfTheBrief() throws Exception {
        EventLog log = ModelledBoot.build(-1, HashAlgorithm.SHA256, HashAlgorithm.SHA384);
        Tpm2Eventlog tool = Tpm2Eventlog.run(dir(), log.write());
        assertEquals(tool.stderr, 0, tool.exitCode);
        assertEquals("", tool.stderr);
        assertSameEvents(log, tool);
        assertSamePcrs(log.replay(), tool);
    }

    @Test
    public void tpm2EventlogVersion2ReadsTheSignatureListsBootOptionAndGrubStrings() throws Exception {
        EventLog log = ModelledBoot.build(-1, BANKS);
        Tpm2Eventlog tool = Tpm2Eventlog.run(dir(), log.write(), "--eventlog-version=2");
        assertEquals(tool.stderr, 0, tool.exitCode);
        assertEquals("", tool.stderr);
        assertTrue(tool.stdout.contains("SignatureType: a5c059a1-94e4-4aa7-87b5-ab155c2bf072"));
        assertTrue(tool.stdout.contains("SignatureType: c1c41626-504c-4092-aca9-41f936934328"));
        assertTrue(tool.stdout.contains("Description: \"UEFI teebox disk\""));
        assertTrue(tool.stdout.contains("\"grub_cmd: linux /vmlinuz root=/dev/vda1 ro console=ttyS0\\0\""));
        assertTrue(tool.stdout.contains("\"kernel_cmdline: /vmlinuz root=/dev/vda1 ro console=ttyS0\\0\""));
        assertTrue(tool.stdout.contains("Enabled: 'Yes'"));
        assertTrue(tool.stdout.contains("Signature: \"EFI PART\""));
        assertTrue(tool.stdout.contains("NumberOfPartitions: 2"));
        assertTrue(tool.stdout.contains("PartitionName: \"EFI system partition\""));
    }

    /** Offset of the eventSize field of the last record. */
    private static int lastEventSizeOffset(EventLog log) {
        byte[] bytes = log.write();
        TcgPcrEvent2 last = log.events().get(log.events().size() - 1);
        return bytes.length - last.event().length - 4;
    }

    @Test
    public void aTamperedEventSizeMakesTpm2EventlogFailAndOurParserRefuse() throws Exception {
        EventLog log = ModelledBoot.build(-1, BANKS);
        byte[] bytes = log.write();
        int off = lastEventSizeOffset(log);
        LittleEndian.put32(bytes, off, LittleEndian.u32(bytes, off) + 1);
        Tpm2Eventlog tool = Tpm2Eventlog.run(dir(), bytes);
        assertNotEquals("tpm2_eventlog accepted a log whose last eventSize runs past its end", 0, tool.exitCode);
        EventLogException e = assertThrows(EventLogException.class, () -> EventLog.parse(bytes));
        assertEquals("TCG crypto-agile event log.event at offset " + (off + 4) + " needs 41 bytes, only 40 left",
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    public void aShortenedEventSizeInTheMiddleMakesTpm2EventlogFailAndOurParserRefuse() throws Exception {
        EventLog log = ModelledBoot.build(0, BANKS);
        byte[] bytes = log.write();
        // the eventSize of the Spec ID record's successor (StartupLocality, 17 bytes) becomes 16: every later
        // record is read one byte early
        int off = TcgPcrEvent.HEADER_SIZE + log.specId().write().length + 12 + 2 + 20 + 2 + 32 + 2 + 48;
        assertEquals(17, LittleEndian.u32(bytes, off));
        LittleEndian.put32(bytes, off, 16);
        Tpm2Eventlog tool = Tpm2Eventlog.run(dir(), bytes);
        assertNotEquals("tpm2_eventlog accepted a log with a shortened eventSize", 0, tool.exitCode);
        assertThrows(EventLogException.class, () -> EventLog.parse(bytes));
    }
}
