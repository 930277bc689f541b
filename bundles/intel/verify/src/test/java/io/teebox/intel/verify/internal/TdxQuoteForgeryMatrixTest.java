package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The forgery matrix of a TD quote. A teebox Quote v4 and a Quote v5 (TDX 1.5 body), each signed once, are accepted
 * with the fixture's collateral, event log and root at the fixture's instant. Then:
 * <ul>
 * <li>every bit of what the attestation key signs (v4: header and body, 632 bytes; v5: header, body descriptor and
 * TDX 1.5 body, 702 bytes), of the quote signature and attestation key (both versions), the QE report and its
 * signature, the QE authentication data and the lengths and certification-data headers, flipped one at a time. A
 * flip the parser refuses must be exactly one {@code format} failure whose reason is the parser's message (the
 * verifier stops there); every other flip must fail its own check: {@code quote_signature} for the signed region,
 * the signature and the key; {@code qe_report_signature} for the QE report and its signature;
 * {@code qe_report_binding} and nothing else for the authentication data. About 16,000 appraisals on two threads:
 * one appraisal verifies two ECDSA signatures in Bouncy Castle's Java code, 1-2 ms on the shared 2-core machine, so
 * the sweeps run without collateral (each appraisal also carries the one failure {@code collateral}, asserted for
 * the unchanged quotes): the quote, QE report and binding checks do not depend on it, and its two signatures would
 * triple the time. The sweeps that expect {@code quote_signature} also drop the PCK chain, which lies outside the
 * signed bytes: what the attestation key signs is byte for byte the accepted quote's, and the chain and the QE
 * report signature, the same for every flip, are not verified 12,000 times (the unchanged chainless quotes fail
 * exactly {@code pck_chain} and {@code collateral}, asserted). The PCK chain text is sampled (every 13th byte, a
 * rotating bit): a flip is rejected or leaves the certificates as they were;</li>
 * <li>an attacker's attestation key (caught by the binding alone), a QE report re-bound to it (caught by the QE
 * report signature alone), another platform's PCK chain, a chain mixing another root's CA, a Platform CA that is not
 * a CA;</li>
 * <li>replayed report data; a downgraded QE, a downgraded TDX module and a revoked platform TCB;</li>
 * <li>at an injected instant: every certificate not yet valid, and, with a hierarchy built in the test
 * ({@link IntelHierarchy}), the PCK leaf, the Platform CA and the TCB Signing certificate each expired or not yet
 * valid alone, the PCK CRL and root CRL out of date alone, and TCB info and QE identity (re-signed with the PCS's
 * key) expired or not yet valid alone.</li>
 * </ul>
 * {@link TdxQuoteVerifierTest} already has a foreign platform's chain under its own root, the wrong root trusted, a
 * revoked PCK, TCB info signed by the wrong key, a debug TD with and without {@code allow_debug}, an OutOfDate
 * platform and {@code min_tee_tcb_svn}, and expiry 40 days and 30 years later; they are not repeated here.
 */
public class TdxQuoteForgeryMatrixTest {

    private static final TdxQuoteVerifier VERIFIER = new TdxQuoteVerifier();
    private static TdxFixture fixture;
    private static byte[] v4;
    private static byte[] v5;
    private static String collateral;
    private static byte[] log;
    private static VerificationOptions options;

    @BeforeClass
    public static void signOnce() {
        fixture = new TdxFixture();
        v4 = fixture.quoteV4();
        v5 = fixture.quoteV5(Quote.BODY_TYPE_TDX15);
        collateral = fixture.collateral();
        log = fixture.eventLog();
        options = fixture.options(Map.of(), Map.of());
    }

    private static Appraisal verify(byte[] quote) {
        return VERIFIER.verify(TdxFixture.evidence(quote, collateral, log), options);
    }

    private static Appraisal verify(byte[] quote, String collateral, VerificationOptions o) {
        return VERIFIER.verify(TdxFixture.evidence(quote, collateral, null), o);
    }

