package io.teebox.amd.verify.internal;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.amd.abi.SevAttestationReport;
import io.teebox.amd.abi.SevCertificate;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.testing.Fuzzing.Parts;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The SEV ATTESTATION verifier as a whole, given any report, any certificates, any trusted roots and any
 * reference values and policy: {@link SevAttestationVerifier#verify} returns a verdict and never throws, every
 * failure names a check and a reason, and an accepted verdict holds a report signed by a PEK that a trusted CEK
 * or OCA signed.
 *
 * <p>Input: {@code Parts} records: a format selector (even: {@code sev-attestation}), the report, a certificate
 * count (mod 5) and that many certificates, a root count (mod 3) and that many roots, then the reference values
 * and the policy as {@code key=value} lines.
 */
class SevAttestationVerifierFuzzTest {

    static final Clock AT = Clock.fixed(Instant.parse("2028-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** The reference values or policy of a {@code key=value} text, as the SNP fuzz test reads them. */
    static Map<String, String> options(String text) {
        return SnpReportVerifierFuzzTest.options(text);
    }

    @FuzzTest
    void verifierAlwaysGivesAVerdict(byte[] data) {
        Parts in = new Parts(data);
        String format = in.u8() % 2 == 0 ? SevAttestationVerifier.FORMAT : "sev-snp-report";
        byte[] report = in.next();
        int n = in.u8() % 5;
        List<byte[]> certs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            certs.add(in.next());
        }
        int m = in.u8() % 3;
        List<byte[]> roots = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            roots.add(in.next());
        }
        Evidence e = new Evidence(format, report, certs, Map.of());
        Appraisal v = new SevAttestationVerifier().verify(e, new VerificationOptions(AT, roots, options(in.text()),
                options(in.text())));
        check("a verdict", v != null && v.claims() != null && v.failures() != null);
        v.failures().forEach(f -> check("failures name a check and a reason: " + f, !f.check().isBlank()
                && !f.reason().isBlank()));
        if (v.accepted()) {
            SevAttestationReport r = SevAttestationReport.parse(report);
            SevCertificate pek = SevCertificate.parse(certs.get(0));
            check("accepted: the PEK signed the report", r.verify(pek.publicKey()));
            check("accepted: a trusted CEK or OCA signed the PEK", roots.stream().anyMatch(root ->
                    (Arrays.equals(root, certs.get(1)) || Arrays.equals(root, certs.get(2)))
                    && pek.signedBy(SevCertificate.parse(root))));
        }
    }
}
