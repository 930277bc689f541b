package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.snp.testing.SnpPlatform;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TcbVersion;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

/** The SNP verifier's answers to bad options, odd chains, revocation and forged evidence: a verdict with reasons. */
public class SnpReportVerifierTest {

    private static final Clock NOW = Clock.systemUTC();
    private static final Clock AT = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    private static AmdSecureProcessor sp;
    private static SnpPlatform snp;
    private static Evidence evidence;

    @BeforeClass
    public static void platform() throws java.io.IOException {
                sp = AmdPlatforms.processor(Map.of("chipSeed", "verifier-chip"));
        snp = new SnpPlatform(sp);
        evidence = snp.attest(snp.launch(new MapGuestMemory(1), 1, 0x800F12, null).handle(), null,
                "nonce-1".getBytes());
    }

    private static Appraisal verify(Evidence e, Map<String, String> refs, Map<String, String> policy) {
        return new SnpReportVerifier().verify(e, new VerificationOptions(NOW, List.of(X509Authority.toDer(sp.keys().ark())),
                refs, policy));
    }

    private static Appraisal verifyForged(ForgedChain c, Evidence e, Clock clock, Map<String, String> policy) {
        return new SnpReportVerifier().verify(e, new VerificationOptions(clock, List.of(X509Authority.toDer(
                c.ark().certificate())), Map.of(), policy));
    }

    private static List<String> checks(Appraisal v) {
        return v.failures().stream().map(Check::check).toList();
    }

    private static Check only(Appraisal v, String check) {
        List<Check> f = v.failures().stream().filter(x -> x.check().equals(check)).toList();
        assertEquals(v.failures().toString(), 1, f.size());
        return f.get(0);
    }

    /** The teebox report changed and re-signed with the platform's VCEK, so only the change is wrong. */
    private static Evidence resigned(Consumer<Struct> change) {
        SnpReport r = SnpReport.parse(evidence.report());
        change.accept(r.fields());
        TcbVersion tcb = sp.snpTcb();
        BigInteger[] rs = Signatures.ecdsaSign(sp.keys().vcekKeys(tcb).getPrivate(), "SHA-384", r.signedBytes());
        return new Evidence(evidence.format(), r.sign(rs[0], rs[1]).bytes(), evidence.certificates(),
                evidence.attachments());
    }

    @Test
    public void teeboxEvidenceVerifiesWithItsCrl() {
        Appraisal v = verify(evidence, Map.of("report_data", Hex.encode("nonce-1".getBytes())), Map.of("require_crl",
                "true"));
        assertTrue(v.failures().toString(), v.accepted());
        assertTrue(v.claim("revocation"), v.claim("revocation").contains("ARK-Milan"));
        assertEquals("Milan-B0", v.claim("product"));
    }

    @Test
    public void anRsaLeafGivesAVerdictWithAReason() {
        ForgedChain c = new ForgedChain();
        c.leafKey = RsaKeys.generate(2048).getPublic();
        Appraisal v = verifyForged(c, c.evidence(), AT, Map.of());
        assertFalse(v.accepted());
        Check f = v.failures().stream().filter(x -> x.reason().contains("RSA")).findFirst().orElseThrow(
                () -> new AssertionError(v.failures().toString()));
        assertEquals("chain", f.check());
        assertTrue(f.reason(), f.reason().contains("P-384"));
    }

    @Test
    public void unknownReferenceValuesAndPoliciesAreRejectedByName() {
        Appraisal typo = verify(evidence, Map.of("mesurement", "00"), Map.of());
        Check f = only(typo, "options");
        assertTrue(f.reason(), f.reason().contains("'mesurement'") && f.reason().contains("measurement")
                && f.reason().contains("report_data"));
        Appraisal policy = verify(evidence, Map.of(), Map.of("allow_debugging", "true"));
        Check p = only(policy, "options");
        assertTrue(p.reason(), p.reason().contains("'allow_debugging'") && p.reason().contains("allow_debug"));
    }

