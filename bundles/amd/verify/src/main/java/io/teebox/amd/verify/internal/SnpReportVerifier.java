package io.teebox.amd.verify.internal;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.teebox.amd.abi.SnpPolicy;
import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/**
 * Appraises SEV-SNP ATTESTATION_REPORTs like go-sev-guest, in its steps:
 * <ol>
 * <li>the collateral ({@link SnpCollateral}): the certificates and CRL the evidence carries, and what it lacks from
 * the AMD collateral sources ({@code collateral.vendor=amd}, in ranking order), as a verifier fetches from AMD's
 * KDS;</li>
 * <li><b>verify</b> the chain ({@link AmdChainCheck}) and the leaf's AMD extensions ({@link VcekExtensions});</li>
 * <li>verify the report against its signing key ({@link ReportBinding}): the signature, KEY_INFO, REPORTED_TCB,
 * CHIP_ID and CPUID;</li>
 * <li><b>validate</b> against reference values and policy ({@link SnpPolicyCheck}).</li>
 * </ol>
 * Unknown or malformed options are failures of check {@code options}. Every failed check is reported with a reason.
 */
@Component(service = EvidenceVerifier.class, property = EvidenceVerifier.FORMAT_PROPERTY + "="
        + SnpReportVerifier.FORMAT)
@TeeType("sev-snp")
public final class SnpReportVerifier implements EvidenceVerifier {

    /** The evidence format. */
    static final String FORMAT = "sev-snp-report";
    /** Evidence attachment with the ARK-signed CRL ({@code /vcek/v1/{product}/crl} of the KDS): DER or PEM. */
    static final String ATTACHMENT_CRL = SnpCollateral.ATTACHMENT_CRL;
    /** The checks every appraisal of a well-formed report makes (reference values add theirs). */
    static final List<String> CHECKS = List.of("chain", "signature", "signing_key", "tcb", "cpuid", "chip", "vmpl",
            "policy", "debug");

    private final CollateralSources sources;

    /** A verifier with no collateral sources yet: DS binds them as they come. */
    public SnpReportVerifier() {
        this(new CollateralSources());
    }

    /** @param sources where the collateral the evidence lacks is fetched */
    SnpReportVerifier(CollateralSources sources) {
        this.sources = sources;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + CollateralSource.VENDOR + "=amd)")
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
     * The ATTESTATION_REPORT's fields as the SNP ABI names them ({@link SnpReport#LAYOUT}), VERSION at 0x000 to
     * SIGNATURE_S at 0x2E8; the reserved ranges, which must be zero, are not listed.
     *
     * @throws IllegalArgumentException naming the field if the report does not parse
     */
    @Override
    public List<EvidenceField> fields(Evidence evidence) {
        return LayoutFields.of(SnpReport.parse(LayoutFields.report(evidence, FORMAT)).fields(), 0);
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        Findings out = new Findings();
        PolicyOptions.rejectUnknown(options, SnpPolicyCheck.REFERENCE_VALUES, SnpPolicyCheck.POLICIES, out);
        boolean requireCrl = PolicyOptions.flag(options, "require_crl", out);
        SnpReport report = out.parse(evidence, FORMAT, SnpReport::parse);
        if (report == null) {
            return out.appraisal(FORMAT, options, CHECKS, "report_data");
        }
        Struct f = report.fields();
        describe(f, ReportBinding.productLine(report), out);
        try {
            new SnpPolicy(f.u64("POLICY"));
        } catch (TeeException e) {
            out.fail("policy", e.getMessage());
        }
        ReportBinding binding = new ReportBinding(out);
        binding.algorithm(f);
        SnpCollateral collateral = new SnpCollateral(sources.inOrder(), out);
        List<byte[]> certificates = collateral.certificates(evidence, report, options);
        AmdChainCheck chain = new AmdChainCheck(out);
        X509Certificate leafCert = chain.check(certificates, options.trustedRoots(), () -> collateral.crls(evidence,
                report, certificates), options.clock().instant(), requireCrl);
        if (leafCert != null) {
            binding.signature(report, leafCert);
            VcekExtensions leaf = extensions(leafCert, out);
            if (leaf != null) {
                if (chain.arkLine() != null && !chain.arkLine().equals(leaf.productLine())) {
                    out.fail("chain", "the " + leaf.kind() + " is for '" + leaf.productName()
                            + "', but the chain's root is ARK-" + chain.arkLine());
                }
                binding.bind(f, leaf);
                binding.cpuid(report, leaf);
            }
        }
        SnpPolicyCheck.validate(f, options, out);
        collateral.claim();
        return out.appraisal(FORMAT, options, CHECKS, "report_data");
    }

