package io.teebox.intel.tdx.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * The CCEL event-log codec against forged sizes and counts, the replay rules (EV_NO_ACTION is not extended), and the
 * event types whose digest is defined over the event data, checked on a genuine TDVF/shim/GRUB log.
 */
public class EventLogTest {

    private static byte[] genuine() {
        try (InputStream in = EventLogTest.class.getResourceAsStream("/vectors/intel-tdx/ccel/ccel_data.dat")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] ours() {
        return EventLog.encode(List.of(new EventLog.Event(3, EventLog.EV_ACTION, Digests.sha384(
                "kernel".getBytes(StandardCharsets.US_ASCII)), "kernel".getBytes(StandardCharsets.US_ASCII))));
    }

    private static MalformedStructureException refused(byte[] log) {
        return assertThrows(MalformedStructureException.class, () -> EventLog.parse(log));
    }

    @Test
    public void aSpecIdEventShorterThanItsFieldsIsRefusedNotReadPastTheEnd() {
        // 57 bytes, Spec ID event size 21: the algorithm count was read at offset 56 (ArrayIndexOutOfBounds)
        byte[] cut = Hex.decode("0000000003000000000000000000000000000000000000000000000015000000"
                + "53706563204944204576656e74303300000000000002000201");
        MalformedStructureException e = refused(cut);
        assertEquals("EventSize", e.field());
        byte[] log = ours();
        byte[] algorithms = log.clone();
        LittleEndian.put32(algorithms, 32 + 24, 0x4000_0000L);
        assertEquals("numberOfAlgorithms", refused(algorithms).field());
        byte[] spec = log.clone();
        LittleEndian.put32(spec, 28, 0xFFFF_FFFFL);
        assertEquals("EventSize", refused(spec).field());
        byte[] vendor = log.clone();
        vendor[32 + 32] = 5;
        assertEquals("vendorInfoSize", refused(vendor).field());
    }

    @Test
    public void forgedEventSizesAndCountsAreRefusedNamingTheField() {
        byte[] log = ours();
        int event = 65;
        for (long size : new long[] {0xFFFF_FFFFL, 0x8000_0000L, 0x7FFF_FFFFL, 0x7FFF_FFF0L, 7}) {
            byte[] bad = log.clone();
            LittleEndian.put32(bad, event + 62, size);
            MalformedStructureException e = refused(bad);
            assertEquals("EventSize", e.field());
            assertTrue(e.getMessage(), e.getMessage().contains("says its data is " + size + " bytes, only 6"));
        }
        byte[] count = log.clone();
        LittleEndian.put32(count, event + 8, 0xFFFF_FFFFL);
        assertEquals("digests.count", refused(count).field());
        byte[] mr = log.clone();
        LittleEndian.put32(mr, event, 5);
        assertEquals("PCRIndex", refused(mr).field());
        assertEquals("PCRIndex", refused(java.util.Arrays.copyOf(log, log.length + 2)).field());
        assertEquals("EventSize", refused(java.util.Arrays.copyOf(log, log.length + 20)).field());
    }

    @Test
    public void noMutationOfALogEscapesAsAnythingButAMalformedStructure() {
        byte[] base = ours();
        Random r = new Random(20261201);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = java.util.Arrays.copyOf(base, r.nextInt(base.length + 16));
            for (int k = 0; k < 3 && b.length > 0; k++) {
                int at = r.nextInt(b.length);
                for (int j = 0; j < (r.nextBoolean() ? 4 : 1) && at + j < b.length; j++) {
                    b[at + j] = r.nextBoolean() ? (byte) 0xFF : (byte) r.nextInt();
                }
            }
            try {
                EventLog.parse(b);
            } catch (MalformedStructureException expected) {
                // the only way a log may fail
            }
        }
    }

    @Test
    public void evNoActionEventsAreNotExtended() {
        byte[] d = Digests.sha384("x".getBytes(StandardCharsets.US_ASCII));
        List<EventLog.Event> events = List.of(new EventLog.Event(1, EventLog.EV_NO_ACTION, new byte[48], new byte[8]),
                new EventLog.Event(1, EventLog.EV_ACTION, d, "x".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(TdMeasurement.extendRtmr(new byte[48], d), EventLog.replay(EventLog.parse(
                EventLog.encode(events)))[0]);
    }

    @Test
    public void everyEventOfAGenuineLogWhoseTypeDefinesItsDigestCarriesTheDigestOfItsData() {
        List<EventLog.Event> events = EventLog.parse(genuine());
        int checked = 0;
        for (EventLog.Event e : events) {
            List<byte[]> defined = EventLog.definedDigests(e);
            if (!defined.isEmpty()) {
                checked++;
                assertTrue(e.eventType() + " " + e.text(), defined.stream().anyMatch(x -> MessageDigest.isEqual(x,
                        e.digest())));
            }
        }
        // 2 separators, 3 EV_EFI_ACTION, 5 driver-config and 2 authority variables, 1 GPT, 3 boot variables and 15
        // GRUB commands or command lines; the firmware volumes, images, handoff tables, ACPI data (TDVF's
        // EV_PLATFORM_CONFIG_FLAGS), shim's MokList and GRUB's file measurements are not over their data
        assertEquals(31, checked);
        EventLog.Event cmdline = events.get(40);
        assertTrue(cmdline.text().startsWith("kernel_cmdline: /syslinux/vmlinuz.A"));
        byte[] forged = cmdline.data();
        forged[forged.length - 2] ^= 1;
        EventLog.Event edited = new EventLog.Event(cmdline.mrIndex(), cmdline.eventType(), cmdline.digest(), forged);
        assertTrue(EventLog.definedDigests(edited).stream().noneMatch(x -> MessageDigest.isEqual(x,
                edited.digest())));
    }
}
