package io.teebox.intel.verify.internal;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.firmware.DefaultFirmware;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
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
 * TD quotes: the genuine SPR-E4 Quote v4 with its genuine PCK chain and DCAP collateral (the intel-verify test
 * vectors) appraised by {@link TdxQuoteVerifier} at go-tdx-guest's instant, quote after quote (it fails only for its
 * genuine TCB level, after every signature, chain and CRL check ran); and a TD of teebox's default platform asking
 * its quoting enclave for a Quote v4 (TDG.MR.REPORT, then the quote signed with the attestation key). Baselines: one
 * bare P-256 verify (the quote's own signature) and sign with Bouncy Castle, and a sign with the JDK's SunEC, to pick
 * the faster provider. {@code bench/run} sets these beside {@code openssl speed ecdsap256}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TdQuoteBench {

    TdxQuoteVerifier verifier;
    Evidence evidence;
    VerificationOptions options;
    PublicKey attestationKey;
    byte[] signed;
    BigInteger[] rs;
    KeyPair bcKey;
    KeyPair sunKey;
    Signature sunSigner;
    TdxBackend backend;
    long td;
    byte[] nonce;

    /** Reads the vectors and starts a TD; checks the appraisal fails for its genuine reason only. */
    @Setup
    public void setUp() throws Exception {
        byte[] raw = GenuineTdxEvidenceTest.vector("tdx_prod_quote_SPR_E4.dat");
        String collateral = GenuineTdxEvidenceTest.collateral("sample_tcbInfo_response",
                "pck_chain_from_tdx_prod_quote_SPR_E4.pem");
        evidence = new Evidence(Tdx.EVIDENCE_FORMAT, raw, List.of(), Map.of(Tdx.ATTACHMENT_COLLATERAL,
                collateral.getBytes(StandardCharsets.UTF_8)));
        options = new VerificationOptions(Clock.fixed(Instant.parse("2023-07-01T01:00:00Z"), ZoneOffset.UTC),
                List.of(GenuineTdxEvidenceTest.intelRoot()), Map.of(), Map.of());
        verifier = new TdxQuoteVerifier();
        Appraisal a = verifier.verify(evidence, options);
        if (a.failures().size() != 1 || !a.failures().get(0).check().equals("tcb_status")) {
            throw new IllegalStateException("the genuine quote does not fail for its TCB level only: " + a.failures());
        }
        Quote q = Quote.parse(raw);
        byte[] ak = q.attestationKey();
        attestationKey = EcKeys.publicKey("P-256", new BigInteger(1, Arrays.copyOf(ak, 32)),
                new BigInteger(1, Arrays.copyOfRange(ak, 32, 64)));
        signed = q.signedBytes();
        rs = Signatures.fromRaw(q.signature());
        bcKey = EcKeys.fromSeed("P-256", "bench-attestation-key".getBytes(StandardCharsets.US_ASCII));
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "SunEC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        sunKey = g.generateKeyPair();
        sunSigner = Signature.getInstance("SHA256withECDSA", "SunEC");

        IntelPcs pcs = TdxTesting.offlinePcs(TdxTesting.INTEL_SEED, List.of(), Clock.fixed(
                Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));
        backend = TdxTesting.backend(pcs);
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), TdAttributes.SEPT_VE_DISABLE, 1,
                new MapGuestMemory(1), Map.of());
        s.measure();
        s.finish();
        td = s.handle();
        nonce = Arrays.copyOf("bench".getBytes(StandardCharsets.US_ASCII), 64);
    }

    /** @return whether one bare P-256 signature verifies (the quote's, with its attestation key) */
    @Benchmark
    public boolean baselineP256Verify() {
        return Signatures.ecdsaVerify(attestationKey, "SHA-256", signed, rs[0], rs[1]);
    }

    /** @return the appraisal of the genuine quote */
    @Benchmark
    public Appraisal verifyQuote() {
        return verifier.verify(evidence, options);
    }

    /** @return one bare P-256 signature with Bouncy Castle (what the quoting enclave uses) */
    @Benchmark
    public BigInteger[] p256SignBouncyCastle() {
        return Signatures.ecdsaSign(bcKey.getPrivate(), "SHA-256", signed);
    }

    /** @return one bare P-256 signature with the JDK's SunEC */
    @Benchmark
    public byte[] p256SignSunEc() throws Exception {
        sunSigner.initSign(sunKey.getPrivate());
        sunSigner.update(signed);
        return sunSigner.sign();
    }

    /** @return a Quote v4 of the TD, as its GetQuote gets it */
    @Benchmark
    public byte[] signQuote() {
        return TdxTesting.guest(backend, td).getQuote(nonce);
    }
}