    /** @return the quote with an empty PCK chain (certification data type 5 of size 0) */
    private static byte[] chainless(byte[] quote) {
        Quote q = Quote.parse(quote);
        if (q instanceof QuoteV4 a) {
            return new QuoteV4(a.header(), a.body(), a.signature(), a.attestationKey(), a.qeReport(),
                    a.qeReportSignature(), a.qeAuthData(), new byte[0]).toBytes();
        }
        io.teebox.intel.tdx.abi.QuoteV5 b = (io.teebox.intel.tdx.abi.QuoteV5) q;
        return new io.teebox.intel.tdx.abi.QuoteV5(b.header(), b.bodyType(), b.body(), b.signature(),
                b.attestationKey(), b.qeReport(), b.qeReportSignature(), b.qeAuthData(), new byte[0]).toBytes();
    }

    private static Appraisal verifyWithoutCollateral(byte[] quote) {
        return VERIFIER.verify(TdxFixture.evidence(quote, null, null), options);
    }

    private static VerificationOptions at(Instant when, byte[] root) {
        return new VerificationOptions(Clock.fixed(when, ZoneOffset.UTC), List.of(root), Map.of(), Map.of());
    }

    private static List<String> checks(Appraisal v) {
        return v.failures().stream().map(Check::check).toList();
    }

    private static void assertOnly(Appraisal v, String check, String text) {
        assertFalse("accepted: " + v.claims(), v.accepted());
        assertEquals(v.failures().toString(), List.of(check), checks(v));
        assertTrue(v.failures().toString(), v.failures().get(0).reason().contains(text));
    }

    /** Where the parts of a quote's signature data are. */
    record Offsets(int signed, int signature, int key, int certHeader, int qeReport, int qeSignature, int authSize,
            int auth, int inner, int pem) {
        static Offsets of(byte[] quote) {
            Quote q = Quote.parse(quote);
            int signed = q.signedBytes().length;
            int sd = signed + 4;
            int qe = sd + 0x86;
            int auth = qe + 384 + 64 + 2;
            int inner = auth + q.qeAuthData().length;
            return new Offsets(signed, sd, sd + 64, sd + 0x80, qe, qe + 384, qe + 384 + 64, auth, inner, inner + 6);
        }
    }

    /**
     * Flips every bit of {@code [from, to)} (two threads) and returns each flip whose appraisal is not the expected
     * rejection: exactly the parser's message as one {@code format} failure, or else {@code check} among the
     * failures ({@code only}: the failures other than {@code collateral} are exactly {@code check}).
     */
    private static List<String> unexpected(byte[] quote, int from, int to, String check, boolean only) {
        return unexpected(quote, IntStream.range(from * 8, to * 8), check, only);
    }

    /** @param flips bit numbers: byte * 8 + bit */
    private static List<String> unexpected(byte[] quote, IntStream flips, String check, boolean only) {
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        flips.parallel().forEach(n -> {
            int i = n / 8;
            int bit = n % 8;
            byte[] t = quote.clone();
            t[i] ^= (byte) (1 << bit);
            String malformed = null;
            try {
                Quote.parse(t);
            } catch (MalformedStructureException e) {
                malformed = e.getMessage();
            }
            Appraisal v = verifyWithoutCollateral(t);
            List<String> found = checks(v);
            List<String> flipped = found.stream().filter(c -> !c.equals("collateral") && !c.equals("pck_chain"))
                    .toList();
            boolean ok = malformed != null ? v.failures().equals(List.of(new Check("format", malformed)))
                    : only ? flipped.equals(List.of(check)) : found.contains(check);
            if (v.accepted() || !ok) {
                wrong.add(String.format("byte 0x%03X bit %d: %s", i, bit, v.failures()));
            }
        });
        return new ArrayList<>(wrong);
    }

    private static void assertNone(List<String> wrong) {
        assertEquals(wrong.size() + " flips not rejected as expected: " + wrong.subList(0, Math.min(5,
                wrong.size())), 0, wrong.size());
    }

    // ---------------------------------------------------------------------------------------------- bit flips

