package io.teebox.nvidia.verify.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.Test;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.testing.NvidiaVectors;
import io.teebox.nvidia.testing.SelfMadeGpu;

/** The GPU verifier on NVIDIA's genuine Hopper evidence, on tampered copies of it and on self-made GPUs. */
public class GpuEvidenceVerifierTest {

    private static final Clock AT = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    private static final byte[] GENUINE = NvidiaVectors.report();
    private static final List<byte[]> CHAIN = NvidiaVectors.chainDer();
    private static final byte[] NVIDIA_ROOT = X509Authority.toDer(NvidiaVectors.root());
    private final GpuEvidenceVerifier verifier = new GpuEvidenceVerifier();

    private static Evidence evidence(byte[] report, List<byte[]> chain) {
        return new Evidence(AttestationReport.EVIDENCE_FORMAT, report, chain, Map.of());
    }

    private static VerificationOptions options(byte[] root, Map<String, String> refs) {
        return new VerificationOptions(AT, List.of(root), refs, Map.of());
    }

    private static Map<String, String> nonce(String hex) {
        return Map.of("report_data", hex);
    }

    private static String failed(Appraisal a) {
        return a.failures().stream().map(Check::check).distinct().sorted().collect(Collectors.joining(","));
    }

    @Test
    public void genuineSampleVerifiesWithNvidiasRootAndItsNonce() {
        Map<String, String> refs = new HashMap<>(nonce(NvidiaVectors.NONCE_HEX));
        refs.put("driver_version", "550.90.07");
        refs.put("vbios_version", "96.00.9F.00.01");
        Appraisal a = verifier.verify(evidence(GENUINE, CHAIN), options(NVIDIA_ROOT, refs));
        assertTrue(a.failures().toString(), a.accepted());
        assertEquals(List.of("chain", "driver_version", "fwid", "measurements", "ocsp", "report_data", "rim_driver",
                "rim_vbios", "signature", "vbios_version"), a.checks().stream().map(Check::check).sorted().toList());
        // no NVIDIA collateral source: the RIMs and OCSP are warnings naming what was not available
        assertEquals(io.teebox.api.appraisal.Tier.WARNING, a.status());
        Map<String, String> warnings = a.checks().stream().filter(c -> c.tier() == io.teebox.api.appraisal.Tier.WARNING)
                .collect(Collectors.toMap(Check::check, Check::reason));
        assertEquals(List.of("measurements", "ocsp", "rim_driver", "rim_vbios"), warnings.keySet().stream().sorted()
                .toList());
        assertTrue(warnings.get("rim_driver"), warnings.get("rim_driver").startsWith(
                "no driver RIM NV_GPU_DRIVER_GH100_550.90.07 available"));
        assertTrue(warnings.get("rim_vbios"), warnings.get("rim_vbios").startsWith(
                "no VBIOS RIM NV_GPU_VBIOS_1010_0200_882_96009F0001 available"));
        assertTrue(warnings.get("ocsp"), warnings.get("ocsp").contains("no OCSP responder available"));
        assertEquals(List.of("chain", "fwid", "report_data", "signature"), a.checks().stream()
                .filter(c -> c.tier() == io.teebox.api.appraisal.Tier.AFFIRMING).map(Check::check).sorted()
                .filter(c -> !c.endsWith("_version")).toList());
        assertEquals("550.90.07", a.claim("driver_version"));
        assertEquals("96.00.9f.00.01", a.claim("vbios_version"));
        assertEquals(NvidiaVectors.NONCE_HEX, a.claim("nonce"));
        assertEquals("64", a.claim("measurement_blocks"));
        assertEquals("false", a.claim("nvdec0_enabled"));
        assertEquals(NvidiaVectors.NONCE_HEX, io.teebox.kit.hex.Hex.encode(a.nonce().orElseThrow().value()));
        assertTrue(a.claim("fwid").startsWith("f5c384ae"));
        assertEquals(AttestationReport.EVIDENCE_FORMAT, verifier.format());
    }

    @Test
    public void aByteFlippedInTheSignedAreaOrTheSignatureFailsTheSignature() {
        for (int at : new int[] {40, 45, 3565, 3599 + 4, 4020, 4021, 4116}) {
            byte[] t = GENUINE.clone();
            t[at] ^= 0x40;
            Appraisal a = verifier.verify(evidence(t, CHAIN), options(NVIDIA_ROOT, Map.of()));
            assertFalse("byte " + at, a.accepted());
            assertEquals("byte " + at, "signature", failed(a));
            assertTrue(a.failures().get(0).reason(), a.failures().get(0).reason().contains("offset 4021"));
        }
    }

    @Test
    public void aWrongNonceFailsReportData() {
        String other = "00" + NvidiaVectors.NONCE_HEX.substring(2);
        Appraisal a = verifier.verify(evidence(GENUINE, CHAIN), options(NVIDIA_ROOT, nonce(other)));
        assertEquals("report_data", failed(a));
        assertTrue(a.failures().get(0).reason(), a.failures().get(0).reason().contains(NvidiaVectors.NONCE_HEX));
        assertEquals("report_data", failed(verifier.verify(evidence(GENUINE, CHAIN), options(NVIDIA_ROOT,
                nonce("abcd")))));
    }

