package io.teebox.hypervisor.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.intel.shell.internal.TdxCommands;
import io.teebox.intel.verify.internal.IntelVerifiers;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The tdx: shell commands on a launched TD: report, extend, event log, quote to a file, collateral, verify. */
public class TdxCommandsTest {

    /** A Gogo session as the shell hands commands one: its variables in a map. */
    static final java.util.Map<String, Object> VARIABLES = new java.util.concurrent.ConcurrentHashMap<>();
    static final org.apache.felix.service.command.CommandSession SESSION =
            (org.apache.felix.service.command.CommandSession) java.lang.reflect.Proxy.newProxyInstance(
                    TdxCommandsTest.class.getClassLoader(),
                    new Class<?>[] {org.apache.felix.service.command.CommandSession.class}, (proxy, m, args) ->
                            switch (m.getName()) {
                                case "put" -> VARIABLES.put((String) args[0], args[1]);
                                case "get" -> VARIABLES.get((String) args[0]);
                                default -> null;
                            });

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private HypervisorImpl hv;
    private IntelPcs pcs;
    private TdxBackend tdx;
    private TdxCommands cmd;

    @Before
    public void setUp() {
        hv = new HypervisorImpl(TdxHypervisorTest.config(128, 4));
        pcs = TdxTesting.pcs();
        tdx = TdxTesting.backend(pcs);
        TdxHypervisorTest.bindTdx(hv, tdx);
        TdxHypervisorTest.launchTd(hv, "td1", TdAttributes.SEPT_VE_DISABLE, null);
        cmd = new TdxCommands(hv, pcs, IntelVerifiers.dcap(pcs));
    }

    @After
    public void tearDown() {
        TdxTesting.stop(pcs);
    }

    @Test
    public void extendReportAndEventLogShowTheTd() throws Exception {
        String rtmr = cmd.extend("3", "", "td1", "my application");
        byte[] expected = Digests.sha384(new byte[48], Digests.sha384("my application".getBytes(StandardCharsets.UTF_8)));
        assertEquals("RTMR3 = " + Hex.encode(expected), rtmr);
        String report = cmd.report("0102", "td1");
        assertTrue(report, report.contains("RTMR3") && report.contains(Hex.encode(expected)));
        assertTrue(report, report.contains("REPORTDATA") && report.contains("0102000000"));
        Path log = tmp.getRoot().toPath().resolve("td1.log");
        String events = cmd.eventlog(log.toString(), "td1");
        assertTrue(events, events.contains("my application") && events.contains("replayed RTMR3 " + Hex.encode(expected)));
        assertEquals(1, EventLog.parse(Files.readAllBytes(log)).size());
        assertThrows(IllegalArgumentException.class, () -> cmd.report("", "nobody"));
    }

    @Test
    public void quoteCollateralAndVerifyRoundTripThroughFiles() throws Exception {
        cmd.extend("2", "", "td1", "kernel");
        Path quote = tmp.getRoot().toPath().resolve("td1.quote");
        String shown = cmd.quote("cafe", quote.toString(), "td1");
        assertTrue(shown, shown.contains("mrtd") && shown.contains("tcb_status") && shown.contains("UpToDate"));
        QuoteV4 q = QuoteV4.parse(Files.readAllBytes(quote));
        assertEquals("cafe", Hex.encode(q.body().bytes("REPORTDATA")).substring(0, 4));
        Path coll = tmp.getRoot().toPath().resolve("collateral.json");
        assertTrue(cmd.collateral("", coll.toString()).contains("00806f050000"));
        assertArrayEquals(pcs.rootCaCertificate(), Files.readAllBytes(Path.of(coll + ".root.der")));

        String mrtd = Hex.encode(q.body().bytes("MRTD"));
        String ok = cmd.verify(SESSION, coll.toString(), coll + ".root.der", "", "mrtd=" + mrtd + ",report_data=cafe", "",
                quote.toString());
        assertTrue(ok, ok.startsWith("ACCEPTED"));
        assertTrue(ok, ok.contains("event_log_events") && ok.contains("attached"));
        String fetched = cmd.verify(SESSION, "", "", "", "", "", quote.toString());
        assertTrue(fetched, fetched.startsWith("ACCEPTED"));

        byte[] bad = Files.readAllBytes(quote);
        bad[0x178] ^= 1; // RTMR0
        Path badFile = tmp.getRoot().toPath().resolve("bad.quote");
        Files.write(badFile, bad);
        Files.copy(Path.of(quote + ".eventlog"), Path.of(badFile + ".eventlog"));
        VARIABLES.clear();
        String rejected = cmd.verify(SESSION, coll.toString(), "", "", "", "", badFile.toString());
        assertTrue("a rejected verdict marks the session for the batch modes' exit code 2",
                String.valueOf(VARIABLES.get("teebox.rejected")).startsWith("tdx quote " + badFile));
        assertTrue(rejected, rejected.startsWith("REJECTED") && rejected.contains("FAILED quote_signature")
                && rejected.contains("FAILED event_log"));
    }