    @Test
    public void theUnchangedQuotesAreAcceptedAndWithoutCollateralFailOnlyForIt() {
        for (byte[] q : List.of(v4, v5)) {
            Appraisal a = verify(q);
            assertTrue(a.failures().toString(), a.accepted());
            assertEquals(List.of("collateral"), checks(verifyWithoutCollateral(q)));
            byte[] c = chainless(q);
            assertArrayEquals(Quote.parse(q).signedBytes(), Quote.parse(c).signedBytes());
            assertEquals(List.of("pck_chain", "collateral"), checks(verifyWithoutCollateral(c)));
        }
        assertEquals("3 (TDX 1.5)", verify(v5).claim("body_type"));
        assertEquals(632, Offsets.of(v4).signed());
        assertEquals(702, Offsets.of(v5).signed());
    }

    @Test
    public void everyBitOfTheV4SignedRegionIsRejected() {
        assertNone(unexpected(chainless(v4), 0, Offsets.of(v4).signed(), "quote_signature", false));
    }

    @Test
    public void everyBitOfTheV5SignedRegionIsRejected() {
        assertNone(unexpected(chainless(v5), 0, Offsets.of(v5).signed(), "quote_signature", false));
    }

    @Test
    public void everyBitOfTheQuoteSignatureAndAttestationKeyIsRejected() {
        Offsets o = Offsets.of(v4);
        assertNone(unexpected(chainless(v4), o.signature(), o.certHeader(), "quote_signature", false));
        Offsets o5 = Offsets.of(v5);
        assertNone(unexpected(chainless(v5), o5.signature(), o5.certHeader(), "quote_signature", false));
    }

    @Test
    public void everyBitOfTheQeReportAndItsSignatureIsRejected() {
        Offsets o = Offsets.of(v4);
        assertNone(unexpected(v4, o.qeReport(), o.authSize(), "qe_report_signature", false));
    }

    @Test
    public void everyBitOfTheQeAuthenticationDataBreaksTheBindingAlone() {
        Offsets o = Offsets.of(v4);
        assertEquals(32, o.inner() - o.auth());
        assertNone(unexpected(v4, o.auth(), o.inner(), "qe_report_binding", true));
    }

