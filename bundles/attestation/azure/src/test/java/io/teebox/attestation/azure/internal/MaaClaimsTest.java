package io.teebox.attestation.azure.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.Test;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** The MAA claims of an EAR, against the sample token of Azure's docs (test resources maa/, see its README). */
public class MaaClaimsTest {

    private static JsonObject sample() throws Exception {
        try (var in = MaaClaimsTest.class.getResourceAsStream("/maa/sampleAttestationToken.json")) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    /** An EAR as the attestation service signs one for an SNP report (the SNP verifier's field formats). */
    static Map<String, Object> ear(String status, String policy) {
        Map<String, Object> snp = new LinkedHashMap<>();
        snp.put("version", "3");
        snp.put("guest_svn", "2");
        snp.put("policy", policy + " [SMT allowed, ...]");
        snp.put("family_id", "01000000000000000000000000000000");
        snp.put("image_id", "02000000000000000000000000000000");
        snp.put("vmpl", "0");
        snp.put("reported_tcb", "0x7308000000000003 [BOOT_LOADER=3 TEE=0 SNP=8 MICROCODE=115]");
        snp.put("report_data", "C6500000" + "00".repeat(60));
        snp.put("measurement", "AD6DE16A" + "11".repeat(44));
        snp.put("host_data", "00".repeat(32));
        snp.put("id_key_digest", "57486a44" + "22".repeat(44));
        snp.put("author_key_digest", "00".repeat(48));
        snp.put("report_id", "cf5ea742f08cb45240e8ad40" + "33".repeat(20));
        Map<String, Object> annotated = new LinkedHashMap<>();
        annotated.put("report_data", snp.get("report_data"));
        annotated.put("snp", snp);
        Map<String, Object> cpu0 = new LinkedHashMap<>();
        cpu0.put("ear.status", status);
        cpu0.put("ear.appraisal-policy-id", "default");
        cpu0.put("ear.veraison.annotated-evidence", annotated);
        cpu0.put("teebox.reasons", status.equals("affirming") ? List.of() : List.of(Map.of("check", "debug",
                "reason", "the guest policy allows debugging")));
        return Map.of("submods", Map.of("cpu0", cpu0));
    }

    private static Map<String, Object> runtime() {
        return Map.of("keys", List.of(Map.of("kty", "RSA", "kid", "TpmEphemeralEncryptionKey", "e", "AQAB", "n", "x",
                "key_ops", List.of("encrypt"))), "nonce", "abc");
    }

    @Test
    public void theIsolationTeeClaimsHaveTheSamplesNamesTypesAndValues() throws Exception {
        JsonObject sample = sample();
        Map<String, Object> c = MaaClaims.of(ear("affirming", "0x0000000000030000"), runtime(),
                "https://sharedweu.weu.attest.azure.net", "hash", null, 1671836418L, Maa.LIFETIME, "jti");
        @SuppressWarnings("unchecked")
        Map<String, Object> tee = (Map<String, Object>) c.get("x-ms-isolation-tee");
        JsonObject want = sample.getAsJsonObject("x-ms-isolation-tee");
        assertEquals(new TreeSet<>(want.keySet()), new TreeSet<>(tee.keySet()));
        for (String k : want.keySet()) {
            JsonElement w = want.get(k);
            Object got = tee.get(k);
            if (w.isJsonObject()) {
                assertTrue(k, got instanceof Map);
            } else if (w.getAsJsonPrimitive().isBoolean()) {
                assertEquals(k, w.getAsBoolean(), got);
            } else if (w.getAsJsonPrimitive().isNumber()) {
                assertEquals(k, w.getAsInt(), ((Number) got).intValue());
            } else {
                String s = w.getAsString();
                assertTrue(k + " is a string", got instanceof String);
                if (s.contains("..")) {
                    String g = (String) got;
                    assertTrue(k + " " + g, g.startsWith(s.substring(0, s.indexOf(".."))));
                    assertEquals(k + " hex is lower-case", g.toLowerCase(), g);
                } else {
                    assertEquals(k, s, got);
                }
            }
        }
        assertEquals(sample.get("exp").getAsLong() - sample.get("iat").getAsLong(), (long) c.get("exp")
                - (long) c.get("iat"));
        Set<String> extras = Set.of("nonce", "x-ms-teebox-ear-status", "x-ms-teebox-reasons");
        for (String k : c.keySet()) {
            assertTrue(k + " is a claim of MAA's sample", sample.has(k) || extras.contains(k));
        }
        assertEquals("sevsnpvm", c.get("x-ms-attestation-type"));
        assertEquals(runtime(), c.get("x-ms-runtime"));
        assertEquals("1.0", c.get("x-ms-ver"));
        assertFalse(c.containsKey("x-ms-teebox-reasons"));
    }

    @Test
    public void aGuestTheEarDoesNotAffirmIsNotCompliantWithTheReasons() {
        Map<String, Object> c = MaaClaims.of(ear("contraindicated", "0x00000000000B0000"), runtime(), "iss", "h",
                "n-1", 1, 60, "j");
        @SuppressWarnings("unchecked")
        Map<String, Object> tee = (Map<String, Object>) c.get("x-ms-isolation-tee");
        assertEquals(MaaClaims.NOT_COMPLIANT, tee.get("x-ms-compliance-status"));
        assertEquals(true, tee.get("x-ms-sevsnpvm-is-debuggable"));
        assertEquals(true, tee.get("x-ms-sevsnpvm-smt-allowed"));
        assertEquals(false, tee.get("x-ms-sevsnpvm-migration-allowed"));
        assertEquals(List.of("debug: the guest policy allows debugging"), c.get("x-ms-teebox-reasons"));
        assertEquals("contraindicated", c.get("x-ms-teebox-ear-status"));
        assertEquals("n-1", c.get("nonce"));
        Map<String, Object> migrate = MaaClaims.of(ear("affirming", "0x0000000000040000"), runtime(), "iss", "h",
                null, 1, 60, "j");
        @SuppressWarnings("unchecked")
        Map<String, Object> mt = (Map<String, Object>) migrate.get("x-ms-isolation-tee");
        assertEquals(true, mt.get("x-ms-sevsnpvm-migration-allowed"));
        assertEquals(false, mt.get("x-ms-sevsnpvm-smt-allowed"));
    }

    @Test
    public void turinTcbComponentsComeFromTheVerifiersDecoding() {
        Map<String, Object> snp = new LinkedHashMap<>();
        snp.put("reported_tcb", "0x2A00000001020304 [FMC=4 BOOT_LOADER=3 TEE=2 SNP=1 MICROCODE=42]");
        Map<String, Integer> t = MaaClaims.tcb(snp, "reported_tcb");
        assertEquals(3, (int) t.get("BOOT_LOADER"));
        assertEquals(2, (int) t.get("TEE"));
        assertEquals(1, (int) t.get("SNP"));
        assertEquals(42, (int) t.get("MICROCODE"));
    }

    @Test
    public void anEarWithoutSnpEvidenceIsRefusedNamingWhatIsMissing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaaClaims.of(Map.of(
                "submods", Map.of("cpu0", Map.of("ear.veraison.annotated-evidence", Map.of("tdx", Map.of())))),
                runtime(), "i", "h", null, 1, 1, "j"));
        assertEquals("the EAR has no cpu0.ear.veraison.annotated-evidence.snp object", e.getMessage());
        Map<String, Object> bad = ear("affirming", "0x0000000000030000");
        @SuppressWarnings("unchecked")
        Map<String, Object> snp = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String,
                Object>) bad.get("submods")).get("cpu0")).get("ear.veraison.annotated-evidence")).get("snp");
        snp.put("measurement", "not hex");
        e = assertThrows(IllegalArgumentException.class, () -> MaaClaims.of(bad, runtime(), "i", "h", null, 1, 1, "j"));
        assertEquals("the EAR's SNP field measurement is 'not', not hex", e.getMessage());
    }
}
