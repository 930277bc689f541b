package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The DCAP checks, each failing with its own reason, and the TD-level validation. */
public class TdxQuoteVerifierTest {

    private IntelPcs pcs;
    private TdxBackend backend;
    private final List<IntelPcs> others = new ArrayList<>();
    private final TdxQuoteVerifier offline = new TdxQuoteVerifier();
    private byte[] mrtd;

    @Before
    public void start() {
        pcs = TdxTesting.pcs();
        backend = TdxTesting.backend(pcs);
    }

    @After
    public void stop() {
        TdxTesting.stop(pcs);
        others.forEach(TdxTesting::stop);
    }

    private IntelPcs other(String seed, List<String> revoked) {
        IntelPcs p = TdxTesting.pcs(seed, revoked);
        others.add(p);
        return p;
    }

    /** A running TD of the backend with RTMR2 extended; returns its handle. */
    private long td(TdxBackend b, long attributes) {
        LaunchSession s = TdxTesting.build(b, DefaultFirmware.image(), attributes, 1, new MapGuestMemory(1),
                Map.of());
        mrtd = s.measure().value();
        s.finish();
        TdxTesting.guest(b, s.handle()).rtmrExtend(2, Digests.sha384("kernel".getBytes(StandardCharsets.US_ASCII)), "kernel");
        return s.handle();
    }

    private static byte[] reportData() {
        byte[] d = new byte[64];
        d[0] = (byte) 0xAB;
        d[1] = (byte) 0xCD;
        return d;
    }

    private Evidence evidence(TdxBackend b, long td, byte[] quote, String collateral) {
        Map<String, byte[]> att = new LinkedHashMap<>();
        att.put(Tdx.ATTACHMENT_EVENT_LOG, TdxTesting.guest(b, td).eventLog());
        if (collateral != null) {
            att.put(Tdx.ATTACHMENT_COLLATERAL, collateral.getBytes(StandardCharsets.UTF_8));
        }
        return new Evidence(Tdx.EVIDENCE_FORMAT, quote, List.of(), att);
    }

    private VerificationOptions options(Map<String, String> refs, Map<String, String> policy) {
        return new VerificationOptions(Clock.systemUTC(), List.of(pcs.rootCaCertificate()), refs, policy);
    }

    private Appraisal verify(Evidence e) {
        return offline.verify(e, options(Map.of(), Map.of()));
    }

    private static void assertFailure(Appraisal v, String check, String text) {
        assertFalse("accepted: " + v.claims(), v.accepted());
        assertTrue(v.failures() + " has no " + check + " failure mentioning '" + text + "'", v.failures().stream()
                .anyMatch(f -> f.check().equals(check) && f.reason().contains(text)));
    }

    private Evidence good() {
        long td = td(backend, TdAttributes.SEPT_VE_DISABLE);
        return evidence(backend, td, TdxTesting.guest(backend, td).getQuote(reportData()), pcs.collateral(TdxTesting.fmspc()));
    }

    @Test
    public void acceptsTeeboxQuoteWithItsCollateralAndReferenceValues() {
        Evidence e = good();
        Map<String, String> refs = Map.of("mrtd", Hex.encode(mrtd), "report_data", "abcd",
                "rtmr0", Hex.encode(new byte[48]));
        Appraisal v = offline.verify(e, options(refs, Map.of("min_tee_tcb_svn", "0501")));
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals(Hex.encode(mrtd), v.claim("mrtd"));
        assertEquals("UpToDate", v.claim("tcb_status"));
        assertEquals("UpToDate", v.claim("qe_tcb_status"));
        assertEquals(TdxTesting.fmspc(), v.claim("fmspc"));
        assertEquals(TdxTesting.ppid(), v.claim("ppid"));
        assertEquals("1", v.claim("event_log_events"));
        assertEquals("attached", v.claim("collateral"));
    }

