package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.teebox.amd.abi.SnpReport;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.x509.X509Authority;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The forgery matrix of an SNP ATTESTATION_REPORT: every bit of the signed region (0x000..0x29F, 5376 flips), of
 * the signature (0x2A0..0x32F) and of the reserved tail flipped one at a time, each verified against a chain that
 * accepts the unchanged report. A flip the parser refuses must be a {@code format} failure naming the field (the
 * verifier stops there); every other flip must be a {@code signature} failure (with whatever the changed field
 * also breaks). The report is signed once; chain, TCB, debug and replay forgeries are in
 * {@link SnpReportVerifierTest}.
 */
public class SnpReportForgeryMatrixTest {

    private static final Clock AT = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    private static ForgedChain chain;
    private static Evidence evidence;
    private static VerificationOptions options;

    @BeforeClass
    public static void signOnce() {
        chain = new ForgedChain();
        evidence = chain.evidence();
        options = new VerificationOptions(AT, List.of(X509Authority.toDer(chain.ark().certificate())), Map.of(),
                Map.of());
    }

    private static Appraisal verify(byte[] report) {
        return new SnpReportVerifier().verify(new Evidence(evidence.format(), report, evidence.certificates(),
                Map.of()), options);
    }

    /** Flips every bit of [from, to) and returns each flip whose verdict is not the expected rejection. */
    private static List<String> unexpected(int from, int to) {
        byte[] report = evidence.report();
        List<String> wrong = new ArrayList<>();
        for (int i = from; i < to; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] t = report.clone();
                t[i] ^= (byte) (1 << bit);
                String malformed = null;
                try {
                    SnpReport.parse(t);
                } catch (MalformedStructureException e) {
                    malformed = e.getMessage();
                }
                Appraisal v = verify(t);
                List<String> checks = v.failures().stream().map(Check::check).toList();
                boolean ok = malformed != null
                        ? checks.equals(List.of("format")) && v.failures().get(0).reason().equals(malformed)
                        : checks.contains("signature");
                if (v.accepted() || !ok) {
                    wrong.add(String.format("byte 0x%03X bit %d: %s", i, bit, v.failures()));
                }
            }
        }
        return wrong;
    }

    @Test
    public void theUnchangedReportIsAccepted() {
        Appraisal v = verify(evidence.report());
        assertTrue(v.failures().toString(), v.accepted());
    }

    @Test
    public void everyBitOfTheSignedRegionIsRejected() {
        List<String> wrong = unexpected(0, SnpReport.SIGNED);
        assertEquals(wrong.size() + " flips not rejected as expected: " + wrong.subList(0, Math.min(5,
                wrong.size())), 0, wrong.size());
    }

    @Test
    public void everyBitOfTheSignatureAndTheReservedTailIsRejected() {
        List<String> wrong = unexpected(SnpReport.SIGNED, SnpReport.SIZE);
        assertEquals(wrong.size() + " flips not rejected as expected: " + wrong.subList(0, Math.min(5,
                wrong.size())), 0, wrong.size());
    }

    @Test
    public void malformedFlipsNameTheField() {
        byte[] t = evidence.report();
        t[0x000] ^= 0x08;
        Check version = verify(t).failures().get(0);
        assertTrue(version.reason(), version.reason().contains("VERSION"));
        t = evidence.report();
        t[0x04C] ^= 0x01;
        assertTrue(verify(t).failures().get(0).reason().contains("reserved"));
        t = evidence.report();
        t[0x048] ^= 0x20;
        assertTrue(verify(t).failures().get(0).reason().contains("KEY_INFO"));
    }
}
