package io.teebox.intel.tdx.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Test;

/** The layouts against the offsets of the spec tables (4.1, 4.4, 4.6), and the event-log codec. */
public class AbiLayoutTest {

    @Test
    public void tdReportOffsetsAreThoseOfSgxReport2() {
        assertEquals(0x10, TdReport.REPORTMACSTRUCT.offset("CPUSVN"));
        assertEquals(0x20, TdReport.REPORTMACSTRUCT.offset("TEE_TCB_INFO_HASH"));
        assertEquals(0x50, TdReport.REPORTMACSTRUCT.offset("TEE_INFO_HASH"));
        assertEquals(0x80, TdReport.REPORTMACSTRUCT.offset("REPORTDATA"));
        assertEquals(0xE0, TdReport.REPORTMACSTRUCT.offset("MAC"));
        assertEquals(239, TdReport.TEE_TCB_INFO.size());
        assertEquals(0x48, TdReport.TEE_TCB_INFO.offset("MRSIGNERSEAM"));
        assertEquals(0x80, TdReport.TEE_TCB_INFO.offset("TEE_TCB_SVN2"));
        assertEquals(0x010, TdReport.TDINFO.offset("MRTD"));
        assertEquals(0x0D0, TdReport.TDINFO.offset("RTMR0"));
        assertEquals(0x160, TdReport.TDINFO.offset("RTMR3"));
        assertEquals(0x190, TdReport.TDINFO.offset("SERVTD_HASH"));
        assertEquals(0x200, TdReport.LAYOUT.offset("TDINFO"));
    }

    @Test
    public void quoteBodyOffsetsAreThoseOfTheSpecTable() {
        assertEquals(48, QuoteV4.HEADER.size());
        assertEquals(584, QuoteV4.BODY.size());
        int[][] abs = {{0x040, QuoteV4.BODY.offset("MRSEAM")}, {0x0A8, QuoteV4.BODY.offset("TDATTRIBUTES")},
            {0x0B8, QuoteV4.BODY.offset("MRTD")}, {0x178, QuoteV4.BODY.offset("RTMR0")},
            {0x208, QuoteV4.BODY.offset("RTMR3")}, {0x238, QuoteV4.BODY.offset("REPORTDATA")}};
        for (int[] a : abs) {
            assertEquals(a[0], QuoteV4.BODY_OFFSET + a[1]);
        }
        assertEquals(0x278, QuoteV4.BODY_OFFSET + QuoteV4.BODY.size());
        assertEquals(0x140, EnclaveReport.LAYOUT.offset("REPORTDATA"));
        assertEquals(0x100, EnclaveReport.LAYOUT.offset("ISVPRODID"));
        assertEquals(0x080, EnclaveReport.LAYOUT.offset("MRSIGNER"));
    }

    @Test
    public void tdParamsOffsetsAndReservedRanges() {
        assertEquals(0x050, TdParams.LAYOUT.offset("MRCONFIGID"));
        assertEquals(0x0B0, TdParams.LAYOUT.offset("MROWNERCONFIG"));
        assertEquals(0x100, TdParams.LAYOUT.offset("CPUID_VALUES"));
        byte[] p = TdParams.defaults(TdAttributes.SEPT_VE_DISABLE, 8).toBytes();
        assertEquals(8, TdParams.parse(p).maxVcpus());
        assertEquals(47, TdParams.parse(p).sharedBit());
        for (int off : new int[] {0x12, 0x2A, 0x4F, 0xE0, 0xFF}) {
            byte[] bad = p.clone();
            bad[off] = 1;
            assertThrows(MalformedStructureException.class, () -> TdParams.parse(bad));
        }
        assertEquals(51, TdParams.builder().configFlags(TdParams.CONFIG_MAX_GPAW).build().sharedBit());
    }

    @Test
    public void statusCodesCarryTheModuleValues() {
        assertEquals(0xC000_0100_0000_0000L, TdxStatus.TDX_OPERAND_INVALID.code());
        assertEquals(TdxStatus.TDX_OPERAND_INVALID, TdxStatus.of(0xC000_0100_0000_0001L));
        assertTrue(TdxStatus.TDX_TD_FATAL.isError());
        assertEquals("TDX_PAGE_ALREADY_ACCEPTED (0x00000B0A00000000)",
                TdxStatus.TDX_PAGE_ALREADY_ACCEPTED.status().toString());
        assertEquals("DEBUG|SEPT_VE_DISABLE", TdAttributes.describe(TdAttributes.DEBUG | TdAttributes.SEPT_VE_DISABLE));
        assertEquals("unknown 0x100", TdAttributes.describe(0x100));
    }

    @Test
    public void eventLogEncodesTheCcelFormatAndReplays() {
        byte[] d1 = Digests.sha384("one".getBytes(StandardCharsets.US_ASCII));
        byte[] d2 = Digests.sha384("two".getBytes(StandardCharsets.US_ASCII));
        List<EventLog.Event> events = List.of(new EventLog.Event(3, EventLog.EV_IPL, d1, "one".getBytes()),
                new EventLog.Event(4, EventLog.EV_EVENT_TAG, d2, new byte[0]));
        byte[] log = EventLog.encode(events);
        assertEquals("Spec ID Event03", new String(log, 32, 15, StandardCharsets.US_ASCII));
        int first = EventLog.specIdEvent().length;
        assertEquals(3, log[first]);
        assertEquals(1, log[first + 8]);
        assertEquals(0x0C, log[first + 12]);
        assertEquals(events, EventLog.parse(log));
        byte[][] rtmr = EventLog.replay(events);
        assertArrayEquals(TdMeasurement.extendRtmr(new byte[48], d1), rtmr[2]);
        assertArrayEquals(TdMeasurement.extendRtmr(new byte[48], d2), rtmr[3]);
        assertArrayEquals(new byte[48], rtmr[0]);
        byte[] truncated = java.util.Arrays.copyOf(log, log.length - 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventLog.parse(truncated)).getMessage()
                .contains("truncated"));
        byte[] padded = java.util.Arrays.copyOf(log, log.length + 8);
        java.util.Arrays.fill(padded, log.length, padded.length, (byte) 0xFF);
        assertEquals(2, EventLog.parse(padded).size());
        byte[] sha256 = log.clone();
        sha256[first + 12] = 0x0B;
        assertThrows(IllegalArgumentException.class, () -> EventLog.parse(sha256));
        assertEquals("6f6e65", Hex.encode(events.get(0).data()));
    }
}