    @Test
    public void fetchesCollateralFromTheIntelPcsWhenNoneIsAttached() {
        long td = td(backend, TdAttributes.SEPT_VE_DISABLE);
        Evidence e = evidence(backend, td, TdxTesting.guest(backend, td).getQuote(reportData()), null);
        Appraisal v = IntelVerifiers.dcap(pcs).verify(e, options(Map.of(), Map.of()));
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals(pcs.baseUrl().toString(), v.claim("collateral"));
        assertFailure(verify(e), "collateral", "no Intel PCS");
    }

    private Evidence flipped(Evidence e, int offset) {
        byte[] q = e.report();
        q[offset] ^= 0x01;
        return new Evidence(e.format(), q, List.of(), e.attachments());
    }

    @Test
    public void flippedBitsInBodySignatureQeReportAndAuthDataEachFailWithTheirReason() {
        Evidence e = good();
        assertTrue(verify(e).accepted());
        Appraisal body = offline.verify(flipped(e, 0xB8), options(Map.of("mrtd", Hex.encode(mrtd)), Map.of()));
        assertFailure(body, "quote_signature", "header and TD quote body");
        assertFailure(body, "mrtd", "expected " + Hex.encode(mrtd));
        assertFailure(verify(flipped(e, 0x27C + 5)), "quote_signature", "attestation key");
        assertFailure(verify(flipped(e, 0x302 + 0x40)), "qe_report_signature", "PCK");
        Appraisal auth = verify(flipped(e, 0x4C4));
        assertFailure(auth, "qe_report_binding", "SHA-256(attestation key || QE auth data)");
        assertEquals(1, auth.failures().size());
    }

    @Test
    public void certificatesBesideTheQuoteMustBeTheChainItCarries() {
        // found by the TCK: a changed copy of the PCK chain beside the quote was ignored
        Evidence bare = good();
        List<byte[]> chain = new ArrayList<>();
        for (java.security.cert.X509Certificate c : io.teebox.kit.x509.X509Authority.certificatesFromPem(
                io.teebox.intel.tdx.abi.Quote.parse(bare.report()).pckChainText())) {
            try {
                chain.add(c.getEncoded());
            } catch (java.security.cert.CertificateEncodingException x) {
                throw new AssertionError(x);
            }
        }
        Evidence e = new Evidence(bare.format(), bare.report(), chain, bare.attachments());
        assertTrue("the chain itself beside the quote", verify(e).accepted());
        List<byte[]> changed = new ArrayList<>(e.certificates());
        byte[] pck = changed.get(0).clone();
        pck[pck.length / 2] ^= 1;
        changed.set(0, pck);
        assertFailure(verify(new Evidence(e.format(), e.report(), changed, e.attachments())), "pck_chain",
                "certificates given beside the quote are not the PCK chain");
        assertFailure(verify(new Evidence(e.format(), e.report(), e.certificates().subList(0, 2), e.attachments())),
                "pck_chain", "the 2 certificates given beside the quote");
    }

    @Test
    public void pckChainFromAnotherRootIsRejected() {
        TdxBackend foreign = TdxTesting.backend(other("another-intel", List.of()));
        long td = td(foreign, TdAttributes.SEPT_VE_DISABLE);
        Appraisal v = verify(evidence(foreign, td, TdxTesting.guest(foreign, td).getQuote(reportData()),
                pcs.collateral(TdxTesting.fmspc())));
        assertFailure(v, "pck_chain", "not one of the 1 trusted roots");
        Appraisal wrongRoot = offline.verify(good(), new VerificationOptions(Clock.systemUTC(),
                List.of(other("third-intel", List.of()).rootCaCertificate()), Map.of(), Map.of()));
        assertFailure(wrongRoot, "pck_chain", "trusted roots");
        assertFailure(wrongRoot, "tcb_info_chain", "trusted roots");
    }

