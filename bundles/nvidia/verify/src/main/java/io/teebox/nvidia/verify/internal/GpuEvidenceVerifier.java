package io.teebox.nvidia.verify.internal;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.abi.DiceFwid;
import io.teebox.nvidia.abi.OpaqueData;
import io.teebox.nvidia.rim.RimComparison;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/**
 * Appraises an NVIDIA H100's attestation report (evidence format {@value AttestationReport#EVIDENCE_FORMAT}: the
 * report bytes, the device certificate chain as DER, leaf first) as NVIDIA's local GPU verifier does
 * ({@code cc_admin_utils.py}): the chain holds exactly 5 certificates, each ECDSA P-384 signed with ecdsa-with-SHA384,
 * and validates at the options' time to one of the trusted roots (X.509 DER; others are ignored) (check
 * {@code chain}); the leaf's DICE FWID equals the report's opaque FWID ({@code fwid}); the report's signature over the
 * request and the response up to the signature verifies with the leaf's key ({@code signature}). Reference values:
 * {@code report_data} (hex, the verifier's 32-byte nonce, which the request must carry), {@code driver_version} and
 * {@code vbios_version} (text, compared with the opaque DRIVER_VERSION and, without regard to case, VBIOS_VERSION).
 *
 * <p>Then, as NVIDIA's verifier goes on, through the collateral sources of vendor {@code nvidia} (the emulated NVIDIA
 * services, or a mirror of NVIDIA's): the driver RIM {@code NV_GPU_DRIVER_GH100_{driver}} ({@code rim_driver}) and
 * the VBIOS RIM {@code NV_GPU_VBIOS_{PROJECT}_{PROJECT_SKU}_{CHIP_SKU}_{vbios without dots, upper case}}
 * ({@code rim_vbios}) (or the RIMs the evidence carries as attachments {@code rim_driver} and {@code rim_vbios}, the
 * signed XML or the RIM service's JSON, which are used first: an air-gapped verifier), each signed under one of the
 * trusted X.509 roots (NVIDIA CoRIM signing Root CA) and stating
 * the report's version; the golden-measurement comparison by NVIDIA's rules ({@code measurements},
 * {@link RimComparison}); OCSP for the device chain from index 1 and for each RIM's signing chain ({@code ocsp},
 * {@link OcspCheck}). NVIDIA's verifier fails when it cannot fetch a RIM or reach OCSP; teebox reports a missing
 * RIM or responder as a WARNING naming what was not available (so the genuine Hopper sample, whose RIMs are not in
 * the vectors, still appraises its chain, FWID, signature and nonce), and as CONTRAINDICATED, as NVIDIA does, under
 * the policies {@code require_rims=true} and {@code require_ocsp=true}. A RIM that is available but does not verify,
 * states another version or whose golden values differ always contraindicates.
 */
@Component(service = EvidenceVerifier.class,
        property = EvidenceVerifier.FORMAT_PROPERTY + "=" + AttestationReport.EVIDENCE_FORMAT)
public final class GpuEvidenceVerifier implements EvidenceVerifier {

    /** The certificates in an H100's device chain (nvtrust's MAX_CERT_CHAIN_LENGTH). */
    static final int CHAIN_LENGTH = 5;
    /** ecdsa-with-SHA384. */
    static final String ECDSA_SHA384_OID = "1.2.840.10045.4.3.3";
    static final Set<String> REFERENCE_VALUES = Set.of("report_data", "driver_version", "vbios_version");
    /** The checks every appraisal of a well-formed report makes (reference values add theirs). */
    static final List<String> CHECKS = List.of("chain", "fwid", "signature", "ocsp", "rim_driver", "rim_vbios",
            "measurements");
    /** Policies: whether a missing RIM or OCSP responder contraindicates, as in NVIDIA's verifier. */
    static final Set<String> POLICIES = Set.of("require_rims", "require_ocsp");
    /** Evidence attachment with the driver RIM (the signed XML, or the RIM service's JSON), used before any source. */
    static final String ATTACHMENT_DRIVER_RIM = "rim_driver";
    /** Evidence attachment with the VBIOS RIM. */
    static final String ATTACHMENT_VBIOS_RIM = "rim_vbios";
    /** How many mismatches a measurements check names before it counts the rest. */
    static final int MISMATCHES_NAMED = 3;
    private static final String FORMAT = AttestationReport.EVIDENCE_FORMAT;

