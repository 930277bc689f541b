package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.teebox.amd.abi.SevAttestationReport;
import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The forgery matrix of SEV ATTESTATION evidence (spec 1.10): every bit of the signed bytes 0x00..0x33 and of the
 * unsigned header flipped one at a time, and one bit of every signature byte, each rejected with the failure that
 * names it; forged PEK chains; a replayed MNONCE; the NODBG policy; and the
 * absence of certificate validity in SEV's format. The evidence is made as {@code SevFirmware.attest} makes it:
 * a report signed by the platform's PEK, with the PEK, OCA and CEK certificates.
 */
public class SevAttestationForgeryTest {

    private static final byte[] MNONCE = "challenge-0001!!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIGEST = Hex.decode("5a".repeat(32));
    private static final SevAttestationVerifier VERIFIER = new SevAttestationVerifier();
    private static AmdSecureProcessor sp;
    private static Map<String, byte[]> certs;

    @BeforeClass
    public static void platform() {
        sp = AmdPlatforms.processor(15, 5, "teebox-amd-chip-0");
        certs = sp.platformCertificates();
    }

    private static Evidence evidence(byte[] mnonce, long policy) {
        SevAttestationReport r = SevAttestationReport.sign(mnonce, DIGEST, policy, sp::pekSign);
        return new Evidence(SevAttestationVerifier.FORMAT, r.bytes(), List.of(certs.get("pek"), certs.get("oca"),
                certs.get("cek")), Map.of());
    }

    private static Evidence withReport(Evidence e, byte[] report) {
        return new Evidence(e.format(), report, e.certificates(), Map.of());
    }

    private static Evidence withCertificates(Evidence e, byte[]... chain) {
        return new Evidence(e.format(), e.report(), List.of(chain), Map.of());
    }

    private static Appraisal verify(Evidence e, Clock clock, Map<String, String> refs, Map<String, String> policy) {
        return VERIFIER.verify(e, new VerificationOptions(clock, List.of(certs.get("cek")), refs, policy));
    }

    private static Appraisal verify(Evidence e) {
        return verify(e, Clock.systemUTC(), Map.of(), Map.of());
    }

    private static List<String> checks(Appraisal v) {
        return v.failures().stream().map(Check::check).toList();
    }

    /** Flips every bit of [from, to) and collects the flips whose verdict does not name {@code check}. */
    private static List<String> flipsNotRejectedFor(Evidence e, int from, int to, String check) {
        return flipsNotRejectedFor(e, from, to, check, false);
    }

    /**
     * Flips bits of [from, to), every bit or (sampled) one bit per byte, rotating through the bit positions so
     * each position is hit every 8 bytes, and collects the flips whose verdict does not name {@code check}.
     */
    private static List<String> flipsNotRejectedFor(Evidence e, int from, int to, String check, boolean sampled) {
        List<String> wrong = new ArrayList<>();
        byte[] report = e.report();
        for (int i = from; i < to; i++) {
            for (int bit = sampled ? i % 8 : 0; bit < (sampled ? i % 8 + 1 : 8); bit++) {
                byte[] t = report.clone();
                t[i] ^= (byte) (1 << bit);
                Appraisal v = verify(withReport(e, t));
                if (v.accepted() || !checks(v).contains(check)) {
                    wrong.add(String.format("byte 0x%02X bit %d: %s", i, bit, v.failures()));
                }
            }
        }
        return wrong;
    }

    @Test
    public void everyBitOfTheSignedRegionAndEveryByteOfTheSignatureIsASignatureFailure() {
        Evidence e = evidence(MNONCE, 1);
        assertTrue(verify(e).failures().toString(), verify(e).accepted());
        // all 416 bits of bytes 0x00..0x33; R and S one bit per byte (144 flips; a verify takes about 3 ms here)
        List<String> wrong = flipsNotRejectedFor(e, 0, SevAttestationReport.SIGNED, "signature");
        wrong.addAll(flipsNotRejectedFor(e, 0x40, SevAttestationReport.SIZE, "signature", true));
        assertEquals(wrong.toString(), List.of(), wrong);
    }

