package org.example.cca.rmm.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.example.cca.rmm.Cca;
import org.junit.Test;

/**
 * The example's EvidenceVerifier (what a relying party installs) on the genuine TF-RMM token with its published
 * CPAK (the sample and key are the token package's test resources; see their README).
 */
public class CcaVerifierGenuineTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = CcaVerifierGenuineTest.class.getResourceAsStream("/org/example/cca/token/" + name)) {
            return in.readAllBytes();
        }
    }

    private static byte[] cpakDer() throws IOException {
        String pem = new String(resource("cca_platform.pub"), StandardCharsets.US_ASCII);
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static Appraisal appraise(byte[] token, byte[] root, Map<String, String> reference) {
        return new CcaVerifier().verify(new Evidence(Cca.EVIDENCE_FORMAT, token, List.of(), Map.of()),
                new VerificationOptions(Clock.systemUTC(), root == null ? List.of() : List.of(root), reference,
                        Map.of()));
    }

    @Test
    public void theGenuineTokenIsAcceptedWithItsPublishedCpakAndItsChallengeAndRim() throws Exception {
        byte[] token = resource("cca_token.cbor");
        String challenge = "ab".repeat(64);
        Appraisal a = appraise(token, cpakDer(), Map.of("report_data", challenge, "measurement", "00".repeat(32)));
        assertTrue(a.failures().toString(), a.accepted());
        assertEquals("sha-256", a.claims().get("hash_algo"));
        assertEquals(0x3003L, a.claims().get("lifecycle"));
    }

    @Test
    public void aTamperedByteAnotherChallengeAnotherRimOrNoRootIsRejectedByName() throws Exception {
        byte[] token = resource("cca_token.cbor");
        byte[] tampered = Arrays.copyOf(token, token.length);
        tampered[tampered.length - 10] ^= 1; // inside the realm token's signature
        Appraisal a = appraise(tampered, cpakDer(), Map.of());
        assertFalse(a.accepted());
        assertTrue(a.failures().toString(), a.failures().toString().contains("realm_signature"));

        a = appraise(token, cpakDer(), Map.of("report_data", HexFormat.of().formatHex(new byte[64])));
        assertFalse(a.accepted());
        assertTrue(a.failures().toString(), a.failures().toString().contains("report_data"));

        a = appraise(token, cpakDer(), Map.of("measurement", "11".repeat(32)));
        assertFalse(a.accepted());
        assertTrue(a.failures().toString(), a.failures().toString().contains("measurement"));

        a = appraise(token, null, Map.of());
        assertFalse("no trusted CPAK", a.accepted());
        assertTrue(a.failures().toString(), a.failures().toString().contains("cpak_signature"));
    }
}