    @Test
    public void wrongVersionsFail() {
        Appraisal a = verifier.verify(evidence(GENUINE, CHAIN), options(NVIDIA_ROOT, Map.of("driver_version",
                "550.90.08", "vbios_version", "96.00.9F.00.02")));
        assertEquals("driver_version,vbios_version", failed(a));
        assertTrue(a.failures().toString(), a.failures().toString().contains("550.90.07"));
    }

    @Test
    public void aChainOfFourFails() {
        Appraisal a = verifier.verify(evidence(GENUINE, CHAIN.subList(0, 4)), options(NVIDIA_ROOT, Map.of()));
        assertEquals("chain,fwid,ocsp,signature", failed(a));
        assertTrue(a.failures().get(0).reason(), a.failures().get(0).reason().contains("holds 4 certificates"));
    }

    @Test
    public void anotherRootFails() {
        byte[] mine = X509Authority.toDer(X509Authority.builder().subject("CN=NVIDIA Device Identity CA")
                .keyPair(EcKeys.generate("P-384")).ca().selfSigned().certificate());
        Appraisal a = verifier.verify(evidence(GENUINE, CHAIN), options(mine, nonce(NvidiaVectors.NONCE_HEX)));
        assertFalse(a.accepted());
        assertTrue(failed(a), failed(a).startsWith("chain"));
    }

    @Test
    public void aChangedFwidFails() {
        // the opaque FWID is in the signed area, so changing it also breaks the signature
        byte[] t = GENUINE.clone();
        int fwidAt = locateFwid(t);
        t[fwidAt] ^= 0x01;
        Appraisal a = verifier.verify(evidence(t, CHAIN), options(NVIDIA_ROOT, Map.of()));
        assertEquals("fwid,signature", failed(a));
        assertTrue(a.failures().toString(), a.failures().toString().contains("f5c384ae"));
    }

    private static int locateFwid(byte[] report) {
        // FWID's TLV header (20, 48) in the genuine opaque data
        for (int i = 3599; i + 4 < report.length; i++) {
            if (report[i] == 20 && report[i + 1] == 0 && report[i + 2] == 48 && report[i + 3] == 0) {
                return i + 4;
            }
        }
        throw new AssertionError("no FWID");
    }

    @Test
    public void malformedEvidenceFailsFormatNamingTheOffset() {
        Appraisal a = verifier.verify(evidence(Arrays.copyOf(GENUINE, 4000), CHAIN), options(NVIDIA_ROOT,
                Map.of()));
        assertEquals("format", failed(a));
        assertTrue(a.failures().get(0).reason(), a.failures().get(0).reason().contains("offset"));
        assertTrue(a.checks().stream().noneMatch(Check::passed));
        Appraisal other = verifier.verify(new Evidence("sev-snp-report", GENUINE, CHAIN, Map.of()), options(
                NVIDIA_ROOT, Map.of()));
        assertEquals("format", failed(other));
        Appraisal badOption = verifier.verify(evidence(GENUINE, CHAIN), options(NVIDIA_ROOT, Map.of("mrtd",
                "00")));
        assertEquals("options", failed(badOption));
        List<byte[]> junk = new ArrayList<>(CHAIN);
        junk.set(2, new byte[] {1, 2, 3});
        assertEquals("chain,fwid,ocsp,signature", failed(verifier.verify(evidence(GENUINE, junk), options(NVIDIA_ROOT,
                Map.of()))));
    }

    @Test
    public void aSelfMadeGpuVerifiesWithItsRootAndNotWithNvidias() {
        byte[] fwid = new byte[48];
        Arrays.fill(fwid, (byte) 0x3C);
        SelfMadeGpu gpu = new SelfMadeGpu(fwid);
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 0xA5);
        AttestationReport report = gpu.sign(AttestationReport.parse(GENUINE), nonce, fwid);
        String hex = io.teebox.kit.hex.Hex.encode(nonce);
        VerificationOptions mine = new VerificationOptions(Clock.systemUTC(), List.of(X509Authority.toDer(
                gpu.root())), nonce(hex), Map.of());
        Appraisal a = verifier.verify(evidence(report.encode(), gpu.chainDer()), mine);
        assertTrue(a.failures().toString(), a.accepted());
        assertArrayEquals(nonce, a.nonce().orElseThrow().value());
        Appraisal nv = verifier.verify(evidence(report.encode(), gpu.chainDer()), new VerificationOptions(
                Clock.systemUTC(), List.of(NVIDIA_ROOT), nonce(hex), Map.of()));
        assertFalse(nv.accepted());
        assertTrue(failed(nv), failed(nv).startsWith("chain"));
        // the self-made GPU's report with NVIDIA's chain: FWID and signature fail
        Appraisal mixed = verifier.verify(evidence(report.encode(), CHAIN), options(NVIDIA_ROOT, nonce(hex)));
        assertEquals("fwid,signature", failed(mixed));
        // a leaf FWID that differs from the report's
        byte[] other = fwid.clone();
        other[47] ^= 1;
        AttestationReport mismatched = gpu.sign(AttestationReport.parse(GENUINE), nonce, other);
        assertEquals("fwid", failed(verifier.verify(evidence(mismatched.encode(), gpu.chainDer()), mine)));
    }
}