    @Test
    public void everyBitOfTheUnsignedHeaderIsAFormatFailureNamingTheField() {
        Evidence e = evidence(MNONCE, 1);
        List<String> wrong = flipsNotRejectedFor(e, SevAttestationReport.SIGNED, 0x40, "format");
        assertEquals(wrong.toString(), List.of(), wrong);
        byte[] t = e.report();
        t[0x34] ^= 1;
        Check f = verify(withReport(e, t)).failures().get(0);
        assertTrue(f.reason(), f.reason().contains("SIG_USAGE"));
        t = e.report();
        t[0x3D] ^= 0x10;
        assertTrue(verify(withReport(e, t)).failures().get(0).reason().contains("reserved"));
    }

    @Test
    public void aPekTheTrustedCekDidNotSignIsRejectedEvenWithAValidReportSignature() {
        // the attacker's own PEK, signed by the attacker's own OCA, signing a report of its choice: the chain
        // keeps the platform's genuine, trusted CEK
        KeyPair oca = EcKeys.fromSeed("P-384", "attacker oca".getBytes(StandardCharsets.UTF_8));
        KeyPair pek = EcKeys.fromSeed("P-384", "attacker pek".getBytes(StandardCharsets.UTF_8));
        byte[] ocaCert = SevCertificate.create(SevCertificate.USAGE_OCA, SevCertificate.ALGO_ECDSA_SHA256,
                oca.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_OCA, oca.getPrivate()).bytes();
        byte[] pekCert = SevCertificate.create(SevCertificate.USAGE_PEK, SevCertificate.ALGO_ECDSA_SHA256,
                pek.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_OCA, oca.getPrivate()).bytes();
        byte[] report = SevAttestationReport.sign(MNONCE, DIGEST, 1, d -> Signatures.ecdsaSign(pek.getPrivate(),
                "SHA-256", d)).bytes();
        Evidence forged = new Evidence(SevAttestationVerifier.FORMAT, report, List.of(pekCert, ocaCert,
                certs.get("cek")), Map.of());
        Appraisal v = verify(forged);
        assertEquals(v.failures().toString(), List.of("chain"), checks(v));
        assertTrue(v.failures().get(0).reason(), v.failures().get(0).reason().contains("by the CEK"));

        // the genuine PEK certificate with the CEK's signature slot copied onto the attacker's key
        byte[] grafted = SevCertificate.create(SevCertificate.USAGE_PEK, SevCertificate.ALGO_ECDSA_SHA256,
                pek.getPublic(), 1, 55).bytes();
        System.arraycopy(certs.get("pek"), 0x414, grafted, 0x414, 0x824 - 0x414);
        Appraisal g = verify(new Evidence(SevAttestationVerifier.FORMAT, report, List.of(grafted, certs.get("oca"),
                certs.get("cek")), Map.of()));
        assertEquals(g.failures().toString(), List.of("chain", "chain"), checks(g));
    }

    @Test
    public void certificatesInTheWrongRoleOrFromAnotherChipAreChainFailures() {
        Evidence e = evidence(MNONCE, 1);
        Appraisal swapped = verify(withCertificates(e, certs.get("oca"), certs.get("pek"), certs.get("cek")));
        assertTrue(swapped.failures().toString(), swapped.failures().stream().anyMatch(f -> f.check().equals("chain")
                && f.reason().contains("PEK certificate has key usage 0x1001")));
        Appraisal pdh = verify(withCertificates(e, certs.get("pdh"), certs.get("oca"), certs.get("cek")));
        assertEquals(List.of("chain"), checks(pdh));
        assertTrue(pdh.failures().get(0).reason().contains("0x1003"));
        assertEquals(List.of("chain"), checks(verify(withCertificates(e, certs.get("pek"), certs.get("oca")))));
        Map<String, byte[]> other = AmdPlatforms.processor(15, 5, "another chip for forgeries").platformCertificates();
        // another chip's full chain: it does not end in the trusted CEK, and its PEK did not sign the report
        Appraisal foreign = verify(withCertificates(e, other.get("pek"), other.get("oca"), other.get("cek")));
        assertEquals(foreign.failures().toString(), List.of("chain", "signature"), checks(foreign));
        // this chip's CEK and OCA with another chip's PEK: neither signed it
        Appraisal mixed = verify(withCertificates(e, other.get("pek"), certs.get("oca"), certs.get("cek")));
        assertEquals(mixed.failures().toString(), List.of("chain", "chain", "signature"), checks(mixed));
        byte[] flipped = certs.get("pek").clone();
        flipped[0x20] ^= 1;
        Appraisal bent = verify(withCertificates(e, flipped, certs.get("oca"), certs.get("cek")));
        assertFalse(bent.accepted());
        assertTrue(bent.failures().toString(), checks(bent).contains("chain"));
    }

