package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.teebox.amd.testing.AmdVectors;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

/** The genuine Milan report, VCEK and KDS chain from go-sev-guest's test data, appraised by teebox's verifier. */
public class GenuineSnpEvidenceTest {

    /** Inside the VCEK's validity (2022-09-24 .. 2029-09-24). */
    static final Clock AT = Clock.fixed(Instant.parse("2023-01-01T00:00:00Z"), ZoneOffset.UTC);

    static Evidence genuine() {
        List<X509Certificate> askArk = AmdVectors.chain("ask_ark_milan.pem");
        return new Evidence(SnpReportVerifier.FORMAT, AmdVectors.milanReport(), List.of(AmdVectors.bytes("vcek.testcer"),
                X509Authority.toDer(askArk.get(0)), X509Authority.toDer(askArk.get(1))), Map.of());
    }

    static byte[] genuineArk() {
        return X509Authority.toDer(AmdVectors.chain("ask_ark_milan.pem").get(1));
    }

    private static VerificationOptions options(Map<String, String> refs, Map<String, String> policy) {
        return new VerificationOptions(AT, List.of(genuineArk()), refs, policy);
    }

    @Test
    public void genuineMilanEvidenceFailsOnlyForItsDebugPolicy() {
        Appraisal v = new SnpReportVerifier().verify(genuine(), options(Map.of(), Map.of()));
        assertEquals(v.failures().toString(), 1, v.failures().size());
        assertEquals("debug", v.failures().get(0).check());
        assertTrue(v.failures().get(0).reason(), v.failures().get(0).reason().contains("0xB0000"));
        assertEquals("Milan-B0", v.claim("product"));
        assertEquals("VCEK", v.claim("signing_key"));
    }

    @Test
    public void genuineMilanEvidenceVerifiesWhenDebugIsAllowed() {
        String measurement = "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01";
        Appraisal v = new SnpReportVerifier().verify(genuine(), options(Map.of("measurement", measurement,
                "report_data", Hex.encode(AmdVectors.GENUINE_REPORT_DATA), "vmpl", "0"), Map.of("allow_debug",
                "true", "minimum_tcb", "0x4405000000000002")));
        assertTrue(v.failures().toString(), v.accepted());
        // the genuine Milan report's TCB: raw, then its components (microcode 0x44, SNP 5, TEE 0, boot loader 2)
        assertEquals("0x4405000000000002 [BOOT_LOADER=2 TEE=0 SNP=5 MICROCODE=68]", v.claim("reported_tcb"));
    }

    @Test
    public void genuineEvidenceIsRejectedOutsideTheVcekValidityAndForAnotherNonce() {
        Appraisal early = new SnpReportVerifier().verify(genuine(), new VerificationOptions(Clock.fixed(
                Instant.parse("2022-01-01T00:00:00Z"), ZoneOffset.UTC), List.of(genuineArk()), Map.of(),
                Map.of("allow_debug", "true")));
        assertFalse(early.accepted());
        assertTrue(early.failures().toString(), early.failures().stream().allMatch(f -> f.check().equals("chain")
                && f.reason().contains("SEV-VCEK") && f.reason().contains("not yet valid")));
        Appraisal replay = new SnpReportVerifier().verify(genuine(), options(Map.of("report_data", "0607"),
                Map.of("allow_debug", "true")));
        assertEquals(List.of("report_data"), replay.failures().stream().map(io.teebox.api.appraisal.Check::check).toList());
    }
}