    @Test
    public void revokedPckIsRejected() {
        Evidence e = good();
        String revoking = other(TdxTesting.INTEL_SEED, List.of(TdxTesting.ppid())).collateral(TdxTesting.fmspc());
        Appraisal v = verify(new Evidence(e.format(), e.report(), List.of(), Map.of(Tdx.ATTACHMENT_COLLATERAL,
                revoking.getBytes(StandardCharsets.UTF_8))));
        assertFailure(v, "revocation", "PCK certificate");
        assertEquals(1, v.failures().size());
    }

    @Test
    public void tcbInfoSignedByTheWrongKeyIsRejected() {
        Evidence e = good();
        JsonObject ours = JsonParser.parseString(pcs.collateral(TdxTesting.fmspc())).getAsJsonObject();
        JsonObject theirs = JsonParser.parseString(other("rogue-intel", List.of()).collateral(TdxTesting.fmspc()))
                .getAsJsonObject();
        assertEquals(ours.get("tcb_info"), theirs.get("tcb_info"));
        ours.add("tcb_info_signature", theirs.get("tcb_info_signature"));
        Appraisal v = verify(new Evidence(e.format(), e.report(), List.of(), Map.of(Tdx.ATTACHMENT_COLLATERAL,
                ours.toString().getBytes(StandardCharsets.UTF_8))));
        assertFailure(v, "tcb_info_signature", "TCB Signing key");
        JsonObject edited = JsonParser.parseString(pcs.collateral(TdxTesting.fmspc())).getAsJsonObject();
        edited.addProperty("qe_identity", edited.get("qe_identity").getAsString().replace("\"isvprodid\":2",
                "\"isvprodid\":3"));
        assertFailure(verify(new Evidence(e.format(), e.report(), List.of(), Map.of(Tdx.ATTACHMENT_COLLATERAL,
                edited.toString().getBytes(StandardCharsets.UTF_8)))), "qe_identity_signature", "qe_identity");
    }

    @Test
    public void debugTdIsRejectedUnlessThePolicyAllowsIt() {
        long td = td(backend, TdAttributes.DEBUG | TdAttributes.SEPT_VE_DISABLE);
        Evidence e = evidence(backend, td, TdxTesting.guest(backend, td).getQuote(reportData()), pcs.collateral(TdxTesting.fmspc()));
        assertFailure(verify(e), "debug", "ATTRIBUTES.DEBUG");
        assertTrue(offline.verify(e, options(Map.of(), Map.of("allow_debug", "true"))).accepted());
    }

    @Test
    public void wrongMrtdOrRtmrReferenceValuesAreRejected() {
        Evidence e = good();
        byte[] wrong = mrtd.clone();
        wrong[47] ^= 1;
        Appraisal v = offline.verify(e, options(Map.of("mrtd", Hex.encode(wrong), "rtmr2", Hex.encode(new byte[48]),
                "mrconfigid", "01", "report_data", "abce"), Map.of()));
        assertFailure(v, "mrtd", "MRTD is " + Hex.encode(mrtd));
        assertFailure(v, "rtmr2", "RTMR2 is");
        assertFailure(v, "mrconfigid", "MRCONFIGID");
        assertFailure(v, "report_data", "REPORTDATA is abcd");
        assertEquals(4, v.failures().size());
    }

    @Test
    public void anEventLogThatDoesNotReplayToTheRtmrsIsRejected() {
        Evidence e = good();
        List<EventLog.Event> events = EventLog.parse(e.attachments().get(Tdx.ATTACHMENT_EVENT_LOG));
        List<EventLog.Event> forged = List.of(new EventLog.Event(events.get(0).mrIndex(), events.get(0).eventType(),
                Digests.sha384("another kernel".getBytes(StandardCharsets.US_ASCII)), events.get(0).data()));
        Map<String, byte[]> att = new LinkedHashMap<>(e.attachments());
        att.put(Tdx.ATTACHMENT_EVENT_LOG, EventLog.encode(forged));
        assertFailure(verify(new Evidence(e.format(), e.report(), List.of(), att)), "event_log",
                "replays RTMR2");
        att.put(Tdx.ATTACHMENT_EVENT_LOG, new byte[10]);
        assertFailure(verify(new Evidence(e.format(), e.report(), List.of(), att)), "event_log", "too short");
    }

