package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class AttestationPolicyTest {

    static final String GOOD = "{\"id\": \"prod\", \"description\": \"production\", \"formats\": {"
            + "\"sev-snp-report\": {\"reference_values\": {\"measurement\": [\"AB01\", \"0xcd02\"], \"vmpl\": 0,"
            + " \"host_data\": \"00ff\"},"
            + " \"policy\": {\"allow_debug\": false, \"minimum_tcb\": {\"boot_loader\": 3, \"tee\": 0, \"snp\": 8,"
            + " \"microcode\": 115}}},"
            + "\"tdx-quote-v4\": {\"reference_values\": {\"mrtd\": \"aa\"}, \"policy\": {\"min_tee_tcb_svn\": "
            + "\"03000000000000000000000000000000\", \"allowed_tcb_status\": [\"UpToDate\", \"SWHardeningNeeded\"]}}"
            + "}}";

    @Test
    public void aPolicyFileGivesItsRulesPerFormat() {
        AttestationPolicy p = AttestationPolicy.parse(GOOD);
        assertEquals("prod", p.id());
        assertEquals(List.of("sev-snp-report", "tdx-quote-v4"), List.copyOf(p.formats().keySet()));
        AttestationPolicy.Rules snp = p.rules("sev-snp-report");
        assertEquals(Map.of("measurement", List.of("ab01", "cd02")), snp.anyOf());
        assertEquals(Map.of("vmpl", "0", "host_data", "00ff"), snp.referenceValues());
        // Milan layout: byte 0 BOOT_LOADER 3, byte 1 TEE 0, byte 6 SNP 8, byte 7 MICROCODE 115 (0x73)
        assertEquals(Map.of("allow_debug", "false", "minimum_tcb", "7308000000000003"), snp.policy());
        assertEquals("UpToDate,SWHardeningNeeded", p.rules("tdx-quote-v4").policy().get("allowed_tcb_status"));
        assertTrue(p.rules("sev-attestation").policy().isEmpty());
        assertEquals(p.toJson(), AttestationPolicy.parse(p.toJson().toString()).toJson());
    }

    private static String refused(String text) {
        return assertThrows(IllegalArgumentException.class, () -> AttestationPolicy.parse(text)).getMessage();
    }

    @Test
    public void badFilesAreRefusedNamingTheField() {
        assertTrue(refused("{\"id\": \"x\", ").startsWith("not JSON: "));
        assertTrue(refused("{\"id\": \"x\"} // comment").startsWith("not JSON: "));
        assertEquals("id is missing", refused("{\"formats\": {}}"));
        assertEquals("id 'a b' must be 1-64 letters, digits, '.', '_' or '-'",
                refused("{\"id\": \"a b\", \"formats\": {\"x\": {}}}"));
        assertEquals("unknown member 'format'; accepted: id, description, formats",
                refused("{\"id\": \"a\", \"format\": {}}"));
        assertTrue(refused("{\"id\": \"a\", \"formats\": {}}").startsWith("formats must be an object naming at "));
        assertEquals("formats.sev-snp-report.reference_values.measurment: unknown name; known: [author_key_digest, "
                + "family_id, host_data, id_key_digest, image_id, measurement, vmpl]",
                refused("{\"id\": \"a\", \"formats\": {\"sev-snp-report\": {\"reference_values\": "
                        + "{\"measurment\": \"ab\"}}}}"));
        assertEquals("formats.tdx-quote-v4.reference_values.mrtd is 'xyz'; accepted: hex, an even number of digits",
                refused("{\"id\": \"a\", \"formats\": {\"tdx-quote-v4\": {\"reference_values\": {\"mrtd\": \"xyz\"}}}}"));
        assertTrue(refused("{\"id\": \"a\", \"formats\": {\"tdx-quote-v4\": {\"reference_values\": "
                + "{\"report_data\": \"00\"}}}}").contains("bound to each request's nonce"));
        assertEquals("formats.tdx-quote-v4.reference_values.mrtd is an empty list: nothing could match",
                refused("{\"id\": \"a\", \"formats\": {\"tdx-quote-v4\": {\"reference_values\": {\"mrtd\": []}}}}"));
        assertEquals("formats.sev-snp-report.policy.minimum_tcb.snp is 300; accepted: an SPL 0..255",
                refused("{\"id\": \"a\", \"formats\": {\"sev-snp-report\": {\"policy\": {\"minimum_tcb\": "
                        + "{\"snp\": 300}}}}}"));
        assertTrue(refused("{\"id\": \"a\", \"formats\": {\"sev-snp-report\": {\"policy\": {\"minimum_tcb\": "
                + "{\"fmc\": 1}}}}}").contains("unknown component 'fmc'"));
    }

    @Test
    public void namesOfFormatsTeeboxDoesNotVerifyGoToTheirVerifierUnchecked() {
        AttestationPolicy p = AttestationPolicy.parse("{\"id\": \"gpu\", \"formats\": {\"nvgpu\": {\"policy\": "
                + "{\"anything\": 1}}}}");
        assertEquals(Map.of("anything", "1"), p.rules("nvgpu").policy());
    }

    @Test
    public void gpuRulesHoldTextVersionsAndDemandedClaims() {
        AttestationPolicy p = AttestationPolicy.parse("{\"id\": \"ai\", \"formats\": {\"sev-snp-report\": {}, "
                + "\"nvidia-gpu-spdm-measurements\": {\"reference_values\": {\"driver_version\": \"550.90.07\", "
                + "\"vbios_version\": [\"96.00.9F.00.01\", \"96.00.74.00.1A\"]}, \"claims\": {\"nvdec0_enabled\": "
                + "false, \"project\": [\"G520\", \"G521\"]}}}}");
        AttestationPolicy.Rules gpu = p.rules("nvidia-gpu-spdm-measurements");
        // versions are text (not hex): a single one goes to the verifier, a list is the service's check
        assertEquals(Map.of("driver_version", "550.90.07"), gpu.referenceValues());
        assertEquals(Map.of(), gpu.anyOf());
        assertEquals(Map.of("vbios_version", List.of("96.00.9F.00.01", "96.00.74.00.1A"), "nvdec0_enabled",
                List.of("false"), "project", List.of("G520", "G521")), gpu.claims());
        assertEquals(p.toJson(), AttestationPolicy.parse(p.toJson().toString()).toJson());
        assertEquals("formats.nvidia-gpu-spdm-measurements.policy.allow_debug: unknown name; known: []",
                refused("{\"id\": \"a\", \"formats\": {\"nvidia-gpu-spdm-measurements\": {\"policy\": "
                        + "{\"allow_debug\": false}}}}"));
        assertEquals("formats.nvidia-gpu-spdm-measurements.reference_values.vbios: unknown name; known: "
                + "[driver_version, vbios_version]", refused("{\"id\": \"a\", \"formats\": "
                        + "{\"nvidia-gpu-spdm-measurements\": {\"reference_values\": {\"vbios\": \"1\"}}}}"));
        assertEquals("formats.nvidia-gpu-spdm-measurements.claims.project is an empty list: nothing could match",
                refused("{\"id\": \"a\", \"formats\": {\"nvidia-gpu-spdm-measurements\": {\"claims\": "
                        + "{\"project\": []}}}}"));
        assertEquals("formats.nvidia-gpu-spdm-measurements.claims.vbios_version: already given as a reference value",
                refused("{\"id\": \"a\", \"formats\": {\"nvidia-gpu-spdm-measurements\": {\"reference_values\": "
                        + "{\"vbios_version\": [\"1\"]}, \"claims\": {\"vbios_version\": \"2\"}}}}"));
    }
}
