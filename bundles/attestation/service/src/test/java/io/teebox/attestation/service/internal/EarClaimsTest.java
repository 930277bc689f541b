package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.appraisal.Tier;
import io.teebox.api.appraisal.TrustClaim;
import io.teebox.api.tee.Bytes;

public class EarClaimsTest {

    private static final EarClaims.Context CONTEXT = new EarClaims.Context("n0nce", Instant.ofEpochSecond(1000),
            Instant.ofEpochSecond(1300), "https://teebox.io", "test", "default",
            Binding.of("sev-snp-report", "n0nce", null, null));

    @Test
    public void tiersByValueFollowAr4siRanges() {
        int[][] table = {{0, 0}, {1, 0}, {-1, 0}, {2, 1}, {31, 1}, {-2, 1}, {-32, 1}, {32, 2}, {95, 2}, {-33, 2},
            {-96, 2}, {96, 3}, {127, 3}, {-97, 3}, {-128, 3}};
        Tier[] tiers = Tier.values();
        for (int[] row : table) {
            assertEquals("value " + row[0], tiers[row[1]], EarClaims.tierOf(row[0]));
        }
        for (Tier t : tiers) {
            assertEquals(t, EarClaims.tierOf(EarClaims.value(t)));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cpu0(Map<String, Object> claims) {
        return (Map<String, Object>) ((Map<String, Object>) claims.get("submods")).get("cpu0");
    }

    @Test
    public void statusIsTheWorstTierAndEachFailureIsATierChangeWithItsReason() {
        Appraisal a = Appraisal.of("sev-snp-report", Map.of("measurement", "ab", "vmpl", 0L),
                List.of(Check.passed("measurement", "ok"),
                        Check.warning("tcb", "the TCB is out of date"),
                        new Check("debug", "the guest policy allows debugging"),
                        new Check("signature", TrustClaim.HARDWARE, Tier.AFFIRMING, "ok")),
                Bytes.of(new byte[] {1, 2}));
        Map<String, Object> claims = EarClaims.of(a, List.of(), CONTEXT);
        assertEquals(EarClaims.PROFILE, claims.get("eat_profile"));
        assertEquals(1000L, claims.get("iat"));
        assertEquals(1300L, claims.get("exp"));
        assertEquals("n0nce", claims.get("eat_nonce"));
        Map<String, Object> s = cpu0(claims);
        assertEquals("contraindicated", s.get("ear.status"));
        assertEquals(Map.of("executables", 2, "hardware", 32, "configuration", 96, "instance-identity", 2),
                s.get("ear.trustworthiness-vector"));
        assertEquals("default", s.get("ear.appraisal-policy-id"));
        List<?> reasons = (List<?>) s.get("teebox.reasons");
        assertEquals(2, reasons.size());
        assertEquals(Map.of("check", "debug", "claim", "configuration", "tier", "contraindicated", "reason",
                "the guest policy allows debugging"), reasons.get(1));
        Map<?, ?> annotated = (Map<?, ?>) s.get("ear.veraison.annotated-evidence");
        assertEquals("0102", annotated.get("report_data"));
        assertEquals(Map.of("measurement", "ab", "vmpl", 0L), annotated.get("snp"));
        assertEquals(Map.of("nonce", "n0nce"), annotated.get("runtime_data_claims"));
    }

    @Test
    public void allAffirmingGivesAffirmingAndAFailedSignatureBearsOnInstanceIdentity() {
        Appraisal ok = Appraisal.of("tdx-quote-v4", Map.of(), List.of(Check.passed("quote_signature", "ok"),
                Check.passed("mrtd", "ok")), null);
        assertEquals("affirming", cpu0(EarClaims.of(ok, List.of(), CONTEXT)).get("ear.status"));
        Appraisal bad = Appraisal.of("tdx-quote-v4", Map.of(), List.of(new Check("quote_signature", "does not "
                + "verify")), null);
        Map<String, Object> s = cpu0(EarClaims.of(bad, List.of(), CONTEXT));
        assertEquals(Map.of("instance-identity", 96), s.get("ear.trustworthiness-vector"));
        assertTrue(((Map<?, ?>) s.get("ear.veraison.annotated-evidence")).containsKey("tdx"));
    }

    @Test
    public void theServicesOwnChecksJoinTheVector() {
        Appraisal a = Appraisal.of("sev-snp-report", Map.of(), List.of(Check.passed("signature", "ok")), null);
        Map<String, Object> s = cpu0(EarClaims.of(a, List.of(new Check("measurement", "none of 2")), CONTEXT));
        assertEquals("contraindicated", s.get("ear.status"));
        assertEquals(96, ((Map<?, ?>) s.get("ear.trustworthiness-vector")).get("executables"));
    }

    @Test
    public void aCompositeGivesASubmodPerPartWithItsOwnChecksAndTheWorstAsTeeboxStatus() {
        Appraisal cpu = Appraisal.of("sev-snp-report", Map.of(), List.of(Check.passed("signature", "ok")),
                Bytes.of(new byte[] {1}));
        Appraisal gpu = Appraisal.of("nvidia-gpu-spdm-measurements", Map.of("driver_version", "550.90.07"),
                List.of(Check.passed("signature", "ok")), Bytes.of(new byte[] {2}));
        Map<String, Appraisal> parts = new java.util.LinkedHashMap<>();
        parts.put("cpu0", cpu);
        parts.put("gpu0", gpu);
        Map<String, Object> claims = EarClaims.of(Appraisal.composite(parts, List.of()), Map.of("gpu0",
                List.of(new Check("vbios_version", "none of 2"))), CONTEXT);
        assertEquals("contraindicated", claims.get("teebox.status"));
        Map<?, ?> submods = (Map<?, ?>) claims.get("submods");
        assertEquals(List.of("cpu0", "gpu0"), List.copyOf(submods.keySet()));
        assertEquals("affirming", ((Map<?, ?>) submods.get("cpu0")).get("ear.status"));
        Map<?, ?> gpu0 = (Map<?, ?>) submods.get("gpu0");
        assertEquals("contraindicated", gpu0.get("ear.status"));
        Map<?, ?> annotated = (Map<?, ?>) gpu0.get("ear.veraison.annotated-evidence");
        assertEquals(Map.of("driver_version", "550.90.07"), annotated.get("nvgpu"));
        assertEquals("02", annotated.get("report_data"));
        assertEquals("affirming", EarClaims.of(cpu, List.of(), CONTEXT).get("teebox.status"));
    }
}