    @Test
    public void anEventWhoseDataWasChangedIsRejectedThoughTheLogStillReplays() {
        Evidence e = good();
        List<EventLog.Event> events = EventLog.parse(e.attachments().get(Tdx.ATTACHMENT_EVENT_LOG));
        EventLog.Event kernel = events.get(0);
        assertEquals(EventLog.EV_ACTION, kernel.eventType()); // td() extended SHA-384("kernel") with text "kernel"
        List<EventLog.Event> forged = List.of(new EventLog.Event(kernel.mrIndex(), kernel.eventType(), kernel.digest(),
                "kernal".getBytes(StandardCharsets.US_ASCII)));
        Map<String, byte[]> att = new LinkedHashMap<>(e.attachments());
        att.put(Tdx.ATTACHMENT_EVENT_LOG, EventLog.encode(forged));
        Appraisal v = verify(new Evidence(e.format(), e.report(), List.of(), att));
        assertFailure(v, "event_log", "the data is not what was measured");
        assertEquals(v.failures().toString(), 1, v.failures().size());
        // an extend of a digest of something else is an EV_IPL the text only describes: nothing to check
        long td = td(backend, TdAttributes.SEPT_VE_DISABLE);
        TdxTesting.guest(backend, td).rtmrExtend(3, new byte[48], "container image sha384:00..");
        List<EventLog.Event> logged = EventLog.parse(TdxTesting.guest(backend, td).eventLog());
        assertEquals(EventLog.EV_IPL, logged.get(1).eventType());
        assertTrue(verify(evidence(backend, td, TdxTesting.guest(backend, td).getQuote(reportData()), pcs.collateral(TdxTesting.fmspc())))
                .accepted());
    }

    @Test
    public void outOfDatePlatformTcbIsRejectedUnlessAllowed() {
        TdxBackend old = TdxTesting.backendWithTcb(pcs, "03010200000000000000000000000000");
        long td = td(old, TdAttributes.SEPT_VE_DISABLE);
        Evidence e = evidence(old, td, TdxTesting.guest(old, td).getQuote(reportData()), pcs.collateral(TdxTesting.fmspc()));
        Appraisal v = verify(e);
        assertFailure(v, "tcb_status", "OutOfDate");
        assertTrue(v.claim("advisory_ids").contains("INTEL-SA-01036"));
        Appraisal allowed = offline.verify(e, options(Map.of(), Map.of("allowed_tcb_status", "UpToDate, OutOfDate")));
        assertTrue(allowed.failures().toString(), allowed.accepted());
        assertFailure(offline.verify(e, options(Map.of(), Map.of("allowed_tcb_status", "OutOfDate",
                "min_tee_tcb_svn", "05"))), "min_tee_tcb_svn", "below the minimum 5");
    }

