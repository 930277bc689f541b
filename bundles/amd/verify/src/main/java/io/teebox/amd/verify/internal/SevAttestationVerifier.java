package io.teebox.amd.verify.internal;

import io.teebox.amd.abi.SevAttestationReport;
import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.abi.SevPolicy;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

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

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        Map<String, String> claims = new LinkedHashMap<>();
        List<Check> failures = new ArrayList<>();
        if (!FORMAT.equals(evidence.format())) {
            failures.add(new Check("format", "evidence format is '" + evidence.format() + "', expected " + FORMAT));
            return appraisal(claims, failures, options);
        }
        SevAttestationReport report;
        try {
            report = SevAttestationReport.parse(evidence.report());
        } catch (MalformedStructureException e) {
            failures.add(new Check("format", e.getMessage()));
            return appraisal(claims, failures, options);
        }
        claims.put("mnonce", Hex.encode(report.mnonce()));
        claims.put("launch_digest", Hex.encode(report.launchDigest()));
        SevPolicy policy = null;
        try {
            policy = new SevPolicy(report.policy());
            claims.put("policy", policy.toString());
        } catch (TeeException e) {
            claims.put("policy", String.format("0x%08X", report.policy()));
            failures.add(new Check("policy", e.getMessage()));
        }
        SevCertificate pek = chain(evidence, options, claims, failures);
        if (pek != null && !report.verify(pek.publicKey())) {
            failures.add(new Check("signature", "the report's signature over bytes 0x00..0x33 does not verify "
                    + "with the PEK"));
        }
        validate(report, policy, options, failures);
        return appraisal(claims, failures, options);
    }

    /** The checks every appraisal of a well-formed report makes (reference values add theirs). */
    static final List<String> CHECKS = List.of("chain", "signature", "policy", "debug");

    private static Appraisal appraisal(Map<String, String> claims, List<Check> failures, VerificationOptions options) {
        boolean malformed = failures.stream().anyMatch(f -> f.check().equals("format") || f.check().equals("options"));
        List<String> made = new ArrayList<>();
        if (!malformed) {
            made.addAll(CHECKS);
            made.addAll(options.referenceValues().keySet());
        }
        String nonce = claims.get("mnonce");
        return Appraisal.of(FORMAT, io.teebox.kit.codec.Claims.typed(claims), made, failures,
                nonce == null ? null : io.teebox.api.tee.Bytes.fromHex(nonce));
    }

    /** @return the PEK if its certificate parses and chains to a trusted CEK or OCA, else null */
    private static SevCertificate chain(Evidence evidence, VerificationOptions options, Map<String, String> claims,
            List<Check> failures) {
        List<byte[]> certs = evidence.certificates();
        if (certs.size() != 3) {
            failures.add(new Check("chain", "expected the PEK, OCA and CEK certificates, got " + certs.size()));
            return null;
        }
        SevCertificate pek = cert(certs.get(0), "PEK", SevCertificate.USAGE_PEK, failures);
        SevCertificate oca = cert(certs.get(1), "OCA", SevCertificate.USAGE_OCA, failures);
        SevCertificate cek = cert(certs.get(2), "CEK", SevCertificate.USAGE_CEK, failures);
        if (pek == null || oca == null || cek == null) {
            return null;
        }
        boolean cekTrusted = trusted(options, certs.get(2));
        boolean ocaTrusted = trusted(options, certs.get(1));
        if (cekTrusted || ocaTrusted) {
            claims.put("trusted_by", cekTrusted && ocaTrusted ? "CEK and OCA" : cekTrusted ? "CEK" : "OCA");
        } else {
            failures.add(new Check("chain", "neither the CEK nor the OCA of the evidence is one of the "
                    + options.trustedRoots().size() + " trusted roots (give the platform's cek or oca certificate, "
                    + "SEV format, as a trusted root)"));
        }
        if (!pek.signedBy(cek)) {
            failures.add(new Check("chain", "the PEK certificate carries no valid signature by the CEK"));
        }
        if (!pek.signedBy(oca)) {
            failures.add(new Check("chain", "the PEK certificate carries no valid signature by the OCA"));
        }
        return pek;
    }

    private static boolean trusted(VerificationOptions options, byte[] cert) {
        return options.trustedRoots().stream().anyMatch(r -> Arrays.equals(r, cert));
    }

    private static SevCertificate cert(byte[] bytes, String name, int usage, List<Check> failures) {
        try {
            SevCertificate c = SevCertificate.parse(bytes);
            if (c.usage() != usage) {
                failures.add(new Check("chain", String.format("the %s certificate has key usage 0x%X, expected "
                        + "0x%X", name, c.usage(), usage)));
                return null;
            }
            return c;
        } catch (TeeException e) {
            failures.add(new Check("chain", "the " + name + " certificate is malformed: " + e.getMessage()));
            return null;
        }
    }

    private static void validate(SevAttestationReport report, SevPolicy policy, VerificationOptions options,
            List<Check> failures) {
        for (String k : options.referenceValues().keySet()) {
            if (!REFERENCE_VALUES.contains(k)) {
                failures.add(new Check("options", "unknown reference value '" + k + "'; known: "
                        + REFERENCE_VALUES));
            }
        }
        for (String k : options.policy().keySet()) {
            if (!POLICIES.contains(k)) {
                failures.add(new Check("options", "unknown policy '" + k + "'; known: " + POLICIES));
            }
        }
        compare("launch_digest", options.referenceValues().get("launch_digest"), report.launchDigest(), failures);
        compare("measurement", options.referenceValues().get("measurement"), report.launchDigest(), failures);
        compare("report_data", options.referenceValues().get("report_data"), report.mnonce(), failures);
        boolean allowDebug = false;
        String debug = options.policy().get("allow_debug");
        if (debug != null) {
            String t = debug.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                allowDebug = t.equals("true");
            } else {
                failures.add(new Check("options", "policy allow_debug is '" + debug + "'; accepted: true or false"));
            }
        }
        if (policy != null && !allowDebug && !policy.has(SevPolicy.NODBG)) {
            failures.add(new Check("debug", "the guest policy does not set NODBG: the host can decrypt its memory "
                    + "with DBG_DECRYPT; policy allow_debug is false"));
        }
    }

    private static void compare(String name, String expectedHex, byte[] actual, List<Check> failures) {
        if (expectedHex == null) {
            return;
        }
        byte[] want;
        try {
            want = Hex.decode(expectedHex.trim());
        } catch (IllegalArgumentException e) {
            failures.add(new Check("options", name + " is not hex: " + e.getMessage()));
            return;
        }
        if (want.length > actual.length) {
            failures.add(new Check("options", name + " is " + want.length + " bytes, the report holds "
                    + actual.length));
            return;
        }
        want = Arrays.copyOf(want, actual.length);
        if (!Arrays.equals(want, actual)) {
            failures.add(new Check(name, name + " is " + Hex.encode(actual) + ", expected " + Hex.encode(want)));
        }
    }
}
