package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.attestation.CompositeEvidence;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.testing.TestClock;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.testing.NvidiaVectors;
import io.teebox.nvidia.testing.SelfMadeGpu;
import io.teebox.nvidia.verify.internal.GpuEvidenceVerifier;

/**
 * One submission with CPU evidence (the engine test's format, its report data the binding) and GPU evidence (a
 * self-made H100 signing reports shaped like NVIDIA's genuine one, appraised by the real GPU verifier with real
 * P-384 signatures and chains) gives one EAR with submods {@code cpu0} and {@code gpu0}; the GPU's SPDM nonce must be
 * the first 32 bytes of the CPU's report data.
 */
public class CompositeAttestationTest {

    private static final String CPU = AttestationEngineTest.FORMAT;
    private static final String GPU = AttestationReport.EVIDENCE_FORMAT;
    private static final byte[] FWID = fwid();
    private static final SelfMadeGpu SELF_MADE = new SelfMadeGpu(FWID);
    private static final AttestationReport GENUINE = AttestationReport.parse(NvidiaVectors.report());

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    // the self-made chain is valid from about now, so the clock is now
    private final TestClock clock = new TestClock(Instant.now());
    private final AttestationEngineTest.TestVerifier cpuVerifier = new AttestationEngineTest.TestVerifier();
    private final GpuEvidenceVerifier gpuVerifier = new GpuEvidenceVerifier();
    private Path dir;
    private PolicyDirectory policies;
    private AttestationEngine engine;
    private ECKey key;

    private static byte[] fwid() {
        byte[] f = new byte[48];
        Arrays.fill(f, (byte) 0x5a);
        return f;
    }

    @Before
    public void setUp() throws Exception {
        dir = tmp.getRoot().toPath();
        policy("{\"id\": \"default\", \"formats\": {\"" + CPU + "\": {\"reference_values\": {\"measurement\": "
                + "[\"01020304\"]}}, \"" + GPU + "\": {\"reference_values\": {\"driver_version\": \"550.90.07\", "
                + "\"vbios_version\": [\"96.00.9F.00.01\", \"96.00.74.00.1A\"]}}}}");
        key = EarSigner.generate();
        engine = new AttestationEngine(new Nonces(clock, Duration.ofSeconds(60), 100, new SecureRandom()), policies,
                f -> f.equals(CPU) ? cpuVerifier : f.equals(GPU) ? gpuVerifier : null, () -> Set.of(CPU, GPU),
                () -> List.of(X509Authority.toDer(SELF_MADE.root())), new EarSigner(key), clock,
                Duration.ofSeconds(300), "test");
    }

    private void policy(String json) throws Exception {
        Files.writeString(dir.resolve("default.json"), json);
        List<String> log = new ArrayList<>();
        policies = new PolicyDirectory(dir, log::add);
        policies.scan();
        assertTrue(log.toString(), policies.refusals().isEmpty());
    }

    /** @return the CPU evidence binding the nonce (SHA-384 of {"nonce": N}, zero-padded to 64 bytes) */
    private static byte[] cpu(String nonce) throws Exception {
        return AttestationEngineTest.evidence(AttestationEngineTest.bind(nonce), new byte[] {1, 2, 3, 4}, false);
    }

    /** @return the GPU's SPDM nonce for a challenge: the first 32 bytes of the CPU's report data */
    private static byte[] gpuNonce(String nonce) throws Exception {
        return Arrays.copyOf(AttestationEngineTest.bind(nonce), 32);
    }

    private static byte[] gpu(byte[] spdmNonce) {
        return SELF_MADE.sign(GENUINE, spdmNonce, FWID).encode();
    }

    private static String part(String format, byte[] evidence, List<byte[]> certificates) {
        StringBuilder b = new StringBuilder("{\"format\": \"" + format + "\", \"evidence\": \""
                + Base64.getEncoder().encodeToString(evidence) + "\"");
        if (!certificates.isEmpty()) {
            b.append(", \"certificates\": [");
            for (int i = 0; i < certificates.size(); i++) {
                b.append(i == 0 ? "" : ", ").append('"').append(Base64.getEncoder().encodeToString(
                        certificates.get(i))).append('"');
            }
            b.append(']');
        }
        return b.append('}').toString();
    }

    private static String request(String nonce, byte[] cpu, String additional) {
        return "{\"evidence\": " + part(CPU, cpu, List.of()) + ", \"nonce\": \"" + nonce + "\""
                + (additional == null ? "" : ", \"additional_evidence\": " + additional) + "}";
    }

    private static String gpu0(byte[] report) {
        return "{\"gpu0\": " + part(GPU, report, SELF_MADE.chainDer()) + "}";
    }

