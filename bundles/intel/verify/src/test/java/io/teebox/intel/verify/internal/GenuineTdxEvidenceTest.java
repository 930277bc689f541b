package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.intel.tdx.abi.QuoteV5;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.Test;

/**
 * Genuine TDX evidence from go-tdx-guest's test data (see {@code vectors/intel-tdx/README.md}) parses, round-trips
 * and verifies with Intel's root and the genuine collateral; where a sample fails, it fails for its genuine reason
 * and the failure names it.
 */
public class GenuineTdxEvidenceTest {

    private static final String DIR = "/vectors/intel-tdx/";
    private static final Instant GO_TDX_GUEST_NOW = Instant.parse("2023-07-01T01:00:00Z");
    private static final Instant V5_NOW = Instant.parse("2026-02-03T00:00:00Z");
    private final TdxQuoteVerifier verifier = new TdxQuoteVerifier();

    static byte[] vector(String name) {
        try (InputStream in = GenuineTdxEvidenceTest.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("no test vector " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(vector(name), StandardCharsets.UTF_8);
    }

    static byte[] intelRoot() {
        return X509Authority.toDer(X509Authority.certificatesFromPem(text("trusted_root.pem")).get(0));
    }

    /** DCAP-QVL-style collateral JSON assembled from the genuine PCS responses, CRLs and issuer chains. */
    static String collateral(String tcbInfoFile, String pckChainFile) {
        String tcb = text(tcbInfoFile);
        String qe = text("sample_qeIdentity_response");
        String signing = text("tcb_signing_chain_from_test_cases.pem");
        List<X509Certificate> pck = X509Authority.certificatesFromPem(text(pckChainFile));
        JsonObject c = new JsonObject();
        c.addProperty("pck_crl_issuer_chain", X509Authority.toPem(pck.get(1), pck.get(2)));
        c.addProperty("root_ca_crl", Hex.encode(vector("rootcrl.der")));
        c.addProperty("pck_crl", Hex.encode(vector("pckcrl")));
        c.addProperty("tcb_info_issuer_chain", signing);
        c.addProperty("tcb_info", Collateral.rawMember(tcb, "tcbInfo"));
        c.addProperty("tcb_info_signature", JsonParser.parseString(tcb).getAsJsonObject().get("signature")
                .getAsString());
        c.addProperty("qe_identity_issuer_chain", signing);
        c.addProperty("qe_identity", Collateral.rawMember(qe, "enclaveIdentity"));
        c.addProperty("qe_identity_signature", JsonParser.parseString(qe).getAsJsonObject().get("signature")
                .getAsString());
        return c.toString();
    }

    private Appraisal verify(byte[] quote, Map<String, byte[]> attachments, Instant now) {
        return verifier.verify(new Evidence(Tdx.EVIDENCE_FORMAT, quote, List.of(), attachments),
                new VerificationOptions(Clock.fixed(now, ZoneOffset.UTC), List.of(intelRoot()), Map.of(), Map.of()));
    }

    private static Map<String, byte[]> attach(String collateral) {
        return Map.of(Tdx.ATTACHMENT_COLLATERAL, collateral.getBytes(StandardCharsets.UTF_8));
    }

    private static String checks(Appraisal v) {
        return v.failures().stream().map(io.teebox.api.appraisal.Check::check).collect(Collectors.joining(","));
    }

    @Test
    public void sprE4QuoteV4ParsesRoundTripsAndKeepsItsTrailingBytesOut() {
        byte[] raw = vector("tdx_prod_quote_SPR_E4.dat");
        Quote q = Quote.parse(raw);
        assertTrue(q instanceof QuoteV4);
        assertEquals(4, q.version());
        assertEquals(Quote.BODY_TYPE_TDX10, q.bodyType());
        byte[] again = q.toBytes();
        assertEquals(4935, again.length);
        assertArrayEquals(Arrays.copyOf(raw, 4935), again);
        assertEquals("\nextra bytes(only for testing purpose)\n", new String(raw, 4935, raw.length - 4935,
                StandardCharsets.US_ASCII));
        assertEquals(q, QuoteV4.parse(again));
        assertEquals("03000400000000000000000000000000", Hex.encode(q.body().bytes("TEE_TCB_SVN")));
        assertEquals("6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb",
                Hex.encode(q.body().bytes("MRTD")));
        assertEquals("2fd279c16164a93dd5bf373d834328d46008c2b693af9ebb865b08b2ced320c9a89b4869a9fab60fbe9d0c5a5363c656",
                Hex.encode(q.body().bytes("MRSEAM")));
        assertEquals(0x40000000L, q.body().u64("TDATTRIBUTES"));
        assertEquals("e71a060000000000", Hex.encode(Arrays.copyOfRange(q.body().toBytes(), 0x80, 0x88)));
        assertTrue(Hex.encode(q.body().bytes("REPORTDATA")).startsWith("6c62dec1"));
        byte[] auth = new byte[32];
        for (int i = 0; i < 32; i++) {
            auth[i] = (byte) i;
        }
        assertArrayEquals(auth, q.qeAuthData());
        assertTrue(Hex.encode(q.qeReport().bytes("MRSIGNER")).startsWith("dc9e2a7c"));
        assertEquals(2, q.qeReport().u16("ISVPRODID"));
        assertEquals(4, q.qeReport().u16("ISVSVN"));
        assertArrayEquals(vector("pck_chain_from_tdx_prod_quote_SPR_E4.pem"), q.pckChainPem());
    }

    @Test
    public void quoteV5WithATdx15BodyParsesAndRoundTrips() {
        byte[] raw = vector("quote_v5_sample.dat");
        Quote q = Quote.parse(raw);
        assertTrue(q instanceof QuoteV5);
        assertEquals(5, q.version());
        assertEquals(Quote.BODY_TYPE_TDX15, q.bodyType());
        assertEquals(648, q.body().toBytes().length);
        assertEquals(702, q.signedBytes().length);
        assertArrayEquals(Arrays.copyOf(raw, 702), q.signedBytes());
        assertArrayEquals(raw, q.toBytes());
        assertEquals(q, QuoteV5.parse(q.toBytes()));
        assertEquals("0b010400000000000000000000000000", Hex.encode(q.body().bytes("TEE_TCB_SVN")));
        assertEquals("0d010400000000000000000000000000", Hex.encode(q.body().bytes("TEE_TCB_SVN2")));
        assertEquals(0x10000000L, q.body().u64("TDATTRIBUTES"));
        assertEquals("7348651a34b2d2d3462822e3a750ec6110125f36757c78480bbfc69cc0d21fb001a1ced3ee19747dda8f750c3bc8f876",
                Hex.encode(q.body().bytes("MRTD")));
        assertEquals(7, q.qeReport().u16("ISVSVN"));
        byte[] pem = vector("pck_chain_from_quote_v5_sample.pem");
        byte[] withNul = Arrays.copyOf(pem, pem.length + 1);
        assertArrayEquals(withNul, q.pckChainPem());
    }

    @Test
    public void sprE4VerifiesAtTheGoTdxGuestInstantAndFailsOnlyForItsGenuineTcbLevel() {
        byte[] raw = vector("tdx_prod_quote_SPR_E4.dat");
        Appraisal v = verify(raw, attach(collateral("sample_tcbInfo_response",
                "pck_chain_from_tdx_prod_quote_SPR_E4.pem")), GO_TDX_GUEST_NOW);
        // chain, CRLs, both collateral signatures and chains, QE report signature and binding, quote signature and
        // QE identity all hold; what does not is genuine: TEE_TCB_SVN 03.00.04 and the PCK's CPUSVN components
        // 3,3,2,2,2,1,0,2 are below both TCB levels of this tcbInfo (5,5,2,2,3,1,0,3 / TDX 3,0,5), as go-tdx-guest's
        // own test says when it zeroes the levels before its TCB check, and dcap-qvl answers "No matching TCB level".
        assertEquals(v.failures().toString(), "tcb_status", checks(v));
        assertTrue(v.failures().get(0).reason(), v.failures().get(0).reason().startsWith("no TCB level of FMSPC "
                + "50806f000000 matches CPUSVN components [3, 3, 2, 2, 2, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0], PCE SVN 11 "
                + "and TEE_TCB_SVN 03000400000000000000000000000000"));
        assertEquals("50806f000000", v.claim("fmspc"));
        assertEquals("UpToDate", v.claim("qe_tcb_status"));
        assertEquals("39", v.claim("trailing_bytes"));
        assertEquals("4", v.claim("version"));

        byte[] flipped = raw.clone();
        flipped[QuoteV4.BODY_OFFSET + 0x88] ^= 1; // MRTD
        Appraisal tampered = verify(flipped, attach(collateral("sample_tcbInfo_response",
                "pck_chain_from_tdx_prod_quote_SPR_E4.pem")), GO_TDX_GUEST_NOW);
        assertEquals("quote_signature,tcb_status", checks(tampered));
        Appraisal crlExpired = verify(raw, attach(collateral("sample_tcbInfo_response",
                "pck_chain_from_tdx_prod_quote_SPR_E4.pem")), Instant.parse("2023-07-09T00:00:00Z"));
        assertTrue(crlExpired.failures().toString(), crlExpired.failures().stream().anyMatch(f -> f.check()
                .equals("crl") && f.reason().contains("Intel SGX PCK Platform CA") && f.reason().contains("not at")));
    }

    @Test
    public void quoteV5VerifiesItsSignaturesChainAndBindingAtItsInstant() {
        byte[] raw = vector("quote_v5_sample.dat");
        Appraisal v = verify(raw, Map.of(), V5_NOW);
        // no collateral and no PCS: the one failure names that; the quote itself verifies
        assertEquals(v.failures().toString(), "collateral", checks(v));
        assertEquals("5", v.claim("version"));
        assertEquals("3 (TDX 1.5)", v.claim("body_type"));
        assertEquals("0d010400000000000000000000000000", v.claim("tee_tcb_svn2"));
        assertEquals("90c06f000000", v.claim("fmspc"));
        byte[] flipped = raw.clone();
        flipped[QuoteV5.BODY_OFFSET + 0x248] ^= 1; // TEE_TCB_SVN2: signed like the rest of the body
        assertEquals("quote_signature,collateral", checks(verify(flipped, Map.of(), V5_NOW)));
        byte[] qeReport = raw.clone();
        qeReport[702 + 4 + 0x86 + 0x100] ^= 1; // QE report ISVPRODID
        assertEquals("qe_report_signature,collateral", checks(verify(qeReport, Map.of(), V5_NOW)));
        // the chain ends in the NUL DCAP's QE writes; anything else after the PEM certificates is refused
        byte[] nul = raw.clone();
        assertEquals(0, nul[raw.length - 1]);
        nul[raw.length - 1] = '1';
        Appraisal trailer = verify(nul, Map.of(), V5_NOW);
        assertEquals("pck_chain,collateral", checks(trailer));
        assertTrue(trailer.failures().get(0).reason().contains("other than a terminating NUL"));
    }

    @Test
    public void quoteV5CollateralCannotBeValidWithTheQuoteAndTheVerifierSaysWhy() {
        byte[] raw = vector("quote_v5_sample.dat");
        String c = collateral("sample_tcbinfo_response_v5", "pck_chain_from_quote_v5_sample.pem");
        Appraisal v = verify(raw, attach(c), V5_NOW);
        assertFalse(v.accepted());
        // the Intel SGX TCB Signing certificate of go-tdx-guest's issuer chain expired on 2025-05-21
        assertTrue(v.failures().toString(), v.failures().stream().anyMatch(f -> f.check().equals("tcb_info_chain")
                && f.reason().contains("'Intel SGX TCB Signing' is valid 2018-05-21T10:50:10Z .. 2025-05-21T10:50:10Z,"
                        + " not at 2026-02-03T00:00:00Z")));
        assertTrue(v.failures().stream().anyMatch(f -> f.check().equals("qe_identity_chain")));
        assertTrue(v.failures().stream().anyMatch(f -> f.check().equals("crl")));
        assertFalse(v.failures().toString(), v.failures().stream().anyMatch(f -> List.of("quote_signature",
                "qe_report_signature", "qe_report_binding", "pck_chain", "format").contains(f.check())));
        // before that date the PCK leaf (from 2026-01-27) is not yet valid
        Appraisal early = verify(raw, attach(c), Instant.parse("2025-05-01T00:00:00Z"));
        assertTrue(early.failures().toString(), early.failures().stream().anyMatch(f -> f.check().equals(
                "pck_chain") && f.reason().contains("'Intel SGX PCK Certificate' is valid 2026-01-27")));
        assertTrue(early.failures().stream().anyMatch(f -> f.check().equals("tcb_info") && f.reason().contains(
                "is valid 2026-02-01T14:49:26Z")));
    }

    @Test
    public void quoteV5TcbInfoIsGenuinelySignedAndGivesTheTcbStatusItsSignerCertificateCannotVouchFor() {
        String tcbResponse = text("sample_tcbinfo_response_v5");
        String tcbInfo = Collateral.rawMember(tcbResponse, "tcbInfo");
        byte[] sig = Hex.decode(JsonParser.parseString(tcbResponse).getAsJsonObject().get("signature").getAsString());
        X509Certificate signer = X509Authority.certificatesFromPem(text("tcb_signing_chain_from_test_cases.pem"))
                .get(0);
        assertTrue(Signatures.ecdsaVerify(signer.getPublicKey(), "SHA-256", tcbInfo.getBytes(StandardCharsets.UTF_8),
                Signatures.fromRaw(sig)[0], Signatures.fromRaw(sig)[1]));
        Quote q = Quote.parse(vector("quote_v5_sample.dat"));
        PckExtensions pck = PckExtensions.of(X509Authority.certificatesFromPem(q.pckChainText()).get(0));
        TcbEvaluation.Result r = new TcbEvaluation(Json.parseObject(tcbInfo, "tcb_info"), pck,
                q.body().bytes("TEE_TCB_SVN"), q.body().bytes("TEE_TCB_SVN2"), q.body().bytes("MRSIGNERSEAM"),
                q.body().u64("SEAMATTRIBUTES")).evaluate("UpToDate");
        assertEquals(r.failures().toString(), List.of(), r.failures());
        assertEquals("UpToDate", r.status());
        assertEquals("2024-11-13T00:00:00Z", r.tcbDate());
    }

    @Test
    public void cos113QuoteParsesAndItsCcelEventLogReplaysToItsRtmrs() {
        byte[] raw = vector("ccel/cos-113-tdx-quote.dat");
        Quote q = Quote.parse(raw);
        assertEquals(4935, q.toBytes().length);
        assertTrue(Arrays.equals(new byte[raw.length - 4935], Arrays.copyOfRange(raw, 4935, raw.length)));
        assertArrayEquals(vector("ccel/nonce.dat"), q.body().bytes("REPORTDATA"));
        assertArrayEquals(vector("ccel/pck_chain_from_cos-113-tdx-quote.pem"), q.pckChainPem());
        byte[] log = vector("ccel/ccel_data.dat");
        List<EventLog.Event> events = EventLog.parse(log);
        assertEquals(43, events.size());
        byte[][] rtmr = EventLog.replay(events);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals("RTMR" + i, q.body().bytes("RTMR" + i), rtmr[i]);
        }
        assertTrue(Hex.encode(q.body().bytes("RTMR0")).startsWith("3fa2f61f"));

        Map<String, byte[]> att = new LinkedHashMap<>();
        att.put(Tdx.ATTACHMENT_EVENT_LOG, log);
        Appraisal v = verify(raw, att, Instant.parse("2025-01-01T00:00:00Z"));
        assertEquals(v.failures().toString(), "collateral", checks(v));
        assertEquals("43", v.claim("event_log_events"));
        assertEquals("00806f050000", v.claim("fmspc"));
        assertEquals("3065", v.claim("trailing_bytes"));
    }

    @Test
    public void aGenuineEventWithItsDataChangedIsRejectedNamingTheEvent() {
        byte[] raw = vector("ccel/cos-113-tdx-quote.dat");
        byte[] log = vector("ccel/ccel_data.dat");
        List<EventLog.Event> events = EventLog.parse(log);
        List<EventLog.Event> edited = new java.util.ArrayList<>(events);
        EventLog.Event cmdline = events.get(40);
        byte[] data = cmdline.text().replace("console=ttyS0", "console=ttyS1").getBytes(StandardCharsets.ISO_8859_1);
        assertFalse(Arrays.equals(data, cmdline.data()));
        edited.set(40, new EventLog.Event(cmdline.mrIndex(), cmdline.eventType(), cmdline.digest(), data));
        Appraisal v = verify(raw, Map.of(Tdx.ATTACHMENT_EVENT_LOG, EventLog.encode(edited)),
                Instant.parse("2025-01-01T00:00:00Z"));
        assertEquals(v.failures().toString(), "collateral,event_log", checks(v));
        assertTrue(v.failures().get(1).reason(), v.failures().get(1).reason().startsWith("event 40 (RTMR2, type 0xD)"));
    }

    @Test
    public void genuinePckCertificatesCarryTheSgxExtensionGoTdxGuestReads() {
        PckExtensions e = PckExtensions.of(X509Authority.certificatesFromPem(text(
                "pck_chain_from_tdx_prod_quote_SPR_E4.pem")).get(0));
        // go-tdx-guest verify_test.go TestPckCertificateExtensions
        assertEquals("089ddfdb9c0359c82a3bc7719239574e", Hex.encode(e.ppid()));
        assertEquals("50806f000000", Hex.encode(e.fmspc()));
        assertEquals("0000", Hex.encode(e.pceId()));
        assertEquals(1, e.sgxType()); // scalable
        assertEquals(11, e.pceSvn());
        assertEquals("03030202020100020000000000000000", Hex.encode(e.cpuSvn()));
        assertArrayEquals(new int[] {3, 3, 2, 2, 2, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}, e.tcbComponents());
        assertEquals("90c06f000000", Hex.encode(PckExtensions.of(X509Authority.certificatesFromPem(text(
                "pck_chain_from_quote_v5_sample.pem")).get(0)).fmspc()));
        assertEquals("00806f050000", Hex.encode(PckExtensions.of(X509Authority.certificatesFromPem(text(
                "ccel/pck_chain_from_cos-113-tdx-quote.pem")).get(0)).fmspc()));
    }
}