    @Test
    public void anOcaChangedWhereItsKeyIsNotIsAChainFailureThoughThePeksSignatureStillVerifies() {
        // found by the TCK: a byte of the OCA's public-key field beyond Qx and Qy is signed (0x000..0x413) but
        // unused by the key, so the PEK still verifies with the changed OCA; its self-signature does not
        Evidence e = evidence(MNONCE, 1);
        byte[] oca = certs.get("oca").clone();
        oca[0x412] ^= 1;
        Appraisal v = verify(withCertificates(e, certs.get("pek"), oca, certs.get("cek")));
        assertFalse(v.accepted());
        assertEquals(v.failures().toString(), List.of("chain"), checks(v));
        assertTrue(v.failures().get(0).reason(), v.failures().get(0).reason().contains("OCA certificate carries no "
                + "valid self-signature"));
    }

    @Test
    public void sevCertificatesHaveNoValidityPeriodSoTheVerdictDoesNotDependOnTheClock() {
        Evidence e = evidence(MNONCE, 1);
        for (String at : new String[] {"1970-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2199-12-31T23:59:59Z"}) {
            Appraisal v = verify(e, Clock.fixed(Instant.parse(at), ZoneOffset.UTC), Map.of(), Map.of());
            assertTrue(at + ": " + v.failures(), v.accepted());
        }
    }

    @Test
    public void aReplayedMnonceIsAReportDataFailureOnly() {
        Evidence old = evidence(MNONCE, 1);
        String fresh = Hex.encode("challenge-0002!!".getBytes(StandardCharsets.US_ASCII));
        Appraisal v = verify(old, Clock.systemUTC(), Map.of("report_data", fresh), Map.of());
        assertEquals(v.failures().toString(), List.of("report_data"), checks(v));
        assertTrue(v.failures().get(0).reason(), v.failures().get(0).reason().contains(Hex.encode(MNONCE))
                && v.failures().get(0).reason().contains(fresh));
        assertTrue(verify(old, Clock.systemUTC(), Map.of("report_data", Hex.encode(MNONCE)), Map.of()).accepted());
    }

    @Test
    public void aGuestWithoutNodbgIsRefusedUnlessAllowDebugIsTrue() {
        for (long policy : new long[] {0, 0x2, 0x4, 0x3E, 0x00110004L}) {
            Evidence debuggable = evidence(MNONCE, policy);
            Appraisal v = verify(debuggable);
            assertEquals(String.format("policy 0x%X: %s", policy, v.failures()), List.of("debug"), checks(v));
            assertTrue(verify(debuggable, Clock.systemUTC(), Map.of(), Map.of("allow_debug", "true")).accepted());
            assertEquals(List.of("debug"), checks(verify(debuggable, Clock.systemUTC(), Map.of(),
                    Map.of("allow_debug", "false"))));
        }
        assertTrue(verify(evidence(MNONCE, 1 | 0x4)).accepted());
    }

    @Test
    public void anAllowDebugValueOtherThanTrueOrFalseIsAnOptionsFailure() {
        Evidence debuggable = evidence(MNONCE, 0);
        for (String value : new String[] {"yes", "1", "maybe", ""}) {
            Appraisal v = verify(debuggable, Clock.systemUTC(), Map.of(), Map.of("allow_debug", value));
            assertTrue(value + ": " + v.failures(), checks(v).contains("options"));
            Check f = v.failures().stream().filter(x -> x.check().equals("options")).findFirst().orElseThrow();
            assertTrue(f.reason(), f.reason().contains("allow_debug") && f.reason().contains("true or false"));
        }
        assertTrue(verify(debuggable, Clock.systemUTC(), Map.of(), Map.of("allow_debug", " TRUE ")).accepted());
    }

    @Test
    public void reservedPolicyBitsAreAPolicyFailure() {
        Appraisal v = verify(evidence(MNONCE, 1 | 0x40));
        assertEquals(v.failures().toString(), List.of("policy"), checks(v));
    }
}