    @Test
    public void pcsCallsAndAcceptAreShown() {
        assertTrue(cmd.pcs().contains(pcs.baseUrl() + "/tdx/certification/v4/tcb?fmspc="));
        assertEquals("TDX_SUCCESS (0x0000)", cmd.accept("td1", "0x814000"));
        List<LaunchLogEntry> calls = cmd.calls("td1");
        assertEquals("TDH.MNG.CREATE", calls.get(0).command());
        assertEquals("TDG.MEM.PAGE.ACCEPT", calls.get(calls.size() - 1).command());
    }

    @Test
    public void badArgumentsAreErrorsNamingTheArgumentAndTheTdRunsOn() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.quote("zz", "", "td1")).getMessage()
                .startsWith("report data (-d) 'zz' is not hex"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.report("00".repeat(65), "td1"))
                .getMessage().contains("at most 64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.extend("x", "", "td1", "t")).getMessage()
                .startsWith("RTMR index (-i) 'x' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.extend("2", "abc", "td1", "t"))
                .getMessage().startsWith("--digest 'abc' is not hex"));
        io.teebox.api.tee.TeeException badIndex = assertThrows(io.teebox.api.tee.TeeException.class,
                () -> cmd.extend("7", "", "td1", "t"));
        assertEquals("TDX_OPERAND_INVALID", badIndex.status().name());
        String missing = tmp.getRoot().toPath().resolve("missing.quote").toString();
        assertEquals("cannot read the quote file " + missing + ": no such file",
                assertThrows(IllegalArgumentException.class, () -> cmd.verify(SESSION, "", "", "", "", "", missing))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.accept("td1", "0xZZ")).getMessage()
                .startsWith("gpa '0xZZ' is not a number"));
        assertEquals(io.teebox.api.hypervisor.GuestState.RUNNING, hv.guest("td1").state());
    }

    @Test
    public void anRtmrIndexBeyondAnIntIsRefusedNamingMinusIAndNothingIsExtended() {
        byte[] before = io.teebox.intel.tdx.abi.TdReport.parse(TdxTesting.guest(tdx, hv.guest("td1").handle()).tdReport(new byte[64]))
                .rtmr(3);
        // 4294967299 = 2^32 + 3: cut to an int it was 3 and extended RTMR3
        io.teebox.api.tee.TeeException e = assertThrows(io.teebox.api.tee.TeeException.class,
                () -> cmd.extend("4294967299", "", "td1", "t"));
        assertEquals("TDX_OPERAND_INVALID", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("RTMR index (-i) 4294967299 is not 0..3"));
        assertArrayEquals(before, io.teebox.intel.tdx.abi.TdReport.parse(TdxTesting.guest(tdx, hv.guest("td1").handle()).tdReport(new byte[64])).rtmr(3));
        // 99999999999 cut to an int named index 1215752191
        assertTrue(assertThrows(io.teebox.api.tee.TeeException.class, () -> cmd.extend("99999999999", "", "td1",
                "t")).getMessage().contains("RTMR index (-i) 99999999999 is not 0..3"));
        assertTrue(assertThrows(io.teebox.api.tee.TeeException.class, () -> cmd.extend("-1", "", "td1", "t"))
                .getMessage().contains("RTMR index (-i) -1 is not 0..3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.extend("2", "00", "td1", "t"))
                .getMessage().startsWith("--digest is 1 bytes, expected 48"));
    }

    @Test
    public void aMalformedOrHugeEventLogFileIsAVerdictOrAnErrorNamingMinusENeverAnEscapedError() throws Exception {
        cmd.extend("2", "", "td1", "kernel");
        Path quote = tmp.getRoot().toPath().resolve("td1.quote");
        cmd.quote("", quote.toString(), "td1");
        // a Spec ID event that says it is 21 bytes long: the parser read its algorithm count past the log's end
        Path cut = tmp.getRoot().toPath().resolve("cut.log");
        Files.write(cut, Hex.decode("0000000003000000000000000000000000000000000000000000000015000000"
                + "53706563204944204576656e74303300000000000002000201"));
        String v = cmd.verify(SESSION, "", "", cut.toString(), "", "", quote.toString());
        assertTrue(v, v.startsWith("REJECTED") && v.contains("FAILED event_log: "));
        byte[] log = Files.readAllBytes(Path.of(quote + ".eventlog"));
        for (long size : new long[] {0xFFFF_FFFFL, 0x7FFF_FFF0L, 0x8000_0000L}) {
            byte[] bad = log.clone();
            io.teebox.kit.codec.LittleEndian.put32(bad, 65 + 62, size); // the first event's EventSize
            Files.write(cut, bad);
            String r = cmd.verify(SESSION, "", "", cut.toString(), "", "", quote.toString());
            assertTrue(r, r.contains("FAILED event_log: the event log (-e) " + cut + ": event 0 at 0x41 says its "
                    + "data is " + size + " bytes"));
        }
        // a file larger than any event log (sparse, so nothing is written): it was read whole, OutOfMemoryError
        Path huge = tmp.getRoot().toPath().resolve("huge.log");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cmd.verify(SESSION, "", "",
                huge.toString(), "", "", quote.toString()));
        assertTrue(e.getMessage(), e.getMessage().startsWith("the event log (-e) " + huge + " is 3221225472 bytes, "
                + "more than"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.verify(SESSION, "", "", "zz", "", "",
                quote.toString())).getMessage().contains("event log (-e) zz"));
        // an -e file that is not an event log (here the text "zz") is a rejected verdict naming -e and the file
        Path zz = tmp.getRoot().toPath().resolve("zz");
        Files.writeString(zz, "zz");
        String notALog = cmd.verify(SESSION, "", "", zz.toString(), "", "", quote.toString());
        assertTrue(notALog, notALog.contains("FAILED event_log: the event log (-e) " + zz + ": event log is 2 bytes"));
    }

    @Test
    public void everyArgumentErrorNamesItsArgument() throws Exception {
        Path quote = tmp.getRoot().toPath().resolve("td1.quote");
        cmd.quote("", quote.toString(), "td1");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.report("00".repeat(65), "td1"))
                .getMessage().startsWith("report data (-d) is 65 bytes, at most 64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.verify(SESSION, "", "", "", "mrtd", "",
                quote.toString())).getMessage().contains("-x"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.verify(SESSION, "", "", "", "", "allow_debug",
                quote.toString())).getMessage().contains("-p"));
        Path notPem = tmp.getRoot().toPath().resolve("root.pem");
        Files.writeString(notPem, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.verify(SESSION, "", notPem.toString(), "", "", "",
                quote.toString())).getMessage().startsWith("root certificate (-r) " + notPem));
        Path dir = tmp.newFolder("out").toPath();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.quote("", dir.toString(), "td1"))
                .getMessage().startsWith("cannot write the quote file (-o) " + dir));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.eventlog(dir.toString(), "td1"))
                .getMessage().startsWith("cannot write the event log (-o) " + dir));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.collateral("zz", tmp.getRoot().toPath()
                .resolve("c.json").toString())).getMessage().startsWith("FMSPC (-f) 'zz'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.collateral("", dir.toString()))
                .getMessage().startsWith("cannot write the collateral file " + dir));
    }

    @Test
    public void anUnsigned64BitGpaIsARangeErrorNamingTheGpa() {
        io.teebox.api.tee.TeeException e = assertThrows(io.teebox.api.tee.TeeException.class,
                () -> cmd.accept("td1", "0xFFFFFFFFFFFFF000"));
        assertEquals("TDX_OPERAND_INVALID", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("GPA 0xFFFFFFFFFFFFF000"));
        assertTrue(e.getMessage(), e.getMessage().contains("guest physical address width"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> cmd.accept("td1", "0x1FFFFFFFFFFFFFFFF"))
                .getMessage().startsWith("gpa '0x1FFFFFFFFFFFFFFFF' is not a 64-bit number"));
        assertEquals(io.teebox.api.hypervisor.GuestState.RUNNING, hv.guest("td1").state());
    }
}