    @Test
    public void badPolicyValuesAreFailuresNamingTheKeyAndTheAcceptedForms() {
        Appraisal tcb = verify(evidence, Map.of(), Map.of("minimum_tcb", "0xZZ"));
        Check t = only(tcb, "options");
        assertTrue(t.reason(), t.reason().contains("minimum_tcb") && t.reason().contains("16 hex digits"));
        Appraisal debug = verify(evidence, Map.of(), Map.of("allow_debug", "maybe"));
        Check d = only(debug, "options");
        assertTrue(d.reason(), d.reason().contains("allow_debug") && d.reason().contains("'maybe'")
                && d.reason().contains("true or false"));
        Appraisal vmpl = verify(evidence, Map.of("vmpl", "zero"), Map.of());
        assertTrue(only(vmpl, "options").reason().contains("vmpl"));
        Appraisal notHex = verify(evidence, Map.of("measurement", "xyz"), Map.of());
        assertTrue(only(notHex, "options").reason().contains("measurement"));
        Appraisal tooLong = verify(evidence, Map.of("host_data", "00".repeat(33)), Map.of());
        assertTrue(only(tooLong, "options").reason().contains("32"));
    }

    @Test
    public void everyCertificatesValidityCounts() {
        ForgedChain expiredAsk = new ForgedChain();
        expiredAsk.askTo = Instant.parse("2025-01-01T00:00:00Z");
        Appraisal v = verifyForged(expiredAsk, expiredAsk.evidence(), AT, Map.of());
        Check f = only(v, "chain");
        assertTrue(f.reason(), f.reason().contains("'SEV-Milan'") && f.reason().contains("expired"));

        ForgedChain early = new ForgedChain();
        early.leafFrom = Instant.parse("2027-01-01T00:00:00Z");
        Check e = only(verifyForged(early, early.evidence(), AT, Map.of()), "chain");
        assertTrue(e.reason(), e.reason().contains("'SEV-VCEK'") && e.reason().contains("not yet valid"));

        Appraisal arkExpired = verifyForged(new ForgedChain(), new ForgedChain().evidence(), Clock.fixed(
                Instant.parse("2050-01-01T00:00:00Z"), ZoneOffset.UTC), Map.of());
        assertEquals(arkExpired.failures().toString(), 3, arkExpired.failures().stream().filter(x -> x.reason()
                .contains("expired")).count());
    }

    @Test
    public void aRevokedAskOrVcekIsRejectedAndTheCrlItselfIsChecked() {
        ForgedChain c = new ForgedChain();
        X509CRL askRevoked = c.ark().crl().validity(ForgedChain.FROM, ForgedChain.TO)
                .signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT)
                .revoke(c.ask().certificate(), Instant.parse("2025-01-01T00:00:00Z"), 1).build();
        Appraisal v = verifyForged(c, c.evidence(c.report(s -> { }), Map.of(SnpReportVerifier.ATTACHMENT_CRL,
                X509Authority.toDer(askRevoked))), AT, Map.of());
        Check f = only(v, "revocation");
        assertTrue(f.reason(), f.reason().contains("'SEV-Milan'") && f.reason().contains("KEY_COMPROMISE"));

        X509CRL vcekRevoked = c.ark().crl().validity(ForgedChain.FROM, ForgedChain.TO).revoke(c.leaf(),
                Instant.parse("2025-01-01T00:00:00Z")).build();
        Appraisal vv = verifyForged(c, c.evidence(c.report(s -> { }), Map.of(SnpReportVerifier.ATTACHMENT_CRL,
                X509Authority.toPem(vcekRevoked).getBytes())), AT, Map.of());
        assertTrue(only(vv, "revocation").reason().contains("'SEV-VCEK'"));

        X509CRL stale = c.ark().crl().validity(ForgedChain.FROM, ForgedChain.FROM.plusSeconds(86_400)).build();
        Appraisal old = verifyForged(c, c.evidence(c.report(s -> { }), Map.of(SnpReportVerifier.ATTACHMENT_CRL,
                X509Authority.toDer(stale))), AT, Map.of());
        assertTrue(only(old, "crl").reason().contains("ARK-Milan"));

        Appraisal junk = verifyForged(c, c.evidence(c.report(s -> { }), Map.of(SnpReportVerifier.ATTACHMENT_CRL,
                new byte[] {1, 2, 3})), AT, Map.of());
        assertTrue(only(junk, "crl").reason().contains("crl"));