    @Test
    public void everyBitOfTheLengthsAndCertificationDataHeadersIsAFormatFailure() {
        Offsets o = Offsets.of(v4);
        List<String> wrong = new ArrayList<>();
        for (int[] range : new int[][] {{o.signed(), o.signature()}, {o.certHeader(), o.qeReport()},
            {o.authSize(), o.auth()}, {o.inner(), o.pem()}}) {
            for (int i = range[0]; i < range[1]; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] t = v4.clone();
                    t[i] ^= (byte) (1 << bit);
                    Appraisal v = verify(t);
                    if (!checks(v).equals(List.of("format"))) {
                        wrong.add(String.format("byte 0x%03X bit %d: %s", i, bit, v.failures()));
                    }
                }
            }
        }
        assertNone(wrong);
    }

    @Test
    public void aFlipOfThePckChainTextIsRejectedOrChangesNoCertificate() {
        Offsets o = Offsets.of(v4);
        List<X509Certificate> chain = X509Authority.certificatesFromPem(Quote.parse(v4).pckChainText());
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        IntStream.iterate(o.pem(), i -> i < v4.length, i -> i + 13).parallel().forEach(i -> {
            int bit = i % 8;
            byte[] t = v4.clone();
            t[i] ^= (byte) (1 << bit);
            Appraisal v = verifyWithoutCollateral(t);
            if (checks(v).equals(List.of("collateral"))) {
                List<X509Certificate> now = X509Authority.certificatesFromPem(Quote.parse(t).pckChainText());
                if (!now.equals(chain)) {
                    wrong.add(String.format("byte 0x%03X bit %d: other certificates, no failure", i, bit));
                }
            } else if (!checks(v).contains("pck_chain") && !checks(v).contains("qe_report_signature")) {
                wrong.add(String.format("byte 0x%03X bit %d: %s", i, bit, v.failures()));
            }
        });
        assertNone(new ArrayList<>(wrong));
    }

    // ---------------------------------------------------------------------------------------------- keys and chains

    private static byte[] withAttestationKey(QuoteV4 q, KeyPair key, Struct qeReport) {
        BigInteger[] xy = EcKeys.publicPoint(key.getPublic());
        byte[] ak = Signatures.toRaw(xy[0], xy[1], 32);
        QuoteV4 unsigned = new QuoteV4(q.header(), q.body(), new byte[64], ak, qeReport, q.qeReportSignature(),
                q.qeAuthData(), q.pckChainPem());
        BigInteger[] rs = Signatures.ecdsaSign(key.getPrivate(), "SHA-256", unsigned.signedBytes());
        return new QuoteV4(q.header(), q.body(), Signatures.toRaw(rs[0], rs[1], 32), ak, qeReport,
                q.qeReportSignature(), q.qeAuthData(), q.pckChainPem()).toBytes();
    }

    @Test
    public void anAttackersAttestationKeyIsCaughtByTheBindingAndARebindingByTheQeReportSignature() {
        QuoteV4 q = QuoteV4.parse(v4);
        KeyPair attacker = EcKeys.generate("P-256");
        assertOnly(verify(withAttestationKey(q, attacker, q.qeReport())), "qe_report_binding",
                "SHA-256(attestation key || QE auth data)");
        BigInteger[] xy = EcKeys.publicPoint(attacker.getPublic());
        Struct rebound = q.qeReport().set("REPORTDATA", Arrays.copyOf(Digests.sha256(Signatures.toRaw(xy[0], xy[1],
                32), q.qeAuthData()), 64));
        assertOnly(verify(withAttestationKey(q, attacker, rebound)), "qe_report_signature", "PCK certificate's key");
    }

    private static byte[] withChain(byte[] quote, byte[] pem) {
        QuoteV4 q = QuoteV4.parse(quote);
        return new QuoteV4(q.header(), q.body(), q.signature(), q.attestationKey(), q.qeReport(),
                q.qeReportSignature(), q.qeAuthData(), pem).toBytes();
    }

    @Test
    public void anotherPlatformsPckChainIsCaughtByTheQeReportSignature() {
        TdxBackend other = TdxTesting.backendWithSeed(fixture.pcs, "another-platform");
        TdxFixture f = new TdxFixture(fixture.pcs, TdAttributes.SEPT_VE_DISABLE, p -> other);
        byte[] theirs = Quote.parse(f.quoteV4()).pckChainPem();
        Appraisal v = verify(withChain(v4, theirs));
        assertOnly(v, "qe_report_signature", "PCK certificate's key");
        assertTrue(!v.claim("ppid").equals(TdxTesting.ppid()));
    }

    @Test
    public void aChainMixingAnotherRootsPlatformCaIsRejected() {
        IntelPcs rogue = TdxTesting.offlinePcs("rogue-intel", List.of(), Clock.fixed(TdxFixture.PCS_TIME,
                ZoneOffset.UTC));
        TdxFixture f = new TdxFixture(rogue, TdAttributes.SEPT_VE_DISABLE, TdxTesting::backend);
        List<X509Certificate> ours = X509Authority.certificatesFromPem(Quote.parse(v4).pckChainText());
        List<X509Certificate> theirs = X509Authority.certificatesFromPem(Quote.parse(f.quoteV4()).pckChainText());
        Appraisal v = verify(withChain(v4, X509Authority.toPem(ours.get(0), theirs.get(1), ours.get(2))
                .getBytes(StandardCharsets.US_ASCII)));
        assertOnly(v, "pck_chain", "the signature of 'Intel SGX PCK Certificate' does not verify");
        Appraisal top = verify(withChain(v4, X509Authority.toPem(ours.get(0), ours.get(1), theirs.get(2))
                .getBytes(StandardCharsets.US_ASCII)));
        assertOnly(top, "pck_chain", "'Intel SGX PCK Platform CA' does not verify");
    }

    @Test
    public void aHierarchyBuiltInTheTestIsAcceptedAndAPlatformCaThatIsNotACaIsNot() {
        IntelHierarchy h = new IntelHierarchy("test-intel");
        Appraisal ok = verify(h.quote(v4), h.collateral(collateral), at(TdxFixture.AT.instant(), h.root()));
        assertTrue(ok.failures().toString(), ok.accepted());
        IntelHierarchy notCa = new IntelHierarchy("test-intel").platformCaNotACa();
        assertOnly(verify(notCa.quote(v4), notCa.collateral(collateral), at(TdxFixture.AT.instant(), notCa.root())),
                "pck_chain", "'Intel SGX PCK Platform CA' is not a CA that may issue 'Intel SGX PCK Certificate'");
    }

    // ---------------------------------------------------------------------------------------------- replay, TCB

    @Test
    public void replayedReportDataIsRejectedNamingBothValues() {
        byte[] fresh = Arrays.copyOf("a fresh verifier nonce".getBytes(StandardCharsets.US_ASCII), 64);
        Appraisal replayed = VERIFIER.verify(TdxFixture.evidence(v4, collateral, log), fixture.options(Map.of(
                "report_data", Hex.encode(fresh)), Map.of()));
        assertOnly(replayed, "report_data", "REPORTDATA is " + Hex.encode(TdxFixture.NONCE) + ", expected "
                + Hex.encode(fresh));
        byte[] answer = TdxTesting.guest(fixture.backend, fixture.td).getQuote(fresh);
        assertTrue(VERIFIER.verify(TdxFixture.evidence(answer, collateral, log), fixture.options(Map.of(
                "report_data", Hex.encode(fresh)), Map.of())).accepted());
    }

    private static Appraisal tcbOf(java.util.function.Function<IntelPcs, TdxBackend> platform, Map<String, String>
            policy) {
        TdxFixture f = new TdxFixture(fixture.pcs, TdAttributes.SEPT_VE_DISABLE, platform);
        return VERIFIER.verify(TdxFixture.evidence(f.quoteV4(), collateral, f.eventLog()), fixture.options(Map.of(),
                policy));
    }

    @Test
    public void aDowngradedQuotingEnclaveIsOutOfDate() {
        Appraisal v = tcbOf(p -> TdxTesting.backendWithQeSvn(p, 3), Map.of());
        assertOnly(v, "tcb_status", "TCB status is OutOfDate (");
        assertEquals("OutOfDate", v.claim("qe_tcb_status"));
        assertTrue(v.claim("advisory_ids"), v.claim("advisory_ids").contains("INTEL-SA-00837"));
        assertTrue(tcbOf(p -> TdxTesting.backendWithQeSvn(p, 3), Map.of("allowed_tcb_status", "UpToDate,OutOfDate"))
                .accepted());
    }

    @Test
    public void aDowngradedTdxModuleIsOutOfDate() {
        Appraisal v = tcbOf(p -> TdxTesting.backendWithTcb(p, "04010300000000000000000000000000"), Map.of());
        assertOnly(v, "tcb_status", "TCB status is OutOfDate");
        assertTrue(v.claim("advisory_ids"), v.claim("advisory_ids").contains("INTEL-SA-01036"));
    }

    @Test
    public void aRevokedPlatformTcbIsRejectedEvenWhenThePolicyNamesRevoked() {
        Appraisal v = tcbOf(p -> TdxTesting.backendWithTcb(p, "05010100000000000000000000000000"),
                Map.of("allowed_tcb_status", "UpToDate,OutOfDate,Revoked"));
        assertOnly(v, "tcb_status", "TCB status is Revoked");
    }

    // ---------------------------------------------------------------------------------------------- validity

    @Test
    public void beforeAnyCertificateIsValidThePckLeafIsNamed() {
        Appraisal v = verify(v4, collateral, at(Instant.parse("2023-12-31T00:00:00Z"), fixture.root()));
        assertFalse(v.accepted());
        assertTrue(v.failures().toString(), v.failures().contains(new Check("pck_chain", "'Intel SGX PCK Certificate' "
                + "is valid 2024-01-01T00:00:00Z .. 2049-12-31T23:59:59Z, not at 2023-12-31T00:00:00Z")));
    }

    private static Appraisal withHierarchy(IntelHierarchy h) {
        return verify(h.quote(v4), h.collateral(collateral), at(TdxFixture.AT.instant(), h.root()));
    }

    private static final Instant BEFORE = Instant.parse("2026-05-01T00:00:00Z");
    private static final Instant AFTER = Instant.parse("2026-07-01T00:00:00Z");

    @Test
    public void anExpiredOrNotYetValidPckLeafOrPlatformCaAloneIsRejectedNamingIt() {
        IntelHierarchy.Part[] parts = {IntelHierarchy.Part.PCK, IntelHierarchy.Part.PLATFORM_CA};
        String[] names = {"'Intel SGX PCK Certificate' is valid", "'Intel SGX PCK Platform CA' is valid"};
        for (int i = 0; i < parts.length; i++) {
            assertOnly(withHierarchy(new IntelHierarchy("test-intel").valid(parts[i], IntelHierarchy.FROM, BEFORE)),
                    "pck_chain", names[i] + " 2024-01-01T00:00:00Z .. 2026-05-01T00:00:00Z, not at");
            assertOnly(withHierarchy(new IntelHierarchy("test-intel").valid(parts[i], AFTER, IntelHierarchy.TO)),
                    "pck_chain", names[i] + " 2026-07-01T00:00:00Z .. ");
        }
    }

    @Test
    public void anExpiredOrNotYetValidTcbSigningCertificateFailsBothCollateralChains() {
        for (Instant[] validity : new Instant[][] {{IntelHierarchy.FROM, BEFORE}, {AFTER, IntelHierarchy.TO}}) {
            Appraisal v = withHierarchy(new IntelHierarchy("test-intel").valid(IntelHierarchy.Part.TCB_SIGNING,
                    validity[0], validity[1]));
            assertEquals(v.failures().toString(), List.of("tcb_info_chain", "qe_identity_chain"), checks(v));
            assertTrue(v.failures().toString(), v.failures().get(0).reason().startsWith("'Intel SGX TCB Signing' is "
                    + "valid " + validity[0]));
        }
    }

    @Test
    public void anOutOfDatePckCrlOrRootCrlAloneIsACrlFailure() {
        for (IntelHierarchy.Part crl : new IntelHierarchy.Part[] {IntelHierarchy.Part.PCK_CRL,
            IntelHierarchy.Part.ROOT_CRL}) {
            assertOnly(withHierarchy(new IntelHierarchy("test-intel").valid(crl, Instant.parse(
                    "2026-04-01T00:00:00Z"), BEFORE)), "crl", "is valid 2026-04-01T00:00:00Z .. "
                            + "2026-05-01T00:00:00Z, not at 2026-06-01T12:00:00Z");
            assertOnly(withHierarchy(new IntelHierarchy("test-intel").valid(crl, AFTER, Instant.parse(
                    "2026-08-01T00:00:00Z"))), "crl", "is valid 2026-07-01T00:00:00Z .. 2026-08-01T00:00:00Z");
        }
    }

    private static String resigned(String member, UnaryOperator<JsonObject> edit) {
        JsonObject doc = JsonParser.parseString(JsonParser.parseString(collateral).getAsJsonObject().get(member)
                .getAsString()).getAsJsonObject();
        return TdxTesting.resigned(fixture.pcs, collateral, member, edit.apply(doc).toString());
    }

    @Test
    public void expiredOrNotYetValidTcbInfoOrQeIdentityAloneIsRejectedNamingIt() {
        for (String member : List.of("tcb_info", "qe_identity")) {
            Appraisal expired = verify(v4, resigned(member, o -> {
                o.addProperty("nextUpdate", "2026-06-01T06:00:00Z");
                return o;
            }), options);
            assertOnly(expired, member, member + " is valid 2026-05-31T00:00:00Z .. 2026-06-01T06:00:00Z, not at "
                    + "2026-06-01T12:00:00Z");
            Appraisal early = verify(v4, resigned(member, o -> {
                o.addProperty("issueDate", "2026-06-01T18:00:00Z");
                return o;
            }), options);
            assertOnly(early, member, member + " is valid 2026-06-01T18:00:00Z .. ");
        }
    }
}