    private final CollateralSources sources;

    /** A verifier with no collateral sources yet: DS binds them as they come. */
    public GpuEvidenceVerifier() {
        this(new CollateralSources());
    }

    /** @param sources where RIMs and OCSP answers are fetched */
    GpuEvidenceVerifier(CollateralSources sources) {
        this.sources = sources;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + CollateralSource.VENDOR + "=nvidia)")
    void bindSource(CollateralSource source, Map<String, Object> properties) {
        sources.add(source, properties);
    }

    void unbindSource(CollateralSource source) {
        sources.remove(source);
    }

    @Override
    public String format() {
        return FORMAT;
    }

    /**
     * The report's SPDM fields: the GET_MEASUREMENTS request ({@code request.SPDMVersion} at 0 to
     * {@code request.SlotID} at 36), then the MEASUREMENTS response from 37: its header, every measurement block's
     * Index, MeasurementSpecification, MeasurementSize, value type, value size and value
     * ({@code response.block[<index>].*}), the responder's {@code response.Nonce}, {@code response.OpaqueLength},
     * the opaque data's fields ({@code response.OpaqueData.<name>.type/size/value}) and {@code response.Signature}.
     *
     * @throws IllegalArgumentException naming the field and its offset if the report does not parse
     */
    @Override
    public List<EvidenceField> fields(Evidence evidence) {
        return ReportFields.of(evidence);
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        Map<String, Object> claims = new LinkedHashMap<>();
        List<Check> failures = new ArrayList<>();
        AttestationReport report = null;
        if (!FORMAT.equals(evidence.format())) {
            failures.add(new Check("format", "evidence format is '" + evidence.format() + "', expected " + FORMAT));
        } else {
            try {
                report = AttestationReport.parse(evidence.report());
            } catch (MalformedStructureException e) {
                failures.add(new Check("format", "the GPU attestation report is malformed: " + e.getMessage()));
            }
        }
        for (String k : options.referenceValues().keySet()) {
            if (!REFERENCE_VALUES.contains(k)) {
                failures.add(new Check("options", "unknown reference value '" + k + "'; known: "
                        + new java.util.TreeSet<>(REFERENCE_VALUES)));
            }
        }
        for (Map.Entry<String, String> k : options.policy().entrySet()) {
            if (!POLICIES.contains(k.getKey())) {
                failures.add(new Check("options", "unknown policy '" + k.getKey() + "'; known: "
                        + new java.util.TreeSet<>(POLICIES)));
            } else if (!k.getValue().equals("true") && !k.getValue().equals("false")) {
                failures.add(new Check("options", "policy " + k.getKey() + " is '" + k.getValue()
                        + "', expected true or false"));
            }
        }
        if (report == null || failures.stream().anyMatch(f -> f.check().equals("options"))) {
            return Appraisal.of(FORMAT, claims, List.of(), failures, null);
        }
        OpaqueData opaque = report.opaqueData();
        claims.put("nonce", Bytes.of(report.nonce()));
        claims.put("responder_nonce", Bytes.of(report.response().nonce()));
        claims.put("measurement_blocks", (long) report.response().blocks().size());
        String driver = read(failures, "driver_version", opaque::driverVersion);
        String vbios = read(failures, "vbios_version", opaque::vbiosVersion);
        byte[] fwid = read(failures, "fwid", () -> opaque.fwid().orElseThrow(() -> new MalformedStructureException(
                "OpaqueData", "FWID", "the opaque data carries no FWID field")));
        if (driver != null) {
            claims.put("driver_version", driver);
        }
        if (vbios != null) {
            claims.put("vbios_version", vbios);
        }
        if (fwid != null) {
            claims.put("fwid", Bytes.of(fwid));
        }
        Boolean nvdec0 = read(failures, "nvdec0", () -> opaque.nvdec0Enabled().orElse(null));
        if (nvdec0 != null) {
            claims.put("nvdec0_enabled", nvdec0);
        }
        opaque.project().ifPresent(v -> claims.put("project", v));
        opaque.projectSku().ifPresent(v -> claims.put("project_sku", v));
        opaque.chipSku().ifPresent(v -> claims.put("chip_sku", v));

        List<X509Certificate> chain = chain(evidence, options, failures);
        X509Certificate leaf = chain == null ? null : chain.get(0);
        if (leaf != null) {
            claims.put("device_subject", leaf.getSubjectX500Principal().getName());
            byte[] leafFwid = read(failures, "fwid", () -> DiceFwid.of(leaf));
            if (fwid != null && leafFwid != null && !Arrays.equals(fwid, leafFwid)) {
                failures.add(new Check("fwid", "the report's opaque FWID is " + Hex.encode(fwid) + ", but the leaf "
                        + "certificate's FWID is " + Hex.encode(leafFwid)));
            }
            if (!report.verify(leaf.getPublicKey())) {
                failures.add(new Check("signature", "the report's signature at offset " + report.signatureOffset()
                        + " does not verify over bytes [0, " + report.signatureOffset() + ") with the key of "
                        + "the leaf certificate '" + leaf.getSubjectX500Principal().getName() + "'"));
            }
        } else {
            if (failures.stream().noneMatch(f -> f.check().equals("fwid"))) {
                failures.add(new Check("fwid", "not checked: no valid device certificate chain"));
            }
            failures.add(new Check("signature", "not checked: no valid device certificate chain"));
        }
        compare(report, options, driver, vbios, failures);
        references(evidence, report, options, leaf == null ? null : chain, driver, vbios, nvdec0, claims, failures);
        return Appraisal.of(FORMAT, claims, names(options), failures, Bytes.of(report.nonce()));
    }