        Appraisal required = verifyForged(c, c.evidence(), AT, Map.of("require_crl", "true"));
        Check r = only(required, "crl");
        assertTrue(r.reason(), r.reason().contains("require_crl") && r.reason().contains("ARK-Milan"));
        assertTrue(verifyForged(c, c.evidence(), AT, Map.of()).accepted());
    }

    @Test
    public void theHwIdIsReadRawAndAMalformedOneIsNamed() {
        ForgedChain wrapped = new ForgedChain();
        wrapped.extensions.put("4", ForgedChain.der(new DEROctetString(ForgedChain.CHIP_ID)));
        Appraisal w = verifyForged(wrapped, wrapped.evidence(), AT, Map.of());
        assertTrue("an OCTET STRING-wrapped hwID of the right size is read too: " + w.failures(), w.accepted());

        ForgedChain shortId = new ForgedChain();
        shortId.extensions.put("4", new byte[10]);
        Check f = only(verifyForged(shortId, shortId.evidence(), AT, Map.of()), "chain");
        assertTrue(f.reason(), f.reason().contains("hwID") && f.reason().contains("10 bytes")
                && f.reason().contains("64"));

        ForgedChain missing = new ForgedChain();
        missing.extensions.remove("3.3");
        Check m = only(verifyForged(missing, missing.evidence(), AT, Map.of()), "chain");
        assertTrue(m.reason(), m.reason().contains("1.3.6.1.4.1.3704.1.3.3") && m.reason().contains("snpSPL"));

        ForgedChain notInt = new ForgedChain();
        notInt.extensions.put("3.1", new byte[] {0x16, 1, 'x'});
        assertTrue(only(verifyForged(notInt, notInt.evidence(), AT, Map.of()), "chain").reason()
                .contains("INTEGER"));
    }

    @Test
    public void aVcekWithExtensionsAmdNeverIssuesIsRefused() {
        ForgedChain c = new ForgedChain();
        c.extraExtensions.add(new String[] {"2.5.29.19", "3000"});
        Check f = only(verifyForged(c, c.evidence(), AT, Map.of()), "chain");
        assertTrue(f.reason(), f.reason().contains("2.5.29.19"));
    }

    @Test
    public void anotherProductsArkIsAWrongChain() {
        AmdSecureProcessor genoa = AmdPlatforms.processor(Map.of("chipSeed", "verifier-chip",
                "productLine", "Genoa"));
        byte[] genoaArk = X509Authority.toDer(genoa.keys().ark());
        Evidence swapped = new Evidence(evidence.format(), evidence.report(), List.of(evidence.certificates().get(0),
                evidence.certificates().get(1), genoaArk), Map.of());
        Appraisal v = new SnpReportVerifier().verify(swapped, new VerificationOptions(NOW, List.of(genoaArk), Map.of(),
                Map.of()));
        assertFalse(v.accepted());
        assertTrue(v.failures().toString(), checks(v).stream().allMatch(c -> c.equals("chain")));
        assertTrue(v.failures().toString(), v.failures().stream().anyMatch(f -> f.reason().contains("ARK-Genoa")
                && f.reason().contains("Milan")));
    }

    @Test
    public void aDowngradedTcbADebugPolicyAndAReplayedNonceAreRejected() {
        Evidence downgraded = resigned(s -> s.set("REPORTED_TCB", sp.snpTcb().asLong() - (1L << 48)));
        Appraisal d = verify(downgraded, Map.of(), Map.of());
        Check t = only(d, "tcb");
        assertEquals(d.failures().toString(), 1, d.failures().size());
        assertTrue(t.reason(), t.reason().contains("SNP"));

        Evidence debug = resigned(s -> s.set("POLICY", 0x30000L | 1L << 19));
        Appraisal dbg = verify(debug, Map.of(), Map.of());
        assertEquals(List.of("debug"), checks(dbg));
        assertTrue(verify(debug, Map.of(), Map.of("allow_debug", "TRUE")).accepted());

        Appraisal replay = verify(evidence, Map.of("report_data", Hex.encode("nonce-2".getBytes())), Map.of());
        assertEquals(List.of("report_data"), checks(replay));
    }

    @Test
    public void theCpuidInTheReportMustBeTheVcekProducts() {
        Appraisal genoaModel = verify(resigned(s -> s.set("CPUID_MOD_ID", 0x11)), Map.of(), Map.of());
        Check f = only(genoaModel, "cpuid");
        assertTrue(f.reason(), f.reason().contains("Genoa") && f.reason().contains("Milan-B0"));
        Appraisal stepping = verify(resigned(s -> s.set("CPUID_STEP", 2)), Map.of(), Map.of());
        assertTrue(only(stepping, "cpuid").reason().contains("stepping 2"));
        Appraisal unknown = verify(resigned(s -> s.set("CPUID_FAM_ID", 0x17)), Map.of(), Map.of());
        assertTrue(only(unknown, "cpuid").reason().contains("0x17"));
    }

    @Test
    public void aVcekForAnotherChipIsNamed() {
        Appraisal v = verify(resigned(s -> s.set("CHIP_ID", new byte[64])), Map.of(), Map.of());
        assertTrue("a masked (all-zero) CHIP_ID cannot be compared: " + v.failures(), v.accepted());
        byte[] other = new byte[64];
        other[0] = 1;
        assertTrue(only(verify(resigned(s -> s.set("CHIP_ID", other)), Map.of(), Map.of()), "chip").reason()
                .contains("another chip"));
    }

    @Test
    public void aForeignCertificateCountOrJunkIsAChainFailure() {
        Evidence two = new Evidence(evidence.format(), evidence.report(), evidence.certificates().subList(0, 2),
                Map.of());
        assertEquals(List.of("chain"), checks(verify(two, Map.of(), Map.of())));
        Evidence junk = new Evidence(evidence.format(), evidence.report(), List.of(new byte[] {1},
                evidence.certificates().get(1), evidence.certificates().get(2)), Map.of());
        assertTrue(only(verify(junk, Map.of(), Map.of()), "chain").reason().contains("VCEK"));
        Evidence wrongFormat = new Evidence("tdx-quote-v4", evidence.report(), evidence.certificates(), Map.of());
        assertEquals(List.of("format"), checks(verify(wrongFormat, Map.of(), Map.of())));
        assertEquals("an EC key is fine", "P-384", EcKeys.curveOf(X509Authority.certificateFromDer(
                evidence.certificates().get(0)).getPublicKey()));
        assertTrue(new ASN1Integer(1).getValue().signum() > 0);
    }

    @Test
    public void aProductNameWithoutALineIsAChainFailureNotAnException() {
        for (String name : new String[] {"-", "--", "", "-B0"}) {
            ForgedChain c = new ForgedChain();
            c.extensions.put("2", ForgedChain.der(new org.bouncycastle.asn1.DERIA5String(name)));
            Appraisal v = verifyForged(c, c.evidence(), AT, Map.of());
            Check f = only(v, "chain");
            assertTrue(name + ": " + f.reason(), f.reason().contains("productName '" + name + "'"));
        }
    }

    @Test
    public void aCrlAttachmentThatIsNotBase64IsACrlFailureNotAnException() {
        ForgedChain c = new ForgedChain();
        for (String pem : new String[] {"-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----\n",
            "-----BEGIN X509 CRL-----\nMAMCAQA=\n-----END X509 CRL-----\n", "-----BEGIN X509 CRL-----\n"}) {
            Appraisal v = verifyForged(c, c.evidence(c.report(s -> { }), Map.of(SnpReportVerifier.ATTACHMENT_CRL,
                    pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII))), AT, Map.of());
            Check f = only(v, "crl");
            assertTrue(f.reason(), f.reason().contains("attachment 'crl'"));
        }
    }

    @Test
    public void aLeafKeyOffTheCurveIsAChainFailureNotAnException() throws Exception {
        java.security.interfaces.ECPublicKey good = (java.security.interfaces.ECPublicKey) EcKeys.generate("P-384")
                .getPublic();
        java.security.spec.ECPoint w = good.getW();
        ForgedChain c = new ForgedChain();
        c.leafKey = java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.ECPublicKeySpec(
                new java.security.spec.ECPoint(w.getAffineX(), w.getAffineY().add(BigInteger.ONE)), good.getParams()));
        Appraisal v = verifyForged(c, c.evidence(), AT, Map.of());
        assertFalse(v.accepted());
        Check f = v.failures().stream().filter(x -> x.reason().contains("public key")).findFirst().orElseThrow(
                () -> new AssertionError(v.failures().toString()));
        assertEquals("chain", f.check());
        assertTrue(f.reason(), f.reason().contains("SEV-VCEK"));
    }

    @Test
    public void aCommonNameThatIsNotUtf8IsAVerdictNotAnException() {
        ForgedChain c = new ForgedChain();
        Evidence e = c.evidence();
        byte[] leaf = e.certificates().get(0);
        byte[] name = "SEV-VCEK".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = -1;
        for (int i = 0; i + name.length <= leaf.length && at < 0; i++) {
            if (java.util.Arrays.equals(leaf, i, i + name.length, name, 0, name.length)) {
                at = i;
            }
        }
        assertTrue(at > 0);
        leaf[at] = (byte) 0xFF;
        Appraisal v = verifyForged(c, new Evidence(e.format(), e.report(), List.of(leaf, e.certificates().get(1),
                e.certificates().get(2)), Map.of()), AT, Map.of());
        assertFalse(v.accepted());
        assertTrue(v.failures().toString(), checks(v).contains("chain"));
    }
}