    private static VcekExtensions extensions(X509Certificate c, Findings out) {
        try {
            VcekExtensions leaf = AmdChainCheck.CACHE.memo("vcek-extensions", () -> VcekExtensions.read(c),
                    c.getEncoded());
            out.claim("product", leaf.productName());
            out.claim("signing_key", leaf.vlek() ? "VLEK of " + leaf.cspId() : "VCEK");
            return leaf;
        } catch (IllegalArgumentException e) {
            out.fail("chain", "the " + AmdNames.cn(c) + "'s AMD extensions are unusable: " + e.getMessage());
            return null;
        } catch (java.security.cert.CertificateEncodingException e) {
            out.fail("chain", "the " + AmdNames.cn(c) + " cannot be encoded: " + e.getMessage());
            return null;
        }
    }

    /**
     * Every field of the report but the signature and reserved bytes, as a claim; TCB versions and PLATFORM_INFO
     * with their fields decoded beside the raw value.
     */
    private static void describe(Struct f, String productLine, Findings out) {
        for (String field : SnpReport.LAYOUT.fields()) {
            if (field.startsWith("SIGNATURE_") && !field.equals("SIGNATURE_ALGO") || field.startsWith("RSVD")) {
                continue;
            }
            String value = switch (SnpReport.LAYOUT.length(field)) {
                case 1 -> Integer.toString(f.u8(field));
                case 4 -> Long.toString(f.u32(field));
                case 8 -> hex64(f.u64(field));
                default -> Hex.encode(f.bytes(field));
            };
            if (field.endsWith("_TCB")) {
                value += " " + tcbText(productLine, f.u64(field));
            } else if (field.equals("PLATFORM_INFO")) {
                value += " " + platformInfoText(f.u64(field));
            }
            out.claim(field.toLowerCase(Locale.ROOT), value);
        }
        out.claim("policy", out.claim("policy") + " " + policyText(f.u64("POLICY")));
    }

    /** @return {@code String.format("0x%016X", v)}, without a Formatter (each report has a dozen such fields) */
    static String hex64(long v) {
        String h = Long.toHexString(v).toUpperCase(Locale.ROOT);
        return "0x" + "0".repeat(16 - h.length()) + h;
    }

    /** @return the TCB's components, in the product line's layout (Milan's when a report before v3 names none) */
    static String tcbText(String productLine, long tcb) {
        try {
            StringBuilder b = new StringBuilder("[");
            TcbVersions.decode(productLine == null ? "Milan" : productLine, tcb).components()
                    .forEach((k, v) -> b.append(b.length() > 1 ? " " : "").append(k).append('=').append(v));
            return b.append(']').toString();
        } catch (IllegalArgumentException e) {
            return "(reserved bytes set)";
        }
    }

    /** @return the PLATFORM_INFO flags the SNP ABI defines (bits 0-4), others by number */
    static String platformInfoText(long info) {
        String[] names = {"SMT_EN", "TSME_EN", "ECC_EN", "RAPL_DIS", "CIPHERTEXT_HIDING_EN"};
        java.util.List<String> set = new java.util.ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((info >>> bit & 1) != 0) {
                set.add(bit < names.length ? names[bit] : "bit " + bit);
            }
        }
        return "[" + String.join(", ", set) + "]";
    }

    private static String policyText(long policy) {
        try {
            return new SnpPolicy(policy).toString();
        } catch (TeeException e) {
            return "(invalid)";
        }
    }
}