    @Test
    public void expiredCollateralAndCertificatesAreRejected() {
        Evidence e = good();
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(40));
        Appraisal v = offline.verify(e, new VerificationOptions(later, List.of(pcs.rootCaCertificate()), Map.of(),
                Map.of()));
        assertFailure(v, "tcb_info", "not at");
        assertFailure(v, "qe_identity", "not at");
        assertFailure(v, "crl", "not at");
        Clock farFuture = Clock.offset(Clock.systemUTC(), Duration.ofDays(365L * 30));
        assertFailure(offline.verify(e, new VerificationOptions(farFuture, List.of(pcs.rootCaCertificate()),
                Map.of(), Map.of())), "pck_chain", "is valid");
    }

    @Test
    public void malformedEvidenceAndOptionsAreFailuresNotExceptions() {
        Evidence e = good();
        byte[] cut = java.util.Arrays.copyOf(e.report(), 0x300);
        assertFailure(verify(new Evidence(Tdx.EVIDENCE_FORMAT, cut, List.of(), Map.of())), "format", "quote is");
        assertFailure(verify(new Evidence("sev-snp-report", e.report(), List.of(), Map.of())), "format",
                "sev-snp-report");
        assertFailure(offline.verify(e, new VerificationOptions(Clock.systemUTC(), List.of(), Map.of(), Map.of())),
                "trusted_roots", "no trusted");
        assertFailure(offline.verify(e, options(Map.of("measurement", "00"), Map.of("allow_dbg", "true"))),
                "options", "unknown");
        Map<String, byte[]> att = new LinkedHashMap<>(e.attachments());
        att.put(Tdx.ATTACHMENT_COLLATERAL, "{\"pck_crl\":\"00\"}".getBytes(StandardCharsets.UTF_8));
        assertFailure(verify(new Evidence(e.format(), e.report(), List.of(), att)), "collateral",
                "no field 'pck_crl_issuer_chain'");
    }

    /** The verdict on the good evidence with one signed collateral document edited (and re-signed). */
    private Appraisal withSigned(String member, java.util.function.UnaryOperator<JsonObject> edit) {
        Evidence e = good();
        String collateral = pcs.collateral(TdxTesting.fmspc());
        JsonObject doc = JsonParser.parseString(JsonParser.parseString(collateral).getAsJsonObject().get(member)
                .getAsString()).getAsJsonObject();
        String edited = TdxTesting.resigned(pcs, collateral, member, edit.apply(doc).toString());
        Map<String, byte[]> att = new LinkedHashMap<>(e.attachments());
        att.put(Tdx.ATTACHMENT_COLLATERAL, edited.getBytes(StandardCharsets.UTF_8));
        return verify(new Evidence(e.format(), e.report(), List.of(), att));
    }

    private static JsonObject firstLevel(JsonObject tcbInfo) {
        return tcbInfo.getAsJsonArray("tcbLevels").get(0).getAsJsonObject().getAsJsonObject("tcb");
    }

    @Test
    public void signedCollateralOfTheWrongShapeIsAFailureNamingTheFieldNeverAnEscapedException() {
        assertTrue(withSigned("tcb_info", o -> o).failures().toString(), withSigned("tcb_info", o -> o).accepted());
        assertFailure(withSigned("tcb_info", o -> {
            o.addProperty("version", "3");
            return o;
        }), "tcb_info", "tcb_info.version is the string \"3\", expected an integer");
        assertFailure(withSigned("tcb_info", o -> {
            o.add("tcbLevels", new JsonObject());
            return o;
        }), "tcb_info", "tcb_info.tcbLevels is an object, expected an array");
        assertFailure(withSigned("tcb_info", o -> {
            firstLevel(o).remove("pcesvn");
            return o;
        }), "tcb_info", "tcb_info.tcbLevels[0].tcb.pcesvn is missing");
        assertFailure(withSigned("tcb_info", o -> {
            firstLevel(o).getAsJsonArray("sgxtcbcomponents").remove(0);
            return o;
        }), "tcb_info", "tcb_info.tcbLevels[0].tcb.sgxtcbcomponents has 15 entries, expected 16");
        assertFailure(withSigned("tcb_info", o -> {
            firstLevel(o).getAsJsonArray("sgxtcbcomponents").get(0).getAsJsonObject().addProperty("svn", 300);
            return o;
        }), "tcb_info", "sgxtcbcomponents[0].svn is 300, expected 0..255");
        assertFailure(withSigned("tcb_info", o -> {
            o.getAsJsonArray("tdxModuleIdentities").get(0).getAsJsonObject().addProperty("mrsigner", "00");
            return o;
        }), "tcb_info", "tcb_info.tdxModuleIdentities[TDX_01].mrsigner is 1 bytes, expected 48");
        assertFailure(withSigned("tcb_info", o -> {
            o.addProperty("nextUpdate", "tomorrow");
            return o;
        }), "tcb_info", "tcb_info.nextUpdate 'tomorrow' is not an ISO-8601 instant");
        assertFailure(withSigned("qe_identity", o -> {
            o.addProperty("attributesMask", "FBFF");
            return o;
        }), "qe_identity", "qe_identity.attributesMask is 2 bytes, expected 16");
        assertFailure(withSigned("qe_identity", o -> {
            o.remove("isvprodid");
            return o;
        }), "qe_identity", "qe_identity.isvprodid is missing");
        assertFailure(withSigned("qe_identity", o -> {
            o.add("tcbLevels", new com.google.gson.JsonPrimitive(1));
            return o;
        }), "qe_identity", "qe_identity.tcbLevels is the number 1, expected an array");
    }

    @Test
    public void aPcsAnsweringGarbageIsACollateralFailureNotAnEscapedException() throws Exception {
        com.sun.net.httpserver.HttpServer fake = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", x -> {
            byte[] body = (x.getRequestURI().getPath().endsWith("/tcb") ? "{\"tcbInfo\":" : "<html>")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("TCB-Info-Issuer-Chain", "x");
            x.getResponseHeaders().add("SGX-PCK-CRL-Issuer-Chain", "x");
            x.getResponseHeaders().add("SGX-Enclave-Identity-Issuer-Chain", "x");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        fake.start();
        try {
            java.net.URI base = java.net.URI.create("http://127.0.0.1:" + fake.getAddress().getPort());
            io.teebox.spi.collateral.CollateralSource garbage = IntelVerifiers.httpSource(base.toString(), 5000);
            long td = td(backend, TdAttributes.SEPT_VE_DISABLE);
            Appraisal v = IntelVerifiers.dcap(garbage).verify(evidence(backend, td, TdxTesting.guest(backend, td).getQuote(reportData()),
                    null), options(Map.of(), Map.of()));
            assertFailure(v, "collateral", "is not JSON");
        } finally {
            fake.stop(0);
        }
    }

    @Test
    public void aQuoteTheParserRefusesIsExactlyOneFormatFailureCarryingTheParsersMessage() {
        Evidence e = good();
        byte[] cut = java.util.Arrays.copyOf(e.report(), 0x300);
        String why = org.junit.Assert.assertThrows(io.teebox.kit.codec.MalformedStructureException.class,
                () -> io.teebox.intel.tdx.abi.Quote.parse(cut)).getMessage();
        Appraisal v = verify(new Evidence(Tdx.EVIDENCE_FORMAT, cut, List.of(), e.attachments()));
        assertEquals(List.of(new io.teebox.api.appraisal.Check("format", why)), v.failures());
    }

    @Test
    public void anAllowDebugValueOtherThanTrueOrFalseIsAnOptionsFailure() {
        long td = td(backend, TdAttributes.DEBUG | TdAttributes.SEPT_VE_DISABLE);
        Evidence e = evidence(backend, td, TdxTesting.guest(backend, td).getQuote(reportData()), pcs.collateral(TdxTesting.fmspc()));
        Appraisal yes = offline.verify(e, options(Map.of(), Map.of("allow_debug", "yes")));
        assertFailure(yes, "options", "allow_debug is 'yes'");
        assertTrue(offline.verify(e, options(Map.of(), Map.of("allow_debug", " TRUE "))).accepted());
        Appraisal no = offline.verify(e, options(Map.of(), Map.of("allow_debug", "false")));
        assertEquals(List.of("debug"), no.failures().stream().map(io.teebox.api.appraisal.Check::check).toList());
    }

    @Test
    public void aQeIdentityAdvisoryThatIsNotAStringIsAFailureNamingItNotAnException() {
        Appraisal v = withSigned("qe_identity", o -> {
            JsonObject level = o.getAsJsonArray("tcbLevels").get(0).getAsJsonObject();
            com.google.gson.JsonArray a = new com.google.gson.JsonArray();
            a.add(new JsonObject());
            level.add("advisoryIDs", a);
            return o;
        });
        assertFailure(v, "qe_identity", "qe_identity.tcbLevels[0].advisoryIDs[0] is an object, expected a string");
    }

    @Test
    public void collateralByteArraysTakeOnlyIntegersFrom0To255() {
        Evidence e = good();
        for (String bad : List.of("[48, 2.5]", "[1e9999]", "[-1]", "[256]", "[\"48\"]", "[true]", "[[1]]")) {
            JsonObject c = JsonParser.parseString(pcs.collateral(TdxTesting.fmspc())).getAsJsonObject();
            c.add("pck_crl", JsonParser.parseString(bad));
            Appraisal v = verify(new Evidence(e.format(), e.report(), List.of(), Map.of(Tdx.ATTACHMENT_COLLATERAL,
                    c.toString().getBytes(StandardCharsets.UTF_8))));
            assertFailure(v, "collateral", "collateral field 'pck_crl'");
        }
    }

    @Test
    public void textsOfTheCollateralAreShownOnOneLineInFailures() {
        Appraisal qe = withSigned("qe_identity", o -> {
            o.addProperty("id", "TD_QE\nforged");
            return o;
        });
        assertFailure(qe, "qe_identity", "QE identity is 'TD_QE\\nforged' version 2");
        Appraisal tcb = withSigned("tcb_info", o -> {
            o.addProperty("fmspc", "00806f050000\r\n");
            o.addProperty("nextUpdate", "2099-01-01\nT00:00:00Z");
            return o;
        });
        assertFailure(tcb, "tcb_info", "tcb_info.nextUpdate '2099-01-01\\nT00:00:00Z' is not an ISO-8601 instant");
        Appraisal status = withSigned("tcb_info", o -> {
            o.addProperty("fmspc", "00806f050000\r\n");
            o.getAsJsonArray("tcbLevels").get(0).getAsJsonObject().addProperty("tcbStatus", "UpToDate\u0085\u2028x");
            return o;
        });
        assertFailure(status, "fmspc", "TCB info is for FMSPC 00806f050000\\r\\n, the PCK certificate's is");
        assertFailure(status, "tcb_status", "TCB status is UpToDate\\u0085\\u2028x");
        Appraisal option = offline.verify(good(), options(Map.of("mrtd\r\nforged", "00"), Map.of("allow_debug",
                "yes\n")));
        assertFailure(option, "options", "unknown reference value 'mrtd\\r\\nforged'");
        assertFailure(option, "options", "policy allow_debug is 'yes\\n'");
        for (Appraisal v : List.of(qe, tcb, status, option)) {
            v.failures().forEach(f -> assertTrue(f.toString(), f.reason().chars().noneMatch(c -> c < 0x20
                    || c >= 0x7F && c <= 0x9F || c == 0x2028 || c == 0x2029)));
        }
    }

    @Test
    public void anEventOfMrtdWhoseDataWasChangedIsNamedAsMrtdNotRtmrMinusOne() {
        Evidence e = good();
        List<EventLog.Event> events = new ArrayList<>(EventLog.parse(e.attachments().get(Tdx.ATTACHMENT_EVENT_LOG)));
        events.add(0, new EventLog.Event(0, EventLog.EV_SEPARATOR, Digests.sha384(new byte[4]), new byte[] {1}));
        Map<String, byte[]> att = new LinkedHashMap<>(e.attachments());
        att.put(Tdx.ATTACHMENT_EVENT_LOG, EventLog.encode(events));
        Appraisal v = verify(new Evidence(e.format(), e.report(), List.of(), att));
        assertFailure(v, "event_log", "event 0 (MRTD, type 0x4) carries digest");
        assertEquals(v.failures().toString(), 1, v.failures().size());
    }
}