    /** @return the token's submods in the payload's order (decoded here: Nimbus's claims set keeps no order) */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> submods(String token) throws Exception {
        SignedJWT.parse(token); // a JWS
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        Map<String, Object> claims = (Map<String, Object>) EarClaims.toJava(StrictJson.parse(payload));
        return (Map<String, Map<String, Object>>) claims.get("submods");
    }

    @Test
    public void cpuAndGpuEvidenceBindingOneNonceGiveOneTokenWithSubmodsCpu0AndGpu0() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String token = engine.attest(request(nonce, cpu(nonce), gpu0(gpu(gpuNonce(nonce)))));
        assertTrue(EarSigner.verifies(token, key.toPublicJWK()));
        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals(nonce, jwt.getJWTClaimsSet().getStringClaim("eat_nonce"));
        // the self-made GPU has no RIMs published anywhere, so its golden measurements cannot be compared: the GPU
        // verifier says WARNING (as NVIDIA's would refuse without require_rims=false), and the token's worst is that
        assertEquals("warning", jwt.getJWTClaimsSet().getStringClaim("teebox.status"));
        Map<String, Map<String, Object>> s = submods(token);
        assertEquals(List.of("cpu0", "gpu0"), new ArrayList<>(s.keySet()));
        Map<String, Object> cpu0 = s.get("cpu0");
        Map<String, Object> gpu0 = s.get("gpu0");
        assertEquals("affirming", cpu0.get("ear.status"));
        assertEquals(s.get("gpu0").get("teebox.reasons").toString(), "warning", gpu0.get("ear.status"));
        assertTrue(s.get("gpu0").toString(), s.get("gpu0").toString().contains("RIM"));
        assertEquals("default", gpu0.get("ear.appraisal-policy-id"));
        Map<?, ?> tv = (Map<?, ?>) gpu0.get("ear.trustworthiness-vector");
        assertEquals(2L, ((Number) tv.get("instance-identity")).longValue());
        Map<?, ?> annotated = (Map<?, ?>) gpu0.get("ear.veraison.annotated-evidence");
        // the GPU's nonce is the first 32 bytes of the CPU's report data
        String cpuReportData = (String) ((Map<?, ?>) cpu0.get("ear.veraison.annotated-evidence")).get("report_data");
        assertEquals(cpuReportData.substring(0, 64), annotated.get("report_data"));
        assertEquals(Map.of("nonce", nonce), annotated.get("runtime_data_claims"));
        Map<?, ?> nvgpu = (Map<?, ?>) annotated.get("nvgpu");
        assertEquals("550.90.07", nvgpu.get("driver_version"));
        assertEquals("96.00.9f.00.01", nvgpu.get("vbios_version"));
        assertEquals(Hex.encode(gpuNonce(nonce)), nvgpu.get("nonce"));
        assertEquals(Hex.encode(FWID), nvgpu.get("fwid"));
        assertEquals(64L, ((Number) nvgpu.get("measurement_blocks")).longValue());
    }

    @Test
    public void theGpuVerifierIsGivenTheBindingAsReportDataAndThePolicysSingleValues() throws Exception {
        Map<String, String> seen = new LinkedHashMap<>();
        EvidenceVerifier spy = new EvidenceVerifier() {
            @Override
            public String format() {
                return GPU;
            }

            @Override
            public io.teebox.api.appraisal.Appraisal verify(Evidence e,
                    io.teebox.api.attestation.VerificationOptions o) {
                seen.putAll(o.referenceValues());
                assertTrue(o.policy().isEmpty()); // the GPU verifier takes no policy
                return gpuVerifier.verify(e, o);
            }
        };
        engine = new AttestationEngine(new Nonces(clock, Duration.ofSeconds(60), 10, new SecureRandom()), policies,
                f -> f.equals(CPU) ? cpuVerifier : f.equals(GPU) ? spy : null, () -> Set.of(CPU, GPU),
                () -> List.of(X509Authority.toDer(SELF_MADE.root())), new EarSigner(key), clock,
                Duration.ofSeconds(300), "test");
        String nonce = engine.challenge().get("nonce").getAsString();
        String token = engine.attest(request(nonce, cpu(nonce), gpu0(gpu(gpuNonce(nonce)))));
        // the list of VBIOS versions is the service's own check, the single driver version the verifier's
        assertEquals(Map.of("driver_version", "550.90.07", "report_data", Hex.encode(gpuNonce(nonce))), seen);
        String checks = submods(token).get("gpu0").toString();
        assertEquals("warning (no RIMs for the self-made GPU)", "warning", submods(token).get("gpu0").get("ear.status"));
        assertFalse(checks, checks.contains("vbios_version is"));
    }

    @Test
    public void gpuEvidenceAnsweringAnotherNonceIs403NamingGpu0() throws Exception {
        String other = engine.challenge().get("nonce").getAsString();
        String nonce = engine.challenge().get("nonce").getAsString();
        for (byte[] replayed : new byte[][] {gpu(gpuNonce(other)), GENUINE.encode()}) {
            List<byte[]> chain = replayed == GENUINE.encode() ? NvidiaVectors.chainDer() : SELF_MADE.chainDer();
            String n = engine.challenge().get("nonce").getAsString();
            Problem p = assertThrows(Problem.class, () -> engine.attest(request(n, cpu(n), "{\"gpu0\": "
                    + part(GPU, replayed, chain) + "}")));
            assertEquals(403, p.status);
            assertEquals("EvidenceNotBound", p.name);
            assertTrue(p.getMessage(), p.getMessage().startsWith("gpu0's SPDM nonce "
                    + Hex.encode(AttestationReport.parse(replayed).nonce())
                    + " is not the first 32 bytes of the binding " + Hex.encode(gpuNonce(n))));
            assertTrue(p.getMessage(), p.getMessage().endsWith("GPU evidence from another CVM or a replayed report"));
        }
        // the CPU part alone still binds its own nonce
        engine.attest(request(nonce, cpu(nonce), null));
    }

    @Test
    public void aTamperedGpuReportByteGivesGpu0AndTheTokenContraindicated() throws Exception {
        for (int at : new int[] {3565, -1}) {
            String nonce = engine.challenge().get("nonce").getAsString();
            byte[] report = gpu(gpuNonce(nonce));
            report[at < 0 ? report.length + at : at] ^= 0x40;
            String token = engine.attest(request(nonce, cpu(nonce), gpu0(report)));
            Map<String, Map<String, Object>> s = submods(token);
            assertEquals("affirming", s.get("cpu0").get("ear.status"));
            assertEquals("contraindicated", s.get("gpu0").get("ear.status"));
            assertEquals("contraindicated", SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("teebox.status"));
            Map<?, ?> tv = (Map<?, ?>) s.get("gpu0").get("ear.trustworthiness-vector");
            assertEquals(96L, ((Number) tv.get("instance-identity")).longValue());
            String reasons = s.get("gpu0").get("teebox.reasons").toString();
            assertTrue(reasons, reasons.contains("check=signature") && reasons.contains("does not verify"));
        }
    }

    @Test
    public void aGpuChainToAnotherRootContraindicatesGpu0() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        SelfMadeGpu stranger = new SelfMadeGpu(FWID);
        byte[] report = stranger.sign(GENUINE, gpuNonce(nonce), FWID).encode();
        String token = engine.attest(request(nonce, cpu(nonce), "{\"gpu0\": " + part(GPU, report,
                stranger.chainDer()) + "}"));
        Map<String, Object> gpu0 = submods(token).get("gpu0");
        assertEquals("contraindicated", gpu0.get("ear.status"));
        assertTrue(gpu0.get("teebox.reasons").toString(), gpu0.get("teebox.reasons").toString().contains(
                "check=chain"));
    }

    @Test
    public void thePolicysGpuRulesAreAppliedAndCanDemandAClaim() throws Exception {
        policy("{\"id\": \"default\", \"formats\": {\"" + CPU + "\": {}, \"" + GPU + "\": {\"reference_values\": "
                + "{\"driver_version\": [\"535.86.10\"]}, \"claims\": {\"nvdec0_enabled\": false, \"cc_mode\": "
                + "\"on\"}}}}");
        setUpEngineAgain();
        String nonce = engine.challenge().get("nonce").getAsString();
        String token = engine.attest(request(nonce, cpu(nonce), gpu0(gpu(gpuNonce(nonce)))));
        Map<String, Object> gpu0 = submods(token).get("gpu0");
        assertEquals("contraindicated", gpu0.get("ear.status"));
        String reasons = gpu0.get("teebox.reasons").toString();
        assertTrue(reasons, reasons.contains("driver_version is 550.90.07, the policy demands 535.86.10"));
        // the GPU verifier gives no CC-mode claim: a policy demanding one refuses every GPU until it does
        assertTrue(reasons, reasons.contains("the evidence gives no claim 'cc_mode', which the policy demands to be "
                + "on"));
        assertFalse(reasons, reasons.contains("check=nvdec0_enabled"));
        assertEquals("contraindicated", SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("teebox.status"));
        assertEquals("affirming", submods(token).get("cpu0").get("ear.status"));
    }

    private void setUpEngineAgain() {
        engine = new AttestationEngine(new Nonces(clock, Duration.ofSeconds(60), 100, new SecureRandom()), policies,
                f -> f.equals(CPU) ? cpuVerifier : f.equals(GPU) ? gpuVerifier : null, () -> Set.of(CPU, GPU),
                () -> List.of(X509Authority.toDer(SELF_MADE.root())), new EarSigner(key), clock,
                Duration.ofSeconds(300), "test");
    }

    @Test
    public void malformedAdditionalEvidenceIs400NamingTheMemberAndKeepsTheNonce() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String good = part(GPU, gpu(gpuNonce(nonce)), SELF_MADE.chainDer());
        String[][] cases = {
            {"[]", "additional_evidence is an array; it must be an object of component name to evidence"},
            {"{\"gpu0\": 1}", "additional_evidence.gpu0 is a number; it must be an object"},
            {"{\"gpu0\": {\"format\": \"" + GPU + "\", \"evidence\": \"!!\"}}",
                "additional_evidence.gpu0.evidence is not base64"},
            {"{\"gpu0\": {\"evidence\": \"AA==\"}}", "additional_evidence.gpu0.format is missing"},
            {"{\"gpu0\": {\"format\": \"" + GPU + "\", \"evidence\": \"AA==\", \"extra\": 1}}",
                "additional_evidence.gpu0: unknown member 'extra'"},
            {"{\"gpu0\": {\"format\": \"" + GPU + "\", \"evidence\": \"AA==\", \"certificates\": [true]}}",
                "additional_evidence.gpu0.certificates[0] is a boolean"},
            {"{\"gpu0\": {\"format\": \"" + GPU + "\", \"evidence\": \"AA==\", \"certificates\": \"x\"}}",
                "additional_evidence.gpu0.certificates is a string without a complete PEM block"},
            {"{\"cpu0\": " + good + "}", "additional_evidence.cpu0: cpu0 is the primary evidence"},
            {"{\"GPU-0\": " + good + "}", "additional_evidence.GPU-0: component name 'GPU-0' must be"},
        };
        for (String[] c : cases) {
            Problem p = assertThrows(c[0], Problem.class, () -> engine.attest(request(nonce, cpu(nonce), c[0])));
            assertEquals(c[0], 400, p.status);
            assertEquals(c[0], "MalformedRequest", p.name);
            assertTrue(c[0] + " -> " + p.getMessage(), p.getMessage().startsWith(c[1]));
            assertFalse(p.getMessage(), p.getMessage().contains("\n"));
        }
        // none of them used the nonce up
        assertEquals(List.of("cpu0", "gpu0"), new ArrayList<>(submods(engine.attest(request(nonce, cpu(nonce),
                "{\"gpu0\": " + good + "}"))).keySet()));
    }

    @Test
    public void aPartOfAFormatWithoutVerifierIs400UnsupportedFormatNamingThePart() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        Problem p = assertThrows(Problem.class, () -> engine.attest(request(nonce, cpu(nonce), "{\"gpu0\": "
                + part(GPU, gpu(gpuNonce(nonce)), SELF_MADE.chainDer()) + ", \"gpu1\": " + part("amd-mi300-spdm",
                        new byte[] {1}, List.of()) + "}")));
        assertEquals(400, p.status);
        assertEquals("UnsupportedFormat", p.name);
        assertTrue(p.getMessage(), p.getMessage().startsWith("gpu1: no verifier for evidence format "
                + "'amd-mi300-spdm' is present; present: "));
        engine.attest(request(nonce, cpu(nonce), null)); // the nonce is still good
    }

    @Test
    public void twoGpusEachBindTheNonceAndEachGetsASubmod() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String g = part(GPU, gpu(gpuNonce(nonce)), SELF_MADE.chainDer());
        String token = engine.attest(request(nonce, cpu(nonce), "{\"gpu0\": " + g + ", \"gpu1\": " + g + "}"));
        assertEquals(List.of("cpu0", "gpu0", "gpu1"), new ArrayList<>(submods(token).keySet()));
        String bad = part(GPU, gpu(gpuNonce(nonce)), SELF_MADE.chainDer()); // the used nonce's
        String n = engine.challenge().get("nonce").getAsString();
        Problem p = assertThrows(Problem.class, () -> engine.attest(request(n, cpu(n), "{\"gpu0\": "
                + part(GPU, gpu(gpuNonce(n)), SELF_MADE.chainDer()) + ", \"gpu1\": " + bad + "}")));
        assertTrue(p.getMessage(), p.getMessage().startsWith("gpu1's SPDM nonce"));
    }

    @Test
    public void theInProcessCompositeEntryGivesTheSameToken() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        byte[] spdm = Binding.of(GPU, nonce, null, null).reportData();
        assertArrayEquals(gpuNonce(nonce), spdm);
        Map<String, Evidence> parts = new LinkedHashMap<>();
        parts.put("cpu0", new Evidence(CPU, cpu(nonce), List.of(), Map.of()));
        parts.put("gpu0", new Evidence(GPU, gpu(spdm), SELF_MADE.chainDer(), Map.of()));
        String token = engine.attest(new CompositeEvidence(parts), nonce, null, null, null);
        assertEquals("warning (no RIMs for the self-made GPU)", "warning", submods(token).get("gpu0").get("ear.status"));
        Map<String, Evidence> wrongOrder = new LinkedHashMap<>();
        wrongOrder.put("gpu0", parts.get("gpu0"));
        wrongOrder.put("cpu0", parts.get("cpu0"));
        String n = engine.challenge().get("nonce").getAsString();
        Problem p = assertThrows(Problem.class, () -> engine.attest(new CompositeEvidence(wrongOrder), n, null, null,
                null));
        assertEquals(400, p.status);
    }

    @Test
    public void aRequestWithoutAdditionalEvidenceHasOnlyCpu0() throws Exception {
        String nonce = engine.challenge().get("nonce").getAsString();
        String token = engine.attest(request(nonce, cpu(nonce), null));
        assertEquals(List.of("cpu0"), new ArrayList<>(submods(token).keySet()));
        assertEquals("affirming", SignedJWT.parse(token).getJWTClaimsSet().getStringClaim("teebox.status"));
        String n = engine.challenge().get("nonce").getAsString();
        assertEquals(List.of("cpu0"), new ArrayList<>(submods(engine.attest(request(n, cpu(n), "{}"))).keySet()));
    }

    @Test
    public void theInProcessApiBindsTrusteeRuntimeDataInCpuAndGpuAlike() {
        AttestationTokensProvider tokens = new AttestationTokensProvider(engine, clock);
        io.teebox.attestation.api.Challenge c = tokens.challenge();
        String rd = "{\"tee-pubkey\": {\"kty\": \"EC\", \"crv\": \"P-256\", \"x\": \"X\", \"y\": \"Y\"}, "
                + "\"nonce\": \"" + c.nonce() + "\"}";
        byte[] cpuReportData = tokens.reportData(CPU, c.nonce(), rd);
        byte[] spdm = tokens.reportData(GPU, c.nonce(), rd);
        assertArrayEquals(Arrays.copyOf(cpuReportData, 32), spdm);
        Map<String, Evidence> parts = new LinkedHashMap<>();
        parts.put("cpu0", new Evidence(CPU, AttestationEngineTest.evidence(cpuReportData, new byte[] {1, 2, 3, 4},
                false), List.of(), Map.of()));
        parts.put("gpu0", new Evidence(GPU, gpu(spdm), SELF_MADE.chainDer(), Map.of()));
        Map<String, Object> claims = tokens.verify(tokens.attest(new CompositeEvidence(parts), c.nonce(), rd));
        assertEquals("warning (no RIMs for the self-made GPU)", "warning", claims.get("teebox.status"));
        assertEquals(Set.of("cpu0", "gpu0"), ((Map<?, ?>) claims.get("submods")).keySet());
        io.teebox.attestation.api.Challenge d = tokens.challenge();
        String otherKey = rd.replace(c.nonce(), d.nonce()).replace("\"X\"", "\"Z\"");
        Map<String, Evidence> mixed = new LinkedHashMap<>();
        mixed.put("cpu0", new Evidence(CPU, AttestationEngineTest.evidence(tokens.reportData(CPU, d.nonce(),
                rd.replace(c.nonce(), d.nonce())), new byte[] {1, 2, 3, 4}, false), List.of(), Map.of()));
        mixed.put("gpu0", new Evidence(GPU, gpu(tokens.reportData(GPU, d.nonce(), otherKey)), SELF_MADE.chainDer(),
                Map.of()));
        io.teebox.attestation.api.AttestationRefused r = assertThrows(
                io.teebox.attestation.api.AttestationRefused.class, () -> tokens.attest(new CompositeEvidence(mixed),
                        d.nonce(), rd.replace(c.nonce(), d.nonce())));
        assertEquals(403, r.status());
        assertTrue(r.getMessage(), r.getMessage().startsWith("gpu0's SPDM nonce"));
    }
}
