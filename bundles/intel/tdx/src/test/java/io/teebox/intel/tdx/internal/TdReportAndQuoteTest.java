package io.teebox.intel.tdx.internal;

import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.abi.IntelIdentities;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.launch.LaunchSession;
import io.teebox.api.tee.TeeException;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.tdx.abi.EnclaveReport;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** TDG.MR.REPORT, RTMRs and the event log, the quoting enclave, and the codecs of TDREPORT and Quote v4. */
public class TdReportAndQuoteTest {

    private IntelPcs pcs;
    private TdxBackend backend;
    private long td;
    private byte[] mrtd;

    @Before
    public void start() {
        pcs = TdxTesting.pcs();
        backend = TdxTesting.backend(pcs);
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, 1,
                new MapGuestMemory(1), Map.of());
        mrtd = s.measure().value();
        s.finish();
        td = s.handle();
    }

    @After
    public void stop() {
        TdxTesting.stop(pcs);
    }

    private static byte[] data(int seed) {
        byte[] d = new byte[64];
        for (int i = 0; i < 64; i++) {
            d[i] = (byte) (seed + i);
        }
        return d;
    }

    @Test
    public void tdReportCarriesTheTdAndRoundTripsThroughTheCodec() {
        byte[] raw = TdxTesting.guest(backend, td).tdReport(data(7));
        assertEquals(TdReport.SIZE, raw.length);
        TdReport r = TdReport.parse(raw);
        assertArrayEquals(raw, r.toBytes());
        assertEquals(0x81, raw[0] & 0xFF);
        assertArrayEquals(data(7), Arrays.copyOfRange(raw, 0x80, 0xC0));
        assertArrayEquals(mrtd, Arrays.copyOfRange(raw, 0x210, 0x240));
        assertArrayEquals(mrtd, r.mrtd());
        assertEquals(TdAttributes.SEPT_VE_DISABLE, LittleEndian.u64(raw, 0x200));
        assertEquals(0x301FFL, r.teeTcbInfo().u64("VALID")); // TEE_TCB_INFO.VALID: VALID, TEE_TCB_SVN, MRSEAM, TEE_TCB_SVN2
        assertEquals("05010300000000000000000000000000", Hex.encode(r.teeTcbSvn()));
        assertTrue(r.hashesMatch());
        assertArrayEquals(Digests.sha384(Arrays.copyOfRange(raw, 0x200, 0x400)), Arrays.copyOfRange(raw, 0x50, 0x80));
        assertArrayEquals(Digests.sha384(Arrays.copyOfRange(raw, 0x100, 0x1EF)), Arrays.copyOfRange(raw, 0x20, 0x50));
        assertEquals(java.util.Optional.empty(), backend.module().verifyReport(raw));
    }

    @Test
    public void reservedFieldsOfTdReportAreMustBeZero() {
        byte[] raw = TdxTesting.guest(backend, td).tdReport(data(1));
        for (int off : new int[] {0x03, 0x04, 0xC0, 0xDF, 0x190, 0x1EE, 0x1EF, 0x1FF, 0x3C0, 0x3FF}) {
            byte[] bad = raw.clone();
            bad[off] = 1;
            MalformedStructureException e = assertThrows(MalformedStructureException.class, () -> TdReport.parse(bad));
            assertTrue(e.getMessage(), e.getMessage().contains("reserved") || e.getMessage().contains("must be zero"));
        }
        byte[] wrongType = raw.clone();
        wrongType[0] = 0;
        assertThrows(MalformedStructureException.class, () -> TdReport.parse(wrongType));
        assertThrows(MalformedStructureException.class, () -> TdReport.parse(Arrays.copyOf(raw, 1023)));
    }

    @Test
    public void theQuotingEnclaveRefusesAReportWhoseMacDoesNotVerify() {
        byte[] raw = TdxTesting.guest(backend, td).tdReport(data(2));
        raw[0x80] ^= 1; // REPORTDATA changed after the CPU MACed it
        TeeException e = assertThrows(TeeException.class, () -> backend.quotingEnclave().quote(raw));
        assertEquals(TdxStatus.TDX_INVALID_REPORTMACSTRUCT.status(), e.status());
        byte[] info = TdxTesting.guest(backend, td).tdReport(data(2));
        info[0x210] ^= 1; // MRTD in TDINFO: the MAC still verifies, TEE_INFO_HASH does not
        assertTrue(backend.module().verifyReport(info).orElseThrow().contains("TEE_INFO_HASH"));
    }

    @Test
    public void rtmrExtendMatchesTheSpecVectorAndTheEventLogReplays() {
        byte[] abc = Digests.sha384("abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals("93732e3733514a841c982cfa75ea76ab55fe011acb9cd980ef4523913c65be1b0998e04d77f8c174f81a82151619ca40",
                Hex.encode(TdxTesting.guest(backend, td).rtmrExtend(2, abc, "abc")));
        byte[] k = Digests.sha384("kernel".getBytes(StandardCharsets.US_ASCII));
        TdxTesting.guest(backend, td).rtmrExtend(2, k, "kernel");
        TdxTesting.guest(backend, td).rtmrExtend(3, k, "application");
        TdReport r = TdReport.parse(TdxTesting.guest(backend, td).tdReport(data(3)));
        List<EventLog.Event> events = EventLog.parse(TdxTesting.guest(backend, td).eventLog());
        assertEquals(3, events.size());
        assertEquals(3, events.get(0).mrIndex());
        assertEquals("kernel", events.get(1).text());
        byte[][] replay = EventLog.replay(events);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals("RTMR" + i, r.rtmr(i), replay[i]);
        }
        assertArrayEquals(TdMeasurement.extendRtmr(TdMeasurement.extendRtmr(new byte[48], abc), k), r.rtmr(2));
        assertArrayEquals(TdxTesting.guest(backend, td).eventLog(), EventLog.encode(events));
        assertEquals(TdxStatus.TDX_OPERAND_INVALID.status(), assertThrows(TeeException.class,
                () -> TdxTesting.guest(backend, td).rtmrExtend(4, abc, "x")).status());
        assertEquals(TdxStatus.TDX_OPERAND_INVALID.status(), assertThrows(TeeException.class,
                () -> TdxTesting.guest(backend, td).rtmrExtend(1, new byte[32], "x")).status());
    }

    @Test
    public void quoteV4HasTheDcapLayoutAndRoundTripsThroughTheCodec() {
        byte[] quote = TdxTesting.guest(backend, td).getQuote(data(4));
        QuoteV4 q = QuoteV4.parse(quote);
        assertArrayEquals(quote, q.toBytes());
        assertEquals(4, LittleEndian.u16(quote, 0));
        assertEquals(2, LittleEndian.u16(quote, 2));
        assertEquals(0x81, LittleEndian.u32(quote, 4));
        assertEquals("939a7233f79c4ca9940a0db3957f0607", Hex.encode(Arrays.copyOfRange(quote, 0x0C, 0x1C)));
        assertArrayEquals(mrtd, Arrays.copyOfRange(quote, 0xB8, 0xE8));
        assertArrayEquals(data(4), Arrays.copyOfRange(quote, 0x238, 0x278));
        assertEquals(quote.length - 0x27C, LittleEndian.u32(quote, 0x278));
        assertEquals(6, LittleEndian.u16(quote, 0x2FC));
        assertEquals(quote.length - 0x302, LittleEndian.u32(quote, 0x2FE));
        assertArrayEquals(q.qeReport().toBytes(), Arrays.copyOfRange(quote, 0x302, 0x482));
        assertEquals(32, LittleEndian.u16(quote, 0x4C2));
        assertEquals(5, LittleEndian.u16(quote, 0x4C4 + 32));
        assertTrue(q.pckChainText().startsWith("-----BEGIN CERTIFICATE-----"));
        assertArrayEquals(Arrays.copyOf(Digests.sha256(q.attestationKey(), q.qeAuthData()), 64),
                q.qeReport().bytes("REPORTDATA"));
        assertEquals(IntelIdentities.QE_ISVPRODID, q.qeReport().u16("ISVPRODID"));
        assertTrue(TdxTesting.host(backend, td).calls().stream().anyMatch(c -> c.command().equals("TDG.VP.VMCALL<GetQuote>")));
    }

    @Test
    public void quoteCodecRejectsMalformedQuotesNamingTheField() {
        byte[] quote = TdxTesting.guest(backend, td).getQuote(data(5));
        byte[] shortQuote = Arrays.copyOf(quote, quote.length - 1);
        assertTrue(assertThrows(MalformedStructureException.class, () -> QuoteV4.parse(shortQuote)).getMessage()
                .contains("signature data length"));
        byte[] v3 = quote.clone();
        v3[0] = 3;
        assertTrue(assertThrows(MalformedStructureException.class, () -> QuoteV4.parse(v3)).getMessage()
                .contains("VERSION is 3"));
        byte[] sgx = quote.clone();
        sgx[4] = 0;
        assertThrows(MalformedStructureException.class, () -> QuoteV4.parse(sgx));
        byte[] type = quote.clone();
        type[0x2FC] = 5;
        assertTrue(assertThrows(MalformedStructureException.class, () -> QuoteV4.parse(type)).getMessage()
                .contains("certification data type is 5"));
        byte[] reserved = quote.clone();
        reserved[0x302 + 0x60] = 1; // QE report reserved2
        assertTrue(assertThrows(MalformedStructureException.class, () -> QuoteV4.parse(reserved)).getMessage()
                .contains("SGX_REPORT_BODY"));
        byte[] inner = quote.clone();
        inner[0x4C4 + 32] = 4;
        assertThrows(MalformedStructureException.class, () -> QuoteV4.parse(inner));
        assertEquals(EnclaveReport.SIZE, QuoteV4.parse(quote).qeReport().toBytes().length);
    }
}
