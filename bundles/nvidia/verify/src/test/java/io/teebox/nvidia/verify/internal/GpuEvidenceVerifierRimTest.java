package io.teebox.nvidia.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.Test;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.appraisal.Tier;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.abi.DiceFwid;
import io.teebox.nvidia.abi.GetMeasurementsRequest;
import io.teebox.nvidia.abi.MeasurementBlock;
import io.teebox.nvidia.abi.MeasurementsResponse;
import io.teebox.nvidia.abi.OpaqueData;
import io.teebox.nvidia.abi.OpaqueField;
import io.teebox.nvidia.abi.ReportSigner;
import io.teebox.nvidia.rim.GoldenMeasurement;
import io.teebox.nvidia.rim.Rim;
import io.teebox.nvidia.rim.RimContent;
import io.teebox.nvidia.rim.internal.MemoryKeeper;
import io.teebox.nvidia.rim.internal.NvidiaServicesImpl;
import io.teebox.nvidia.testing.NvidiaVectors;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/**
 * The GPU verifier against the emulated NVIDIA services as its collateral source: a GPU provisioned by the emulated
 * PKI, the genuine report's measurements and opaque data re-signed by that GPU, RIMs published for its driver and
 * VBIOS made from the genuine test RIMs' active indices.
 */
public class GpuEvidenceVerifierRimTest {

    static final Clock AT = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    static final String DRIVER_ID = "NV_GPU_DRIVER_GH100_550.90.07";
    static final String VBIOS_ID = "NV_GPU_VBIOS_1010_0200_882_96009F0001";
    static final AttestationReport GENUINE = AttestationReport.parse(NvidiaVectors.report());
    static final Rim GENUINE_DRIVER_RIM = Rim.parse(resource("nvidia-h100/Driver_RIM_test_no_gpu.swidtag"));
    static final Rim GENUINE_VBIOS_RIM =
            Rim.parse(resource("nvidia-h100/1010_0200_882_96005E0001_test_no_gpu.swidtag"));

