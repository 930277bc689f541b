package io.teebox.amd.snp.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;
import org.osgi.service.component.annotations.Component;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.amd.abi.SnpPolicy;
import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.Verdict;
import io.teebox.api.attestation.Verdict.Failure;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TcbVersion;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;

/**
 * Appraises SEV-SNP ATTESTATION_REPORTs like go-sev-guest: first verify (the ARK is a trusted root, ARK signs ASK,
 * ASK signs VCEK, the VCEK signs the report, the VCEK's TCB and hwID extensions match the report), then validate
 * against reference values ({@code measurement}, {@code report_data}, {@code host_data}, {@code id_key_digest},
 * {@code author_key_digest}, {@code family_id}, {@code image_id}, {@code vmpl}) and policy
 * ({@code allow_debug}, {@code minimum_tcb}). Every failed check is reported with a reason.
 */
@Component(service = EvidenceVerifier.class, property = EvidenceVerifier.FORMAT_PROPERTY + "=" + SnpBackend.FORMAT)
@TeeType("sev-snp")
public final class SnpReportVerifier implements EvidenceVerifier {

    @Override
    public String format() {
        return SnpBackend.FORMAT;
    }

    @Override
    public Verdict verify(Evidence evidence, VerificationOptions options) {
        Map<String, String> claims = new LinkedHashMap<>();
        List<Failure> failures = new ArrayList<>();
        SnpReport report;
        try {
            report = SnpReport.parse(evidence.report());
        } catch (MalformedStructureException e) {
            failures.add(new Failure("format", e.getMessage()));
            return new Verdict(claims, failures);
        }
        var f = report.fields();
        for (String field : SnpReport.LAYOUT.fields()) {
            if (field.startsWith("SIGNATURE_") && !field.equals("SIGNATURE_ALGO") || field.startsWith("RSVD")) {
                continue;
            }
            int len = SnpReport.LAYOUT.length(field);
            String value = switch (len) {
                case 1 -> Integer.toString(f.u8(field));
                case 4 -> Long.toString(f.u32(field));
                case 8 -> String.format("0x%016X", f.u64(field));
                default -> Hex.encode(f.bytes(field));
            };
            claims.put(field.toLowerCase(Locale.ROOT), value);
        }
        claims.put("policy", claims.get("policy") + " " + policyText(f.u64("POLICY")));
        try {
            new SnpPolicy(f.u64("POLICY"));
        } catch (TeeException e) {
            failures.add(new Failure("policy", e.getMessage()));
        }
        if (f.u32("SIGNATURE_ALGO") != SnpReport.ALGO_ECDSA_P384_SHA384) {
            failures.add(new Failure("signature", "SIGNATURE_ALGO is " + f.u32("SIGNATURE_ALGO")
                    + ", expected 1 (ECDSA P-384 with SHA-384)"));
        }
        X509Certificate vcek = chain(evidence, options, failures);
        if (vcek != null) {
            BigInteger[] rs = report.signature();
            if (!Signatures.ecdsaVerify(vcek.getPublicKey(), "SHA-384", report.signedBytes(), rs[0], rs[1])) {
                failures.add(new Failure("signature", "the report's signature over bytes 0x000..0x29F does not "
                        + "verify with the VCEK's key"));
            }
            checkVcekExtensions(vcek, f.u64("REPORTED_TCB"), f.bytes("CHIP_ID"), claims, failures);
            long signingKey = (f.u32("KEY_INFO") >>> 2) & 7;
            boolean isVlek = vcek.getExtensionValue(AmdKeyHierarchy.OID + "5") != null;
            if (signingKey != (isVlek ? 1 : 0)) {
                failures.add(new Failure("signing_key", "KEY_INFO.SIGNING_KEY is " + signingKey + " but the report "
                        + "comes with a " + (isVlek ? "VLEK (1)" : "VCEK (0)")));
            }
        }
        validate(report, options, failures);
        return new Verdict(claims, failures);
    }

    private static String policyText(long policy) {
        try {
            return new SnpPolicy(policy).toString();
        } catch (TeeException e) {
            return "(invalid)";
        }
    }

