package io.teebox.attestation.azure.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.teebox.api.attestation.Evidence;

/**
 * MAA's request checks that come before any appraisal: the request's shape and MAA's binding, the SHA-256 of
 * {@code runtimeData.data} in the first 32 bytes of REPORT_DATA.
 */
public class MaaRequestTest {

    private final Maa maa = new Maa(Maa.generate(), null, () -> "http://127.0.0.1:1", Clock.systemUTC());

    private static final byte[] CERT = "not a real certificate".getBytes(StandardCharsets.UTF_8);

    private static String request(byte[] runtime, byte[] reportData) {
        byte[] report = new byte[0x4A0];
        System.arraycopy(reportData, 0, report, 0x50, reportData.length);
        return AzureGuest.maaRequest(new Evidence("sev-snp-report", report, List.of(CERT), Map.of()), runtime, null);
    }

    private String refused(String body) {
        KeyVaultError e = assertThrows(KeyVaultError.class, () -> maa.attest(body));
        assertEquals(400, e.status);
        assertEquals("InvalidParameter", e.code);
        return e.getMessage();
    }

    @Test
    public void aReportNotCarryingTheSha256OfTheRuntimeDataIsRefused() {
        byte[] runtime = "{\"keys\":[],\"nonce\":\"n\"}".getBytes(StandardCharsets.UTF_8);
        byte[] rd = Arrays.copyOf(Maa.sha256(runtime), 64);
        rd[31] ^= 1;
        String m = refused(request(runtime, rd));
        assertTrue(m, m.startsWith("the report's REPORT_DATA[0..32] is "));
        assertTrue(m, m.endsWith("not the SHA-256 of runtimeData.data " + java.util.HexFormat.of().formatHex(Maa
                .sha256(runtime))));
    }

    @Test
    public void runtimeDataMustBeCanonicalJsonWithTheServicesNonce() {
        byte[] spaced = "{ \"nonce\": \"n\" }".getBytes(StandardCharsets.UTF_8);
        assertTrue(refused(request(spaced, Maa.sha256(spaced))).contains("not RFC 8785 canonical JSON"));
        byte[] noNonce = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
        assertTrue(refused(request(noNonce, Maa.sha256(noNonce))).contains("no string member 'nonce'"));
    }

    @Test
    public void theRequestsShapeIsChecked() {
        assertEquals("unknown member 'quote'; accepted: ", refused("{\"quote\":\"x\"}").replaceAll("\\[.*", ""));
        assertEquals("report is missing", refused("{}"));
        assertTrue(refused("{\"report\":\"***\"}").startsWith("report is not base64url"));
        String shortReport = Base64.getUrlEncoder().encodeToString(("{\"SnpReport\":\"AAAA\",\"VcekCertChain\":\"\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("report.SnpReport is 3 bytes, expected 1184 (an SEV-SNP ATTESTATION_REPORT)", refused(
                "{\"report\":\"" + shortReport + "\"}"));
        byte[] runtime = "{\"nonce\":\"n\"}".getBytes(StandardCharsets.UTF_8);
        String binary = request(runtime, Maa.sha256(runtime)).replace("\"JSON\"", "\"Binary\"");
        assertTrue(refused(binary).startsWith("runtimeData.dataType is 'Binary'"));
        assertTrue(refused(request(runtime, Maa.sha256(runtime)).replace("}", ",\"draftPolicyForAttestation\":\"x\"}"))
                .startsWith("draftPolicyForAttestation is not supported"));
    }
}