    static byte[] resource(String name) {
        try (var in = GpuEvidenceVerifierRimTest.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (Exception e) {
            throw new AssertionError("missing " + name, e);
        }
    }

    /** One emulated GPU with its NVIDIA services. */
    static final class Gpu {
        final NvidiaServicesImpl nvidia = new NvidiaServicesImpl(new MemoryKeeper(), null,
                () -> "http://127.0.0.1:1", AT);
        final KeyPair identity = EcKeys.generate("P-384");
        final KeyPair alias = EcKeys.generate("P-384");
        final BigInteger serial = new BigInteger("41431D480FE5E87274", 16);
        final byte[] fwid = Hex.decode("3c".repeat(48));
        final List<X509Certificate> chain;

        Gpu() {
            List<X509Certificate> four = nvidia.provision(identity.getPublic(), serial);
            X509Certificate leaf = X509Authority.of(four.get(0), identity.getPrivate()).issue()
                    .subject("CN=GH100 A01 GSP FMC LF, O=NVIDIA Corporation, C=US").keyPair(alias)
                    .serial(BigInteger.valueOf(1234)).signatureAlgorithm(X509Authority.ECDSA_SHA384)
                    .validity(Instant.parse("2020-10-17T00:00:00Z"), Instant.parse("9999-12-31T23:59:59Z"))
                    .endEntity().keyUsage(KeyUsageBit.DIGITAL_SIGNATURE)
                    .extension(DiceFwid.OID, false, DiceFwid.extensionValue(alias.getPublic(), fwid))
                    .buildCertificate();
            List<X509Certificate> c = new ArrayList<>();
            c.add(leaf);
            c.addAll(four);
            chain = List.copyOf(c);
        }

        AttestationReport report(byte[] nonce, List<MeasurementBlock> blocks) {
            List<OpaqueField> fields = new ArrayList<>();
            for (OpaqueField f : GENUINE.opaqueData().fields()) {
                fields.add(f.type() == OpaqueField.FWID ? new OpaqueField(OpaqueField.FWID, fwid) : f);
            }
            return new ReportSigner(alias.getPrivate()).sign(GetMeasurementsRequest.of(nonce),
                    MeasurementsResponse.unsigned(blocks, GENUINE.response().nonce(), new OpaqueData(fields)));
        }

        /** Publishes RIMs that state the genuine report's values at the genuine test RIMs' active indices. */
        void publishMatchingRims(List<MeasurementBlock> blocks) {
            nvidia.publish(content(DRIVER_ID, RimContent.Kind.DRIVER, "550.90.07", GENUINE_DRIVER_RIM, blocks));
            nvidia.publish(content(VBIOS_ID, RimContent.Kind.VBIOS, "96.00.9F.00.01", GENUINE_VBIOS_RIM, blocks));
        }

        GpuEvidenceVerifier verifier() {
            return new GpuEvidenceVerifier(new CollateralSources(List.of(nvidia)));
        }

        Evidence evidence(AttestationReport r) {
            return new Evidence(AttestationReport.EVIDENCE_FORMAT, r.encode(),
                    chain.stream().map(X509Authority::toDer).toList(), Map.of());
        }

        VerificationOptions options(byte[] nonce, Map<String, String> policy) {
            return new VerificationOptions(AT, List.of(X509Authority.toDer(nvidia.deviceRoot()),
                    X509Authority.toDer(nvidia.rimRoot())), Map.of("report_data", Hex.encode(nonce)), policy);
        }
    }

    static RimContent content(String id, RimContent.Kind kind, String version, Rim like,
            List<MeasurementBlock> blocks) {
        List<GoldenMeasurement> m = new ArrayList<>();
        for (GoldenMeasurement g : like.measurements()) {
            byte[] v = blocks.get(g.index()).value();
            m.add(new GoldenMeasurement(g.index(), g.name(), g.active(),
                    g.active() ? List.of(v) : List.of(new byte[48])));
        }
        return new RimContent(id, kind, version, m);
    }

    static final byte[] NONCE = Hex.decode("a5".repeat(32));

    static String failed(Appraisal a) {
        return a.checks().stream().filter(c -> c.tier() != Tier.AFFIRMING).map(Check::check).distinct().sorted()
                .collect(Collectors.joining(","));
    }

    static String reason(Appraisal a, String check) {
        return a.checks().stream().filter(c -> c.check().equals(check)).map(Check::reason).findFirst().orElseThrow();
    }

    @Test
    public void emulatedGpuWithPublishedRimsIsAffirmed() {
        Gpu gpu = new Gpu();
        List<MeasurementBlock> blocks = GENUINE.response().blocks();
        gpu.publishMatchingRims(blocks);
        Appraisal a = gpu.verifier().verify(gpu.evidence(gpu.report(NONCE, blocks)), gpu.options(NONCE, Map.of()));
        assertEquals(a.checks().toString(), Tier.AFFIRMING, a.status());
        assertEquals(DRIVER_ID, a.claim("rim_driver_id"));
        assertEquals(VBIOS_ID, a.claim("rim_vbios_id"));
        assertEquals("33", a.claim("golden_measurements"));
    }

    @Test
    public void aChangedMeasurementBlockIsNamed() {
        Gpu gpu = new Gpu();
        List<MeasurementBlock> blocks = GENUINE.response().blocks();
        gpu.publishMatchingRims(blocks);
        List<MeasurementBlock> changed = new ArrayList<>(blocks);
        byte[] v = changed.get(7).value();
        v[47] ^= 1;
        changed.set(7, new MeasurementBlock(8, changed.get(7).valueType(), v));
        Appraisal a = gpu.verifier().verify(gpu.evidence(gpu.report(NONCE, changed)), gpu.options(NONCE, Map.of()));
        assertEquals("measurements", failed(a));
        assertEquals(Tier.CONTRAINDICATED, a.status());
        assertTrue(reason(a, "measurements"), reason(a, "measurements").startsWith("1 of 33 active golden measurements"
                + " do not match the report: driver index 7 (Measurement_7): got " + Hex.encode(v)));
    }

    @Test
    public void rimsSignedUnderNoTrustedRootAreUnavailable() {
        Gpu gpu = new Gpu();
        gpu.publishMatchingRims(GENUINE.response().blocks());
        VerificationOptions deviceRootOnly = new VerificationOptions(AT, List.of(X509Authority.toDer(
                gpu.nvidia.deviceRoot())), Map.of("report_data", Hex.encode(NONCE)), Map.of());
        Appraisal a = gpu.verifier().verify(gpu.evidence(gpu.report(NONCE, GENUINE.response().blocks())),
                deviceRootOnly);
        assertEquals("measurements,rim_driver,rim_vbios", failed(a));
        // passed over as if absent (a RIM under a root the relying party does not trust vouches for nothing), so a
        // warning; NVIDIA's strictness with require_rims
        assertTrue(reason(a, "rim_driver"), reason(a, "rim_driver").contains("which is not a trusted root"));
        assertEquals(Tier.WARNING, a.status());
        Appraisal strict = gpu.verifier().verify(gpu.evidence(gpu.report(NONCE, GENUINE.response().blocks())),
                new VerificationOptions(AT, deviceRootOnly.trustedRoots(), deviceRootOnly.referenceValues(),
                        Map.of("require_rims", "true")));
        assertEquals(Tier.CONTRAINDICATED, strict.status());
    }

    @Test
    public void aRimOfAnotherVersionFails() {
        Gpu gpu = new Gpu();
        List<MeasurementBlock> blocks = GENUINE.response().blocks();
        gpu.nvidia.publish(content(DRIVER_ID, RimContent.Kind.DRIVER, "550.90.08", GENUINE_DRIVER_RIM, blocks));
        gpu.nvidia.publish(content(VBIOS_ID, RimContent.Kind.VBIOS, "96.00.9F.00.01", GENUINE_VBIOS_RIM, blocks));
        Appraisal a = gpu.verifier().verify(gpu.evidence(gpu.report(NONCE, blocks)), gpu.options(NONCE, Map.of()));
        assertEquals("measurements,rim_driver", failed(a));
        assertTrue(reason(a, "rim_driver"), reason(a, "rim_driver").contains("colloquialVersion is 550.90.08"));
    }

    @Test
    public void aRevokedBromCertificateFailsOcsp() {
        Gpu gpu = new Gpu();
        gpu.publishMatchingRims(GENUINE.response().blocks());
        gpu.nvidia.revoke(gpu.serial);
        Appraisal a = gpu.verifier().verify(gpu.evidence(gpu.report(NONCE, GENUINE.response().blocks())),
                gpu.options(NONCE, Map.of()));
        assertEquals("ocsp", failed(a));
        assertTrue(reason(a, "ocsp"), reason(a, "ocsp").startsWith("OCSP for the device certificate 1 "
                + "'GH100 A01 GSP BROM': the certificate is revoked"));
    }

    @Test
    public void aRevokedRimSignerFailsOcsp() {
        Gpu gpu = new Gpu();
        gpu.publishMatchingRims(GENUINE.response().blocks());
        Rim published = Rim.parse(Base64Json.rim(gpu.nvidia.fetch("rim", Map.of("id", DRIVER_ID)).orElseThrow()));
        gpu.nvidia.revoke(published.certificates().get(0).getSerialNumber());
        Appraisal a = gpu.verifier().verify(gpu.evidence(gpu.report(NONCE, GENUINE.response().blocks())),
                gpu.options(NONCE, Map.of()));
        assertEquals("ocsp", failed(a));
        assertTrue(reason(a, "ocsp"), reason(a, "ocsp").contains("driver RIM certificate 0 'HCC RIM L4 Signer'"));
    }

    @Test
    public void aResponderThatForgetsTheNonceFails() {
        Gpu gpu = new Gpu();
        gpu.publishMatchingRims(GENUINE.response().blocks());
        CollateralSource replaying = new CollateralSource() {
            byte[] first;

            @Override
            public Optional<Bytes> fetch(String kind, Map<String, String> key) {
                Optional<Bytes> b = gpu.nvidia.fetch(kind, key);
                if (kind.equals("ocsp")) {
                    if (first == null) {
                        first = b.orElseThrow().value();
                    }
                    return Optional.of(Bytes.of(first));
                }
                return b;
            }

            @Override
            public String describe() {
                return "replaying";
            }
        };
        Appraisal a = new GpuEvidenceVerifier(new CollateralSources(List.of(replaying))).verify(
                gpu.evidence(gpu.report(NONCE, GENUINE.response().blocks())), gpu.options(NONCE, Map.of()));
        assertEquals("ocsp", failed(a));
        assertTrue(reason(a, "ocsp"), reason(a, "ocsp").contains("nonce"));
    }

    @Test
    public void withoutASourceRequireRimsContraindicates() {
        Gpu gpu = new Gpu();
        GpuEvidenceVerifier none = new GpuEvidenceVerifier();
        Evidence e = gpu.evidence(gpu.report(NONCE, GENUINE.response().blocks()));
        Appraisal lenient = none.verify(e, gpu.options(NONCE, Map.of()));
        assertEquals(Tier.WARNING, lenient.status());
        assertEquals("measurements,ocsp,rim_driver,rim_vbios", failed(lenient));
        Appraisal strict = none.verify(e, gpu.options(NONCE, Map.of("require_rims", "true", "require_ocsp", "true")));
        assertEquals(Tier.CONTRAINDICATED, strict.status());
        assertTrue(reason(strict, "rim_driver"), reason(strict, "rim_driver").contains(
                "no driver RIM NV_GPU_DRIVER_GH100_550.90.07 available (no NVIDIA collateral source)"));
        Appraisal bad = none.verify(e, gpu.options(NONCE, Map.of("require_rims", "yes")));
        assertEquals("options", failed(bad));
    }

    @Test
    public void genuineSampleWithTheEmulatedServicesHasNoRimsAndItsResponderIsNotNvidias() {
        Gpu gpu = new Gpu();
        Appraisal a = gpu.verifier().verify(new Evidence(AttestationReport.EVIDENCE_FORMAT, NvidiaVectors.report(),
                NvidiaVectors.chainDer(), Map.of()), new VerificationOptions(AT, List.of(X509Authority.toDer(
                        NvidiaVectors.root())), Map.of("report_data", NvidiaVectors.NONCE_HEX), Map.of()));
        assertEquals("measurements,ocsp,rim_driver,rim_vbios", failed(a));
        // teebox's responder is not NVIDIA's: it is not authoritative for genuine certificates and says so
        // (unauthorized), so OCSP is not made, a warning as without any responder
        assertTrue(reason(a, "ocsp"), reason(a, "ocsp").contains("no OCSP responder available"));
        assertEquals(Tier.WARNING, a.status());
        assertTrue(reason(a, "rim_driver"), reason(a, "rim_driver").startsWith("no driver RIM "
                + "NV_GPU_DRIVER_GH100_550.90.07 available from [http://127.0.0.1:1/nvidia]"));
        assertTrue(a.checks().stream().filter(c -> List.of("chain", "fwid", "signature", "report_data")
                .contains(c.check())).allMatch(c -> c.tier() == Tier.AFFIRMING));
    }

    @Test
    public void rimsTheEvidenceCarriesAreUsedWithoutASource() {
        Gpu gpu = new Gpu();
        List<MeasurementBlock> blocks = GENUINE.response().blocks();
        byte[] driverRim = gpu.nvidia.publish(content(DRIVER_ID, RimContent.Kind.DRIVER, "550.90.07",
                GENUINE_DRIVER_RIM, blocks));
        byte[] vbiosJson = gpu.nvidia.fetch("rim", Map.of("id", VBIOS_ID)).map(Bytes::value).orElse(null);
        assertEquals(null, vbiosJson);
        gpu.nvidia.publish(content(VBIOS_ID, RimContent.Kind.VBIOS, "96.00.9F.00.01", GENUINE_VBIOS_RIM, blocks));
        vbiosJson = gpu.nvidia.fetch("rim", Map.of("id", VBIOS_ID)).orElseThrow().value();
        AttestationReport r = gpu.report(NONCE, blocks);
        Evidence carried = new Evidence(AttestationReport.EVIDENCE_FORMAT, r.encode(),
                gpu.chain.stream().map(X509Authority::toDer).toList(), Map.of("rim_driver", driverRim,
                        "rim_vbios", vbiosJson));
        Appraisal a = new GpuEvidenceVerifier().verify(carried, gpu.options(NONCE, Map.of()));
        assertEquals("ocsp", failed(a));
        assertEquals(Tier.WARNING, a.status());
        byte[] tampered = new String(driverRim, java.nio.charset.StandardCharsets.UTF_8)
                .replace("index=\"7\" active=\"True\"", "index=\"7\" active=\"False\"")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Appraisal t = new GpuEvidenceVerifier().verify(new Evidence(AttestationReport.EVIDENCE_FORMAT, r.encode(),
                gpu.chain.stream().map(X509Authority::toDer).toList(), Map.of("rim_driver", tampered,
                        "rim_vbios", "{\"rim\": 42".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                gpu.options(NONCE, Map.of()));
        assertEquals("measurements,ocsp,rim_driver,rim_vbios", failed(t));
        assertTrue(reason(t, "rim_driver"), reason(t, "rim_driver").contains("signed sha384 digest"));
        assertTrue(reason(t, "rim_vbios"), reason(t, "rim_vbios").contains("from the evidence is not JSON"));
    }

    /** Reads the RIM service's JSON answer. */
    static final class Base64Json {
        static byte[] rim(Bytes json) {
            String s = new String(json.value(), java.nio.charset.StandardCharsets.UTF_8);
            return java.util.Base64.getDecoder().decode(com.google.gson.JsonParser.parseString(s).getAsJsonObject()
                    .get("rim").getAsString());
        }
    }
}
