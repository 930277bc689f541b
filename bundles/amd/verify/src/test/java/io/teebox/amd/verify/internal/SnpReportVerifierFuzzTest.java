package io.teebox.amd.verify.internal;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.amd.abi.SnpReport;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.testing.Fuzzing.Parts;
import io.teebox.kit.x509.X509Authority;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SNP verifier as a whole, given any report, any certificates, any CRL attachment, any trusted roots and any
 * reference values and policy: {@link SnpReportVerifier#verify} returns a verdict and never throws (the
 * {@code EvidenceVerifier} contract), every failure names a check and a reason, and an accepted verdict really
 * holds a report signed by the first certificate's key under a trusted root.
 *
 * <p>Input ({@link #evidence}, {@link #options}): {@code Parts} records: a format selector (even: the SNP format),
 * the report, a certificate count (mod 5) and that many certificates, the {@code crl} attachment (empty: none), a
 * root count (mod 3) and that many roots, then the reference values and the policy as {@code key=value} lines.
 */
class SnpReportVerifierFuzzTest {

    /** Inside the genuine VCEK's validity and the test chains'. */
    static final Clock AT = Clock.fixed(Instant.parse("2028-01-01T00:00:00Z"), ZoneOffset.UTC);

    static Evidence evidence(Parts in, List<byte[]> roots) {
        String format = in.u8() % 2 == 0 ? SnpReportVerifier.FORMAT : "sev-attestation";
        byte[] report = in.next();
        int n = in.u8() % 5;
        List<byte[]> certs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            certs.add(in.next());
        }
        byte[] crl = in.next();
        Map<String, byte[]> attachments = crl.length == 0 ? Map.of() : Map.of(SnpReportVerifier.ATTACHMENT_CRL, crl);
        int m = in.u8() % 3;
        for (int i = 0; i < m; i++) {
            roots.add(in.next());
        }
        return new Evidence(format, report, certs, attachments);
    }

    static Map<String, String> options(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq >= 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            } else if (!line.isEmpty()) {
                out.put(line, "");
            }
        }
        return out;
    }

    @FuzzTest
    void verifierAlwaysGivesAVerdict(byte[] data) {
        Parts in = new Parts(data);
        List<byte[]> roots = new ArrayList<>();
        Evidence e = evidence(in, roots);
        VerificationOptions o = new VerificationOptions(AT, roots, options(in.text()), options(in.text()));
        Appraisal v = new SnpReportVerifier().verify(e, o);
        check("a verdict", v != null && v.claims() != null && v.failures() != null);
        v.failures().forEach(f -> check("failures name a check and a reason: " + f, !f.check().isBlank()
                && !f.reason().isBlank()));
        if (v.accepted()) {
            acceptedMeansSigned(e, roots);
        }
    }

    private static void acceptedMeansSigned(Evidence e, List<byte[]> roots) {
        check("accepted evidence is SNP evidence", e.format().equals(SnpReportVerifier.FORMAT));
        SnpReport r = SnpReport.parse(e.report());
        X509Certificate leaf = X509Authority.certificateFromDer(e.certificates().get(0));
        BigInteger[] rs = r.signature();
        check("accepted: the leaf's key signed the report", Signatures.ecdsaVerify(leaf.getPublicKey(), "SHA-384",
                r.signedBytes(), rs[0], rs[1]));
        // a trust anchor is a name and a key (RFC 5280 6.1.1): the chain's top must have a root's subject and
        // key, or be signed by a root's key; the anchor's own other fields and self-signature do not matter
        X509Certificate top = X509Authority.certificateFromDer(e.certificates().get(2));
        check("accepted: the chain ends in a trusted root", roots.stream().map(SnpReportVerifierFuzzTest::parsed)
                .filter(java.util.Objects::nonNull).anyMatch(root -> root.getSubjectX500Principal().equals(
                        top.getSubjectX500Principal()) && root.getPublicKey().equals(top.getPublicKey())
                        || signedBy(top, root)));
    }

    private static X509Certificate parsed(byte[] der) {
        try {
            return X509Authority.certificateFromDer(der);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean signedBy(X509Certificate c, X509Certificate root) {
        try {
            c.verify(root.getPublicKey(), io.teebox.kit.crypto.BouncyCastle.provider());
            return true;
        } catch (java.security.GeneralSecurityException | RuntimeException ex) {
            return false;
        }
    }
}
