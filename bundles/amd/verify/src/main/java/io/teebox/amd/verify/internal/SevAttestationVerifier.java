package io.teebox.amd.verify.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.teebox.amd.abi.SevAttestationReport;
import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.abi.SevPolicy;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.hex.Hex;

/**
 * Appraises the report of the legacy SEV ATTESTATION command (evidence format {@code sev-attestation}, from SEV and
 * SEV-ES guests), as sev-tool's {@code validate_attestation} does: the PEK certificate is signed by a trusted CEK or
 * OCA (given as SEV-format certificates among the trusted roots), the PEK signs the report; then the report is
 * validated against reference values {@code measurement} (or {@code launch_digest}) and {@code report_data} (the
 * MNONCE) and the policy {@code allow_debug} (true or false, default false: the guest policy must set NODBG; any
 * other value is a failure of check {@code options}). Every failed check comes with a reason. SEV-format
 * certificates carry no validity period, so the verdict does not depend on the clock.
 *
 * <p>The evidence carries the PEK, OCA and CEK certificates in that order, as the firmware's platform exports them.
 */
@Component(service = EvidenceVerifier.class,
        property = EvidenceVerifier.FORMAT_PROPERTY + "=" + SevAttestationVerifier.FORMAT)
public final class SevAttestationVerifier implements EvidenceVerifier {

    /** The evidence format (the SEV backends' {@code AttestationService.format()}). */
    public static final String FORMAT = "sev-attestation";
    static final Set<String> REFERENCE_VALUES = Set.of("measurement", "launch_digest", "report_data");
    static final Set<String> POLICIES = Set.of("allow_debug");
    /** The checks every appraisal of a well-formed report makes (reference values add theirs). */
    static final List<String> CHECKS = List.of("chain", "signature", "policy", "debug");

    @Override
    public String format() {
        return FORMAT;
    }

    /**
     * The report's fields as the SEV API names them ({@link SevAttestationReport#LAYOUT}): MNONCE at 0x00 to SIG_S
     * at 0x88; the reserved range at 0x3C is not listed.
     *
     * @throws IllegalArgumentException naming the field if the report does not parse
     */
    @Override
    public List<EvidenceField> fields(Evidence evidence) {
        byte[] report = LayoutFields.report(evidence, FORMAT);
        SevAttestationReport.parse(report);
        return LayoutFields.of(SevAttestationReport.LAYOUT.parse(report), 0);
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        Findings out = new Findings();
        SevAttestationReport report = out.parse(evidence, FORMAT, SevAttestationReport::parse);
        if (report == null) {
            return out.appraisal(FORMAT, options, CHECKS, "mnonce");
        }
        out.claim("mnonce", Hex.encode(report.mnonce()));
        out.claim("launch_digest", Hex.encode(report.launchDigest()));
        SevPolicy policy = null;
        try {
            policy = new SevPolicy(report.policy());
            out.claim("policy", policy.toString());
        } catch (TeeException e) {
            out.claim("policy", String.format("0x%08X", report.policy()));
            out.fail("policy", e.getMessage());
        }
        SevCertificate pek = chain(evidence, options, out);
        if (pek != null && !report.verify(pek.publicKey())) {
            out.fail("signature", "the report's signature over bytes 0x00..0x33 does not verify with the PEK");
        }
        validate(report, policy, options, out);
        return out.appraisal(FORMAT, options, CHECKS, "mnonce");
    }

    /** @return the PEK if its certificate parses and chains to a trusted CEK or OCA, else null */
    private static SevCertificate chain(Evidence evidence, VerificationOptions options, Findings out) {
        List<byte[]> certs = evidence.certificates();
        if (certs.size() != 3) {
            out.fail("chain", "expected the PEK, OCA and CEK certificates, got " + certs.size());
            return null;
        }
        SevCertificate pek = cert(certs.get(0), "PEK", SevCertificate.USAGE_PEK, out);
        SevCertificate oca = cert(certs.get(1), "OCA", SevCertificate.USAGE_OCA, out);
        SevCertificate cek = cert(certs.get(2), "CEK", SevCertificate.USAGE_CEK, out);
        if (pek == null || oca == null || cek == null) {
            return null;
        }
        boolean cekTrusted = trusted(options, certs.get(2));
        boolean ocaTrusted = trusted(options, certs.get(1));
        if (cekTrusted || ocaTrusted) {
            out.claim("trusted_by", cekTrusted && ocaTrusted ? "CEK and OCA" : cekTrusted ? "CEK" : "OCA");
        } else {
            out.fail("chain", "neither the CEK nor the OCA of the evidence is one of the "
                    + options.trustedRoots().size() + " trusted roots (give the platform's cek or oca certificate, "
                    + "SEV format, as a trusted root)");
        }
        if (!pek.signedBy(cek)) {
            out.fail("chain", "the PEK certificate carries no valid signature by the CEK");
        }
        if (!pek.signedBy(oca)) {
            out.fail("chain", "the PEK certificate carries no valid signature by the OCA");
        }
        if (!oca.signedBy(oca)) {
            // the OCA is the owner's self-signed authority (sev-tool checks it too): a changed one is not the OCA
            // that signed the PEK, even where the PEK's signature still verifies with its key
            out.fail("chain", "the OCA certificate carries no valid self-signature");
        }
        return pek;
    }

    private static boolean trusted(VerificationOptions options, byte[] cert) {
        return options.trustedRoots().stream().anyMatch(r -> Arrays.equals(r, cert));
    }

    private static SevCertificate cert(byte[] bytes, String name, int usage, Findings out) {
        try {
            SevCertificate c = SevCertificate.parse(bytes);
            if (c.usage() != usage) {
                out.fail("chain", String.format("the %s certificate has key usage 0x%X, expected 0x%X", name,
                        c.usage(), usage));
                return null;
            }
            return c;
        } catch (TeeException e) {
            out.fail("chain", "the " + name + " certificate is malformed: " + e.getMessage());
            return null;
        }
    }

    private static void validate(SevAttestationReport report, SevPolicy policy, VerificationOptions options,
            Findings out) {
        PolicyOptions.rejectUnknown(options, REFERENCE_VALUES, POLICIES, out);
        for (String name : new String[] {"launch_digest", "measurement", "report_data"}) {
            PolicyOptions.compare(name, name, name, options.referenceValues().get(name), name.equals("report_data")
                    ? report.mnonce() : report.launchDigest(), "the report holds ", out);
        }
        boolean allowDebug = PolicyOptions.flag(options, "allow_debug", out);
        if (policy != null && !allowDebug && !policy.has(SevPolicy.NODBG)) {
            out.fail("debug", "the guest policy does not set NODBG: the host can decrypt its memory "
                    + "with DBG_DECRYPT; policy allow_debug is false");
        }
    }
}