    private void references(Evidence evidence, AttestationReport report, VerificationOptions options,
            List<X509Certificate> chain,
            String driver, String vbios, Boolean nvdec0, Map<String, Object> claims, List<Check> failures) {
        boolean requireRims = "true".equals(options.policy().get("require_rims"));
        boolean requireOcsp = "true".equals(options.policy().get("require_ocsp"));
        List<CollateralSource> src = sources.inOrder();
        java.time.Instant now = options.clock().instant();
        List<String> ocspProblems = new ArrayList<>();
        OcspCheck ocsp = new OcspCheck(src, now);
        boolean ocspMade = chain != null && ocsp.check("device", chain, 1, ocspProblems);

        RimCheck rims = new RimCheck(src, x509Roots(options), now);
        OpaqueData opaque = report.opaqueData();
        RimCheck.Outcome d = null;
        RimCheck.Outcome v = null;
        if (driver == null) {
            failures.add(new Check("rim_driver", "not fetched: the report's DRIVER_VERSION cannot be read"));
        } else {
            d = rims.check("driver", RimCheck.driverId(driver), driver, evidence.attachment(ATTACHMENT_DRIVER_RIM),
                    new ArrayList<>());
            claims.put("rim_driver_id", RimCheck.driverId(driver));
            rimOutcome("rim_driver", d, requireRims, failures);
        }
        java.util.Optional<String> project = opaque.project();
        java.util.Optional<String> projectSku = opaque.projectSku();
        java.util.Optional<String> chipSku = opaque.chipSku();
        if (vbios == null || project.isEmpty() || projectSku.isEmpty() || chipSku.isEmpty()) {
            failures.add(new Check("rim_vbios", "not fetched: the report's opaque data lacks "
                    + (vbios == null ? "a readable VBIOS_VERSION" : "PROJECT, PROJECT_SKU or CHIP_SKU")
                    + ", which the VBIOS RIM's id is made of"));
        } else {
            String id = RimCheck.vbiosId(project.get(), projectSku.get(), chipSku.get(), vbios);
            claims.put("rim_vbios_id", id);
            v = rims.check("VBIOS", id, vbios, evidence.attachment(ATTACHMENT_VBIOS_RIM), new ArrayList<>());
            rimOutcome("rim_vbios", v, requireRims, failures);
        }
        if (d != null && d.rim() != null && v != null && v.rim() != null) {
            if (ocspMade) {
                if (!ocsp.check("driver RIM", d.chain(), 0, ocspProblems)) {
                    ocspProblems.add("no OCSP responder answered for the driver RIM's signing chain");
                }
                if (!ocsp.check("VBIOS RIM", v.chain(), 0, ocspProblems)) {
                    ocspProblems.add("no OCSP responder answered for the VBIOS RIM's signing chain");
                }
            }
            List<RimComparison.Mismatch> m = RimComparison.compare(d.rim(), v.rim(), report.response().blocks(),
                    nvdec0 == null || nvdec0);
            long golden = d.rim().activeMeasurements().size() + v.rim().activeMeasurements().size();
            claims.put("golden_measurements", golden);
            if (!m.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < Math.min(MISMATCHES_NAMED, m.size()); i++) {
                    sb.append(i == 0 ? "" : "; ").append(m.get(i));
                }
                if (m.size() > MISMATCHES_NAMED) {
                    sb.append("; and ").append(m.size() - MISMATCHES_NAMED).append(" more");
                }
                failures.add(new Check("measurements", m.size() + " of " + golden + " active golden measurements "
                        + "do not match the report: " + sb));
            }
        } else {
            List<String> missing = new ArrayList<>();
            if (d == null || d.rim() == null) {
                missing.add("driver");
            }
            if (v == null || v.rim() == null) {
                missing.add("VBIOS");
            }
            String why = "not compared: no verified " + String.join(" and no verified ", missing) + " RIM";
            failures.add(requireRims ? new Check("measurements", why) : Check.warning("measurements", why));
        }
        if (!ocspMade) {
            String why = chain == null ? "not checked: no valid device certificate chain"
                    : "not checked: no OCSP responder available"
                            + (src.isEmpty() ? " (no NVIDIA collateral source)" : " from "
                                    + src.stream().map(CollateralSource::describe).toList());
            failures.add(requireOcsp || chain == null ? new Check("ocsp", why) : Check.warning("ocsp", why));
        } else if (!ocspProblems.isEmpty()) {
            failures.add(new Check("ocsp", ocspProblems.get(0) + (ocspProblems.size() > 1 ? " (and "
                    + (ocspProblems.size() - 1) + " more)" : "")));
        }
    }

    private static void rimOutcome(String check, RimCheck.Outcome o, boolean required, List<Check> failures) {
        if (!o.available()) {
            failures.add(required ? new Check(check, o.problem()) : Check.warning(check, o.problem()));
        } else if (o.problem() != null) {
            failures.add(new Check(check, o.problem()));
        }
    }

    private static List<X509Certificate> x509Roots(VerificationOptions options) {
        List<X509Certificate> roots = new ArrayList<>();
        for (byte[] r : options.trustedRoots()) {
            try {
                roots.add(X509Authority.certificateFromDer(r));
            } catch (IllegalArgumentException e) {
                // not an X.509 root
            }
        }
        return roots;
    }

    private static List<String> names(VerificationOptions options) {
        List<String> made = new ArrayList<>(CHECKS);
        made.addAll(options.referenceValues().keySet());
        return made;
    }

    private interface Reader<T> {
        T read();
    }

    private static <T> T read(List<Check> failures, String check, Reader<T> r) {
        try {
            return r.read();
        } catch (MalformedStructureException e) {
            failures.add(new Check(check, e.getMessage()));
            return null;
        }
    }

    private static List<X509Certificate> chain(Evidence evidence, VerificationOptions options,
            List<Check> failures) {
        List<byte[]> der = evidence.certificates();
        if (der.size() != CHAIN_LENGTH) {
            failures.add(new Check("chain", "the device certificate chain holds " + der.size() + " certificates, "
                    + "expected exactly " + CHAIN_LENGTH + " (leaf first, NVIDIA's root last)"));
            return null;
        }
        List<X509Certificate> certs = new ArrayList<>();
        for (int i = 0; i < der.size(); i++) {
            try {
                certs.add(X509Authority.certificateFromDer(der.get(i)));
            } catch (IllegalArgumentException e) {
                failures.add(new Check("chain", "certificate " + i + " of the device chain is not DER X.509: "
                        + e.getMessage()));
                return null;
            }
        }
        boolean ok = true;
        for (int i = 0; i < certs.size(); i++) {
            X509Certificate c = certs.get(i);
            PublicKey k = c.getPublicKey();
            if (!(k instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 384) {
                failures.add(new Check("chain", "certificate " + i + " '" + c.getSubjectX500Principal().getName()
                        + "' has a " + k.getAlgorithm() + " key, expected EC P-384"));
                ok = false;
            }
            if (!ECDSA_SHA384_OID.equals(c.getSigAlgOID())) {
                failures.add(new Check("chain", "certificate " + i + " '" + c.getSubjectX500Principal().getName()
                        + "' is signed with " + c.getSigAlgName() + " (" + c.getSigAlgOID()
                        + "), expected ecdsa-with-SHA384"));
                ok = false;
            }
        }
        List<X509Certificate> roots = new ArrayList<>();
        for (byte[] r : options.trustedRoots()) {
            try {
                roots.add(X509Authority.certificateFromDer(r));
            } catch (IllegalArgumentException e) {
                // a root of another vendor's format (a SEV-format CEK) is not a GPU root
            }
        }
        if (roots.isEmpty()) {
            failures.add(new Check("chain", "no X.509 trusted root is configured (give NVIDIA Device Identity CA, "
                    + "verifier_device_root.pem, as a trusted root)"));
            return null;
        }
        CertificateChainValidator.Result result = CertificateChainValidator.builder().trustAnchors(roots)
                .clock(options.clock()).build().validate(certs);
        for (CertificateChainValidator.Problem p : result.problems()) {
            failures.add(new Check("chain", p.message()));
            ok = false;
        }
        return ok ? certs : null;
    }

    private static void compare(AttestationReport report, VerificationOptions options, String driver, String vbios,
            List<Check> failures) {
        String nonce = options.referenceValues().get("report_data");
        if (nonce != null) {
            byte[] want = null;
            try {
                want = Hex.decode(nonce.trim());
            } catch (IllegalArgumentException e) {
                failures.add(new Check("report_data", "reference value report_data is not hex: " + e.getMessage()));
            }
            if (want != null && want.length != 32) {
                failures.add(new Check("report_data", "reference value report_data is " + want.length
                        + " bytes, expected the 32-byte nonce"));
            } else if (want != null && !Arrays.equals(want, report.nonce())) {
                failures.add(new Check("report_data", "the GET_MEASUREMENTS request's nonce is "
                        + Hex.encode(report.nonce()) + ", expected " + Hex.encode(want)));
            }
        }
        String wantDriver = options.referenceValues().get("driver_version");
        if (wantDriver != null && driver != null && !wantDriver.trim().equals(driver)) {
            failures.add(new Check("driver_version", "the report's DRIVER_VERSION is " + driver + ", expected "
                    + wantDriver.trim()));
        }
        String wantVbios = options.referenceValues().get("vbios_version");
        if (wantVbios != null && vbios != null && !wantVbios.trim().toLowerCase(Locale.ROOT).equals(vbios)) {
            failures.add(new Check("vbios_version", "the report's VBIOS_VERSION is " + vbios + ", expected "
                    + wantVbios.trim()));
        }
    }
}