    private static X509Certificate chain(Evidence evidence, VerificationOptions options, List<Failure> failures) {
        List<byte[]> certs = evidence.certificates();
        if (certs.size() != 3) {
            failures.add(new Failure("chain", "expected VCEK, ASK and ARK certificates, got " + certs.size()));
            return null;
        }
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509Certificate vcek = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(certs.get(0)));
            X509Certificate ask = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(certs.get(1)));
            X509Certificate ark = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(certs.get(2)));
            boolean trusted = options.trustedRoots().stream().anyMatch(r -> Arrays.equals(r, certs.get(2)));
            if (!trusted) {
                failures.add(new Failure("chain", "the ARK " + ark.getSubjectX500Principal().getName()
                        + " is not one of the trusted roots"));
            }
            verify(ark, ark, "ARK", failures);
            verify(ask, ark, "ASK", failures);
            verify(vcek, ask, "VCEK", failures);
            String cn = vcek.getSubjectX500Principal().getName();
            if (!cn.startsWith("CN=SEV-VCEK") && !cn.startsWith("CN=SEV-VLEK,")) {
                failures.add(new Failure("chain", "signing key subject is " + cn
                        + ", expected CN=SEV-VCEK or CN=SEV-VLEK"));
            }
            try {
                vcek.checkValidity(java.util.Date.from(options.clock().instant()));
            } catch (CertificateException e) {
                failures.add(new Failure("chain", "the VCEK is not valid at " + options.clock().instant()));
            }
            return vcek;
        } catch (CertificateException e) {
            failures.add(new Failure("chain", "a certificate is not DER X.509: " + e.getMessage()));
            return null;
        }
    }

    private static void verify(X509Certificate cert, X509Certificate issuer, String name, List<Failure> failures) {
        try {
            cert.verify(issuer.getPublicKey());
        } catch (Exception e) {
            failures.add(new Failure("chain", "the " + name + " certificate is not signed by "
                    + issuer.getSubjectX500Principal().getName() + ": " + e.getMessage()));
        }
    }

    private static void checkVcekExtensions(X509Certificate vcek, long reportedTcb, byte[] chipId,
            Map<String, String> claims, List<Failure> failures) {
        try {
            String product = DERIA5String.getInstance(ASN1Primitive.fromByteArray(ext(vcek, "2"))).getString();
            String line = product.split("-")[0];
            claims.put("product", product);
            TcbVersion tcb = TcbVersions.decode(line, reportedTcb);
            String[][] map = {{"3.1", "BOOT_LOADER"}, {"3.2", "TEE"}, {"3.3", "SNP"}, {"3.8", "MICROCODE"}};
            for (String[] m : map) {
                int cert = ASN1Integer.getInstance(ext(vcek, m[0])).intValueExact();
                int rep = tcb.components().getOrDefault(m[1], 0);
                if (cert != rep) {
                    failures.add(new Failure("tcb", String.format("the VCEK is for %s SPL %d, the report's "
                            + "REPORTED_TCB has %d: the VCEK belongs to another TCB", m[1], cert, rep)));
                }
            }
            if (vcek.getExtensionValue(AmdKeyHierarchy.OID + "5") != null) {
                claims.put("signing_key", "VLEK of " + DERIA5String.getInstance(ASN1Primitive.fromByteArray(
                        ext(vcek, "5"))).getString());
                return;
            }
            claims.put("signing_key", "VCEK");
            byte[] hwid = ASN1OctetString.getInstance(ext(vcek, "4")).getOctets();
            if (!Arrays.equals(hwid, chipId)) {
                failures.add(new Failure("chip", "the VCEK's hwID " + Hex.encode(hwid).substring(0, 16)
                        + "... is not the report's CHIP_ID " + Hex.encode(chipId).substring(0, 16)
                        + "...: the VCEK belongs to another chip"));
            }
        } catch (IOException | RuntimeException e) {
            failures.add(new Failure("chain", "the VCEK's AMD extensions are missing or malformed: " + e));
        }
    }

    private static byte[] ext(X509Certificate c, String suffix) throws IOException {
        byte[] v = c.getExtensionValue(AmdKeyHierarchy.OID + suffix);
        if (v == null) {
            throw new IOException("extension " + AmdKeyHierarchy.OID + suffix + " is missing");
        }
        return ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(v)).getOctets();
    }

    private static void validate(SnpReport report, VerificationOptions options, List<Failure> failures) {
        var f = report.fields();
        String[][] refs = {{"measurement", "MEASUREMENT"}, {"report_data", "REPORT_DATA"}, {"host_data",
            "HOST_DATA"}, {"id_key_digest", "ID_KEY_DIGEST"}, {"author_key_digest", "AUTHOR_KEY_DIGEST"},
            {"family_id", "FAMILY_ID"}, {"image_id", "IMAGE_ID"}};
        for (String[] r : refs) {
            String want = options.referenceValues().get(r[0]);
            if (want != null) {
                String got = Hex.encode(f.bytes(r[1]));
                String expected = want.toLowerCase(Locale.ROOT);
                if (!got.startsWith(expected) || !got.substring(expected.length()).matches("0*")) {
                    failures.add(new Failure(r[0], r[1] + " is " + got + ", expected " + expected));
                }
            }
        }
        String vmpl = options.referenceValues().get("vmpl");
        if (vmpl != null && !vmpl.equals(Long.toString(f.u32("VMPL")))) {
            failures.add(new Failure("vmpl", "VMPL is " + f.u32("VMPL") + ", expected " + vmpl));
        }
        boolean allowDebug = Boolean.parseBoolean(options.policy().getOrDefault("allow_debug", "false"));
        if (!allowDebug && (f.u64("POLICY") & SnpPolicy.DEBUG) != 0) {
            failures.add(new Failure("debug", "the guest policy allows debugging (bit 19), which is forbidden"));
        }
        String min = options.policy().get("minimum_tcb");
        if (min != null) {
            long want = Long.parseUnsignedLong(min.replaceFirst("^0x", ""), 16);
            long got = f.u64("REPORTED_TCB");
            for (int b = 0; b < 8; b++) {
                int gb = (int) (got >>> (8 * b)) & 0xFF;
                int wb = (int) (want >>> (8 * b)) & 0xFF;
                if (gb < wb) {
                    failures.add(new Failure("tcb", String.format("REPORTED_TCB 0x%016X is below the minimum "
                            + "0x%016X (byte %d: %d < %d)", got, want, b, gb, wb)));
                    break;
                }
            }
        }
    }
}
