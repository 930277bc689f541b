package io.teebox.bench;

import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.testing.AmdVectors;
import io.teebox.amd.verify.internal.SnpReportVerifier;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.x509.X509Authority;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The genuine Milan ATTESTATION_REPORT with its genuine VCEK, ASK and ARK (the amd-abi test vectors), appraised by
 * {@link SnpReportVerifier} as a relying party does, report after report, at an instant inside the VCEK's validity;
 * and a report signed with a P-384 VCEK as the SNP firmware signs it. Baseline: one bare P-384 verify of the report
 * with the VCEK's key. {@code bench/run} sets these beside {@code openssl speed ecdsap384}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SnpReportBench {

    SnpReportVerifier verifier;
    Evidence evidence;
    VerificationOptions options;
    SnpReport report;
    PublicKey vcek;
    BigInteger[] rs;
    KeyPair signer;

    /** Reads the vectors; checks that the appraisal accepts them. */
    @Setup
    public void setUp() {
        List<X509Certificate> askArk = AmdVectors.chain("ask_ark_milan.pem");
        evidence = new Evidence("sev-snp-report", AmdVectors.milanReport(), List.of(AmdVectors.bytes("vcek.testcer"),
                X509Authority.toDer(askArk.get(0)), X509Authority.toDer(askArk.get(1))), Map.of());
        options = new VerificationOptions(Clock.fixed(Instant.parse("2023-01-01T00:00:00Z"), ZoneOffset.UTC),
                List.of(X509Authority.toDer(askArk.get(1))), Map.of(), Map.of("allow_debug", "true"));
        verifier = new SnpReportVerifier();
        Appraisal a = verifier.verify(evidence, options);
        if (!a.accepted()) {
            throw new IllegalStateException("the genuine report is not accepted: " + a.failures());
        }
        report = SnpReport.parse(AmdVectors.milanReport());
        vcek = AmdVectors.milanVcek().getPublicKey();
        rs = report.signature();
        signer = EcKeys.fromSeed("P-384", "bench-vcek".getBytes());
    }

    /** @return whether one bare P-384 signature verifies (the report's, with the VCEK's key) */
    @Benchmark
    public boolean baselineP384Verify() {
        return Signatures.ecdsaVerify(vcek, "SHA-384", report.signedBytes(), rs[0], rs[1]);
    }

    /** @return the appraisal of the genuine evidence */
    @Benchmark
    public Appraisal verifyReport() {
        return verifier.verify(evidence, options);
    }

    /** @return the report signed with a P-384 VCEK, as the SNP firmware signs MSG_REPORT_RSP */
    @Benchmark
    public byte[] signReport() {
        BigInteger[] sig = Signatures.ecdsaSign(signer.getPrivate(), "SHA-384", report.signedBytes());
        return report.sign(sig[0], sig[1]).bytes();
    }
}
