package io.teebox.amd.verify.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.osgi.service.component.annotations.Component;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.amd.abi.SnpPolicy;
import io.teebox.amd.abi.SnpReport;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.kit.x509.X509Authority;

/**
 * Appraises SEV-SNP ATTESTATION_REPORTs like go-sev-guest, in its steps:
 * <ol>
 * <li><b>verify</b> the chain ARK → ASK (ASVK) → VCEK (VLEK) with the kit's chain validator: every certificate's
 * validity at the injected clock, names, RSASSA-PSS signatures, the ARK as a trusted root, and the ARK-signed CRL
 * when the evidence carries one (attachment {@value #ATTACHMENT_CRL}: DER, or PEM with one or more CRLs); then AMD's
 * own rules: the CNs, the product line of every certificate, a P-384 leaf, only KDS extensions in the leaf;</li>
 * <li>verify the report: SIGNATURE_ALGO 1 and the signature with the leaf's key, the leaf's TCB extensions equal to
 * REPORTED_TCB, its hwID equal to CHIP_ID (VCEK) or its CSP_ID present (VLEK) as KEY_INFO says, and in a version 3+
 * report the CPUID family, model and stepping of the leaf's product;</li>
 * <li><b>validate</b> against reference values ({@code measurement}, {@code report_data}, {@code host_data},
 * {@code id_key_digest}, {@code author_key_digest}, {@code family_id}, {@code image_id}: hex, zero-padded;
 * {@code vmpl}: 0..3) and policy ({@code allow_debug}: true or false, default false; {@code minimum_tcb}: 16 hex
 * digits compared byte by byte; {@code require_crl}: true or false, default false).</li>
 * </ol>
 * Unknown or malformed options are failures of check {@code options}. Every failed check is reported with a reason.
 */
@Component(service = EvidenceVerifier.class, property = EvidenceVerifier.FORMAT_PROPERTY + "=" + SnpBackend.FORMAT)
@TeeType("sev-snp")
public final class SnpReportVerifier implements EvidenceVerifier {

    /** Evidence attachment with the ARK-signed CRL ({@code /vcek/v1/{product}/crl} of the KDS): DER or PEM. */
    static final String ATTACHMENT_CRL = "crl";

    /** Reference values by name, and the report field each is compared with. */
    private static final Map<String, String> REFERENCE_FIELDS = orderedMap("measurement", "MEASUREMENT",
            "report_data", "REPORT_DATA", "host_data", "HOST_DATA", "id_key_digest", "ID_KEY_DIGEST",
            "author_key_digest", "AUTHOR_KEY_DIGEST", "family_id", "FAMILY_ID", "image_id", "IMAGE_ID");
    static final Set<String> REFERENCE_VALUES = new TreeSet<>(Set.of("measurement", "report_data", "host_data",
            "id_key_digest", "author_key_digest", "family_id", "image_id", "vmpl"));
    static final Set<String> POLICIES = new TreeSet<>(Set.of("allow_debug", "minimum_tcb", "require_crl"));

    /** CPUID steppings seen with each KDS productName (see {@link #cpuid}). */
    private static final Map<String, Set<Integer>> STEPPINGS = Map.of("Milan-B0", Set.of(0, 1), "Milan-B1",
            Set.of(1), "Genoa-B0", Set.of(0), "Genoa-B1", Set.of(1), "Genoa-B2", Set.of(2), "Turin-B0", Set.of(0),
            "Turin-B1", Set.of(1));

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Override
    public String format() {
        return SnpBackend.FORMAT;
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        Run run = new Run(evidence, options);
        run.run();
        return appraisal(SnpBackend.FORMAT, run.claims, run.failures, options, CHECKS);
    }

    /** The checks every appraisal of a well-formed report makes (reference values add theirs). */
    static final List<String> CHECKS = List.of("chain", "signature", "signing_key", "tcb", "cpuid", "chip", "vmpl",
            "policy", "debug");

    /**
     * An appraisal of what a verifier found: the checks it makes pass unless they failed; nothing passes if the
     * evidence or the options were malformed.
     */
    static io.teebox.api.appraisal.Appraisal appraisal(String format, Map<String, String> claims, List<Check> failures,
            VerificationOptions options, List<String> checks) {
        boolean malformed = failures.stream().anyMatch(f -> f.check().equals("format") || f.check().equals("options"));
        List<String> made = new ArrayList<>();
        if (!malformed) {
            made.addAll(checks);
            made.addAll(options.referenceValues().keySet());
        }
        String nonce = claims.get("report_data");
        return io.teebox.api.appraisal.Appraisal.of(format, io.teebox.kit.codec.Claims.typed(claims), made, failures,
                nonce == null || nonce.isEmpty() ? null : io.teebox.api.tee.Bytes.fromHex(nonce));
    }

    /** The AMD extensions of a VCEK or VLEK, read strictly. */
    private record Leaf(boolean vlek, int structVersion, String productName, String productLine, long tcb,
            byte[] hwid, String cspId) {
    }

    /** One appraisal: claims and failures as they are found. */
    private static final class Run {
        final Evidence evidence;
        final VerificationOptions options;
        final Instant now;
        final Map<String, String> claims = new LinkedHashMap<>();
        final List<Check> failures = new ArrayList<>();
        /** The product line the ARK's CN names, once the chain is read. */
        String arkLine;
        boolean requireCrl;

        Run(Evidence evidence, VerificationOptions options) {
            this.evidence = evidence;
            this.options = options;
            this.now = options.clock().instant();
        }

        void fail(String check, String reason) {
            failures.add(new Check(check, reason));
        }

        void run() {
            checkOptions();
            requireCrl = flag("require_crl");
            if (!SnpBackend.FORMAT.equals(evidence.format())) {
                fail("format", "evidence format is '" + evidence.format() + "', expected " + SnpBackend.FORMAT);
                return;
            }
            SnpReport report;
            try {
                report = SnpReport.parse(evidence.report());
            } catch (MalformedStructureException e) {
                fail("format", e.getMessage());
                return;
            }
            Struct f = report.fields();
            describe(f);
            try {
                new SnpPolicy(f.u64("POLICY"));
            } catch (TeeException e) {
                fail("policy", e.getMessage());
            }
            if (f.u32("SIGNATURE_ALGO") != SnpReport.ALGO_ECDSA_P384_SHA384) {
                fail("signature", "SIGNATURE_ALGO is " + f.u32("SIGNATURE_ALGO")
                        + ", expected 1 (ECDSA P-384 with SHA-384)");
            }
            X509Certificate leafCert = chain();
            if (leafCert != null) {
                signature(report, leafCert);
                Leaf leaf = extensions(leafCert);
                if (leaf != null) {
                    if (arkLine != null && !arkLine.equals(leaf.productLine())) {
                        fail("chain", "the " + (leaf.vlek() ? "VLEK" : "VCEK") + " is for '" + leaf.productName()
                                + "', but the chain's root is ARK-" + arkLine);
                    }
                    bind(f, leaf);
                    cpuid(report, leaf);
                }
            }
            validate(f);
        }

        private void describe(Struct f) {
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
        }

        private void checkOptions() {
            for (String k : options.referenceValues().keySet()) {
                if (!REFERENCE_VALUES.contains(k)) {
                    fail("options", "unknown reference value '" + k + "'; known: " + REFERENCE_VALUES);
                }
            }
            for (String k : options.policy().keySet()) {
                if (!POLICIES.contains(k)) {
                    fail("options", "unknown policy '" + k + "'; known: " + POLICIES);
                }
            }
        }

        /** @return the policy's boolean, false if absent; a failure naming the key if it is neither true nor false */
        private boolean flag(String key) {
            String v = options.policy().get(key);
            if (v == null) {
                return false;
            }
            String t = v.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                return t.equals("true");
            }
            fail("options", "policy " + key + " is '" + v + "'; accepted: true or false");
            return false;
        }

        // ------------------------------------------------------------ verify: the chain

        /** @return the leaf (VCEK or VLEK) if the chain could be read at all */
        private X509Certificate chain() {
            List<byte[]> der = evidence.certificates();
            String[] roles = {"VCEK or VLEK", "ASK or ASVK", "ARK"};
            if (der.size() != 3) {
                fail("chain", "expected the VCEK (or VLEK), ASK (or ASVK) and ARK certificates, got " + der.size());
                return null;
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try {
                    chain.add(X509Authority.certificateFromDer(der.get(i)));
                } catch (IllegalArgumentException e) {
                    fail("chain", "certificate " + i + " (the " + roles[i] + ") is not DER X.509: " + e.getMessage());
                    return null;
                }
            }
            List<X509Certificate> roots = new ArrayList<>();
            for (byte[] r : options.trustedRoots()) {
                try {
                    roots.add(X509Authority.certificateFromDer(r));
                } catch (IllegalArgumentException e) {
                    fail("chain", "a trusted root is not a DER certificate: " + e.getMessage());
                }
            }
            List<X509CRL> crls = crls();
            CertificateChainValidator.Result r = CertificateChainValidator.builder().trustAnchors(roots).at(now)
                    .crls(crls).build().validate(chain);
            for (CertificateChainValidator.Problem p : r.problems()) {
                String check = switch (p.check()) {
                    case REVOKED -> "revocation";
                    case CRL -> "crl";
                    default -> "chain";
                };
                fail(check, p.message());
            }
            X509Certificate ark = chain.get(2);
            if (r.revocationCheckedBy(ark)) {
                X509CRL used = r.checkedCrls().stream().filter(c -> c.getIssuerX500Principal().equals(
                        ark.getSubjectX500Principal())).findFirst().orElseThrow();
                claims.put("revocation", "checked against the CRL of " + cn(ark) + " (thisUpdate "
                        + used.getThisUpdate().toInstant() + ")");
            } else {
                claims.put("revocation", "not checked: no current CRL of " + cn(ark) + " in attachment '"
                        + ATTACHMENT_CRL + "'");
                if (requireCrl) {
                    fail("crl", "policy require_crl=true, but the evidence carries no current CRL signed by "
                            + cn(ark) + " (attachment '" + ATTACHMENT_CRL + "')");
                }
            }
            names(chain);
            return chain.get(0);
        }

        private List<X509CRL> crls() {
            byte[] raw = evidence.attachments().get(ATTACHMENT_CRL);
            if (raw == null) {
                return List.of();
            }
            try {
                String text = new String(raw, StandardCharsets.US_ASCII);
                if (text.contains("-----BEGIN X509 CRL-----")) {
                    List<X509CRL> out = new ArrayList<>();
                    for (String block : text.split("(?=-----BEGIN X509 CRL-----)")) {
                        if (block.contains("-----BEGIN X509 CRL-----")) {
                            out.add(X509Authority.crlFromPem(block));
                        }
                    }
                    return out;
                }
                return List.of(X509Authority.crlFromDer(raw));
            } catch (IllegalArgumentException e) {
                fail("crl", "attachment '" + ATTACHMENT_CRL + "' is neither a DER CRL nor PEM CRLs: "
                        + e.getMessage());
                return List.of();
            }
        }

        /** AMD's names: ARK-{line}, SEV-{line} or SEV-VLEK-{line}, SEV-VCEK or SEV-VLEK, all of one product. */
        private void names(List<X509Certificate> chain) {
            String ark = cn(chain.get(2));
            String signer = cn(chain.get(1));
            String leaf = cn(chain.get(0));
            if (!ark.startsWith("ARK-")) {
                fail("chain", "the root is '" + ark + "', expected ARK-Milan, ARK-Genoa or ARK-Turin");
                return;
            }
            String line = ark.substring(4);
            arkLine = line;
            String expected = leaf.equals("SEV-VLEK") ? "SEV-VLEK-" + line : "SEV-" + line;
            if (!leaf.equals("SEV-VCEK") && !leaf.equals("SEV-VLEK")) {
                fail("chain", "the signing key's certificate is '" + leaf + "', expected SEV-VCEK or SEV-VLEK");
            } else if (!signer.equals(expected)) {
                fail("chain", "the " + leaf + " is issued by '" + signer + "', expected '" + expected + "' under '"
                        + ark + "'");
            }
        }

        // ------------------------------------------------------------ verify: report signature and leaf binding

        private void signature(SnpReport report, X509Certificate leaf) {
            if (!(leaf.getPublicKey() instanceof ECPublicKey) || !isP384(leaf)) {
                fail("chain", "the " + cn(leaf) + " carries a " + leaf.getPublicKey().getAlgorithm() + " key"
                        + keySize(leaf) + ", expected ECDSA P-384, so it cannot have signed the report");
                return;
            }
            BigInteger[] rs = report.signature();
            boolean valid;
            try {
                valid = Signatures.ecdsaVerify(leaf.getPublicKey(), "SHA-384", report.signedBytes(), rs[0], rs[1]);
            } catch (IllegalArgumentException e) {
                // the certificate decodes, but its key does not (a point off the curve, say)
                fail("chain", "the " + cn(leaf) + "'s public key cannot verify a signature: " + e.getMessage()
                        + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
                return;
            }
            if (!valid) {
                fail("signature", "the report's signature over bytes 0x000..0x29F does not verify with the "
                        + cn(leaf) + "'s key");
            }
        }

        private static boolean isP384(X509Certificate c) {
            try {
                return "P-384".equals(EcKeys.curveOf(c.getPublicKey()));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        private static String keySize(X509Certificate c) {
            if (c.getPublicKey() instanceof java.security.interfaces.RSAKey rsa) {
                return " (" + rsa.getModulus().bitLength() + " bits)";
            }
            return "";
        }

        /**
         * Reads the leaf's AMD extensions as go-sev-guest's kds package does: only KDS OIDs (and an authority key
         * identifier) are allowed; structVersion 0 (Milan, Genoa: spl4..spl7) or 1 (Turin: spl5..spl7 and fmcSPL);
         * each SPL a DER INTEGER 0..255; the hwID the raw CHIP_ID (64 bytes, Turin 8), or that wrapped in an
         * OCTET STRING.
         */
        private Leaf extensions(X509Certificate c) {
            String what = "the " + cn(c) + "'s";
            try {
                Set<String> oids = new TreeSet<>();
                if (c.getCriticalExtensionOIDs() != null) {
                    oids.addAll(c.getCriticalExtensionOIDs());
                }
                if (c.getNonCriticalExtensionOIDs() != null) {
                    oids.addAll(c.getNonCriticalExtensionOIDs());
                }
                for (String oid : oids) {
                    if (!oid.startsWith(AmdKeyHierarchy.OID) && !oid.equals("2.5.29.35")) {
                        throw new IllegalArgumentException("extension " + oid + " is none AMD's KDS puts in a VCEK or"
                                + " VLEK (only 1.3.6.1.4.1.3704.1.*)");
                    }
                }
                int version = integer(c, "1", "structVersion");
                String name = ia5(c, "2", "productName");
                int dash = name.indexOf('-');
                String line = dash < 0 ? name : name.substring(0, dash);
                int expectedVersion = switch (line) {
                    case "Milan", "Genoa" -> 0;
                    case "Turin" -> 1;
                    default -> throw new IllegalArgumentException("productName '" + name
                            + "' is no product line teebox knows (Milan, Genoa, Turin)");
                };
                if (version != expectedVersion) {
                    throw new IllegalArgumentException("structVersion is " + version + ", but " + line
                            + " certificates use " + expectedVersion);
                }
                long bl = integer(c, "3.1", "blSPL");
                long tee = integer(c, "3.2", "teeSPL");
                long snp = integer(c, "3.3", "snpSPL");
                long ucode = integer(c, "3.8", "ucodeSPL");
                long spl5 = integer(c, "3.5", "spl5");
                long spl6 = integer(c, "3.6", "spl6");
                long spl7 = integer(c, "3.7", "spl7");
                long tcb;
                if (version == 0) {
                    if (c.getExtensionValue(AmdKeyHierarchy.OID + "3.9") != null) {
                        throw new IllegalArgumentException("extension 1.3.6.1.4.1.3704.1.3.9 (fmcSPL) is not part "
                                + "of structVersion 0");
                    }
                    long spl4 = integer(c, "3.4", "spl4");
                    tcb = bl | tee << 8 | spl4 << 16 | spl5 << 24 | spl6 << 32 | spl7 << 40 | snp << 48
                            | ucode << 56;
                } else {
                    if (c.getExtensionValue(AmdKeyHierarchy.OID + "3.4") != null) {
                        throw new IllegalArgumentException("extension 1.3.6.1.4.1.3704.1.3.4 (spl4) is not part "
                                + "of structVersion 1");
                    }
                    long fmc = integer(c, "3.9", "fmcSPL");
                    tcb = fmc | bl << 8 | tee << 16 | snp << 24 | spl5 << 32 | spl6 << 40 | spl7 << 48
                            | ucode << 56;
                }
                boolean hasHwid = c.getExtensionValue(AmdKeyHierarchy.OID + "4") != null;
                boolean hasCsp = c.getExtensionValue(AmdKeyHierarchy.OID + "5") != null;
                boolean vlek = cn(c).equals("SEV-VLEK");
                if (hasHwid && hasCsp) {
                    throw new IllegalArgumentException("it carries both a hwID and a CSP_ID");
                }
                if (vlek) {
                    if (!hasCsp) {
                        throw new IllegalArgumentException("extension 1.3.6.1.4.1.3704.1.5 (CSP_ID) is missing");
                    }
                    if (!name.equals(line)) {
                        throw new IllegalArgumentException("productName '" + name + "' carries a stepping, which a "
                                + "VLEK's does not");
                    }
                    String csp = ia5(c, "5", "CSP_ID");
                    claims.put("product", name);
                    claims.put("signing_key", "VLEK of " + csp);
                    return new Leaf(true, version, name, line, tcb, null, csp);
                }
                if (!hasHwid) {
                    throw new IllegalArgumentException("extension 1.3.6.1.4.1.3704.1.4 (hwID) is missing");
                }
                byte[] hwid = hwid(raw(c, "4"), version == 0 ? 64 : 8);
                claims.put("product", name);
                claims.put("signing_key", "VCEK");
                return new Leaf(false, version, name, line, tcb, hwid, null);
            } catch (IllegalArgumentException e) {
                fail("chain", what + " AMD extensions are unusable: " + e.getMessage());
                return null;
            }
        }

        /** The hwID as the KDS writes it (the bare bytes), or wrapped in an OCTET STRING of the same size. */
        private static byte[] hwid(byte[] v, int size) {
            if (v.length == size) {
                return v;
            }
            try {
                ASN1Primitive p = ASN1Primitive.fromByteArray(v);
                if (p instanceof ASN1OctetString o && o.getOctets().length == size && Arrays.equals(p.getEncoded(),
                        v)) {
                    return o.getOctets();
                }
            } catch (IOException | RuntimeException e) {
                // reported below
            }
            throw new IllegalArgumentException("the hwID (1.3.6.1.4.1.3704.1.4) is " + v.length + " bytes"
                    + (v.length > 0 ? " starting " + Hex.encode(Arrays.copyOf(v, Math.min(4, v.length))) : "")
                    + ", expected the raw " + size + "-byte CHIP_ID" + (size == 8 ? " prefix (Turin)" : ""));
        }

        private static byte[] raw(X509Certificate c, String suffix) {
            byte[] v = c.getExtensionValue(AmdKeyHierarchy.OID + suffix);
            if (v == null) {
                return null;
            }
            return ASN1OctetString.getInstance(v).getOctets();
        }

        private static int integer(X509Certificate c, String suffix, String name) {
            byte[] v = raw(c, suffix);
            String oid = AmdKeyHierarchy.OID + suffix;
            if (v == null) {
                throw new IllegalArgumentException("extension " + oid + " (" + name + ") is missing");
            }
            ASN1Encodable p = parse(v, oid, name);
            if (!(p instanceof ASN1Integer i)) {
                throw new IllegalArgumentException("extension " + oid + " (" + name + ") is not a DER INTEGER: "
                        + Hex.encode(v));
            }
            BigInteger x = i.getValue();
            if (x.signum() < 0 || x.bitLength() > 8) {
                throw new IllegalArgumentException("extension " + oid + " (" + name + ") is " + x
                        + ", expected 0..255");
            }
            return x.intValue();
        }

        private static String ia5(X509Certificate c, String suffix, String name) {
            byte[] v = raw(c, suffix);
            String oid = AmdKeyHierarchy.OID + suffix;
            if (v == null) {
                throw new IllegalArgumentException("extension " + oid + " (" + name + ") is missing");
            }
            ASN1Encodable p = parse(v, oid, name);
            if (!(p instanceof DERIA5String s)) {
                throw new IllegalArgumentException("extension " + oid + " (" + name + ") is not an IA5String: "
                        + Hex.encode(v));
            }
            return s.getString();
        }

        private static ASN1Encodable parse(byte[] v, String oid, String name) {
            try {
                ASN1Primitive p = ASN1Primitive.fromByteArray(v);
                if (!Arrays.equals(p.getEncoded(), v)) {
                    throw new IOException("trailing or non-DER bytes");
                }
                return p;
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("extension " + oid + " (" + name + ") is not DER: "
                        + Hex.encode(v));
            }
        }

        /** The leaf belongs to this report: key kind, TCB, chip, product line. */
        private void bind(Struct f, Leaf leaf) {
            long signingKey = (f.u32("KEY_INFO") >>> 2) & 7;
            if (signingKey != (leaf.vlek() ? 1 : 0)) {
                fail("signing_key", "KEY_INFO.SIGNING_KEY is " + signingKey + " but the report comes with a "
                        + (leaf.vlek() ? "VLEK (1)" : "VCEK (0)"));
            }
            long reported = f.u64("REPORTED_TCB");
            if (leaf.tcb() != reported) {
                fail("tcb", String.format("the %s is for TCB 0x%016X, the report's REPORTED_TCB is 0x%016X (%s): "
                        + "the %s belongs to another TCB", leaf.vlek() ? "VLEK" : "VCEK", leaf.tcb(), reported,
                        tcbDifference(leaf.productLine(), leaf.tcb(), reported), leaf.vlek() ? "VLEK" : "VCEK"));
            }
            if (leaf.vlek()) {
                return;
            }
            byte[] chipId = f.bytes("CHIP_ID");
            if (allZero(chipId)) {
                claims.put("chip_id_check", "skipped: CHIP_ID is masked (all zero)");
                return;
            }
            byte[] reportId = Arrays.copyOf(chipId, leaf.hwid().length);
            boolean restZero = allZero(Arrays.copyOfRange(chipId, leaf.hwid().length, 64));
            if (!Arrays.equals(reportId, leaf.hwid()) || !restZero) {
                fail("chip", "the VCEK's hwID " + abbreviate(leaf.hwid()) + " is not the report's CHIP_ID "
                        + abbreviate(chipId) + ": the VCEK belongs to another chip");
            }
        }

        /** Names the TCB components that differ. */
        private static String tcbDifference(String line, long cert, long report) {
            String[] names = "Turin".equals(line)
                    ? new String[] {"FMC", "BOOT_LOADER", "TEE", "SNP", "SPL5", "SPL6", "SPL7", "MICROCODE"}
                    : new String[] {"BOOT_LOADER", "TEE", "SPL4", "SPL5", "SPL6", "SPL7", "SNP", "MICROCODE"};
            List<String> diff = new ArrayList<>();
            for (int b = 0; b < 8; b++) {
                long x = (cert >>> (8 * b)) & 0xFF;
                long y = (report >>> (8 * b)) & 0xFF;
                if (x != y) {
                    diff.add(names[b] + " SPL " + x + " vs " + y);
                }
            }
            return String.join(", ", diff);
        }

        /**
         * In a version 3+ report, CPUID_FAM_ID, CPUID_MOD_ID and CPUID_STEP name a product line (Milan: family 19h
         * models 00h-0Fh; Genoa: 19h, 10h-1Fh and A0h-AFh; Turin: 1Ah, 00h-11h, as virtee/sev reads them) that must
         * be the leaf's. A VCEK productName with a stepping must fit CPUID_STEP; the KDS names stepping-1 Milan
         * parts "Milan-B0" (go-sev-guest issue 115), so Milan-B0 accepts steppings 0 and 1.
         */
        private void cpuid(SnpReport report, Leaf leaf) {
            if (report.version() < 3) {
                return;
            }
            Struct f = report.fields();
            int family = f.u8("CPUID_FAM_ID");
            int model = f.u8("CPUID_MOD_ID");
            int stepping = f.u8("CPUID_STEP");
            String line = null;
            if (family == 0x19 && model <= 0x0F) {
                line = "Milan";
            } else if (family == 0x19 && (model >= 0x10 && model <= 0x1F || model >= 0xA0 && model <= 0xAF)) {
                line = "Genoa";
            } else if (family == 0x1A && model <= 0x11) {
                line = "Turin";
            }
            String fms = String.format("CPUID family 0x%02X model 0x%02X stepping %d", family, model, stepping);
            claims.put("cpu", fms + (line == null ? "" : " (" + line + ")"));
            if (line == null) {
                fail("cpuid", "the report's " + fms + " is no SEV-SNP product teebox knows (Milan 19h/00h-0Fh, "
                        + "Genoa 19h/10h-1Fh and A0h-AFh, Turin 1Ah/00h-11h)");
                return;
            }
            if (!line.equals(leaf.productLine())) {
                fail("cpuid", "the report's " + fms + " is a " + line + ", but its " + (leaf.vlek() ? "VLEK" : "VCEK")
                        + " is for '" + leaf.productName() + "'");
                return;
            }
            Set<Integer> steppings = STEPPINGS.get(leaf.productName());
            if (!leaf.productName().equals(leaf.productLine()) && steppings == null) {
                fail("cpuid", "the VCEK's productName '" + leaf.productName() + "' names a stepping teebox does not "
                        + "know (" + new TreeSet<>(STEPPINGS.keySet()) + ")");
            } else if (steppings != null && !steppings.contains(stepping)) {
                fail("cpuid", "the report's " + fms + " is not what the VCEK's productName '" + leaf.productName()
                        + "' allows (stepping " + steppings + ")");
            }
        }

        // ------------------------------------------------------------ validate

        private void validate(Struct f) {
            for (Map.Entry<String, String> r : REFERENCE_FIELDS.entrySet()) {
                String want = options.referenceValues().get(r.getKey());
                if (want == null) {
                    continue;
                }
                byte[] actual = f.bytes(r.getValue());
                byte[] expected = hexOption(r.getKey(), want, actual.length);
                if (expected != null && !Arrays.equals(Arrays.copyOf(expected, actual.length), actual)) {
                    fail(r.getKey(), r.getValue() + " is " + Hex.encode(actual) + ", expected "
                            + Hex.encode(Arrays.copyOf(expected, actual.length)));
                }
            }
            String vmpl = options.referenceValues().get("vmpl");
            if (vmpl != null) {
                if (!vmpl.trim().matches("[0-3]")) {
                    fail("options", "reference value vmpl is '" + vmpl + "'; accepted: 0, 1, 2 or 3");
                } else if (Integer.parseInt(vmpl.trim()) != f.u32("VMPL")) {
                    fail("vmpl", "VMPL is " + f.u32("VMPL") + ", expected " + vmpl.trim());
                }
            }
            boolean allowDebug = flag("allow_debug");
            long policy = f.u64("POLICY");
            if (!allowDebug && (policy & SnpPolicy.DEBUG) != 0) {
                fail("debug", String.format("the guest policy 0x%X allows debugging (bit 19, DEBUG), which policy "
                        + "allow_debug=false forbids", policy));
            }
            String min = options.policy().get("minimum_tcb");
            if (min != null) {
                String digits = min.trim().replaceFirst("^0[xX]", "");
                if (!digits.matches("[0-9a-fA-F]{16}")) {
                    fail("options", "policy minimum_tcb is '" + min + "'; accepted: a TCB_VERSION as 16 hex digits, "
                            + "optionally 0x-prefixed, e.g. 0x4405000000000002");
                    return;
                }
                long want = Long.parseUnsignedLong(digits, 16);
                long got = f.u64("REPORTED_TCB");
                for (int b = 0; b < 8; b++) {
                    int gb = (int) (got >>> (8 * b)) & 0xFF;
                    int wb = (int) (want >>> (8 * b)) & 0xFF;
                    if (gb < wb) {
                        fail("tcb", String.format("REPORTED_TCB 0x%016X is below the minimum 0x%016X (byte %d: %d < "
                                + "%d)", got, want, b, gb, wb));
                        break;
                    }
                }
            }
        }

        private byte[] hexOption(String name, String value, int max) {
            try {
                byte[] b = Hex.decode(value.trim());
                if (b.length > max) {
                    fail("options", "reference value " + name + " is " + b.length + " bytes, at most " + max);
                    return null;
                }
                return b;
            } catch (IllegalArgumentException e) {
                fail("options", "reference value " + name + " is not hex: " + e.getMessage());
                return null;
            }
        }
    }

    private static String policyText(long policy) {
        try {
            return new SnpPolicy(policy).toString();
        } catch (TeeException e) {
            return "(invalid)";
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(byte[] b) {
        String h = Hex.encode(b);
        return h.length() > 16 ? h.substring(0, 16) + "..." : h;
    }

    private static String cn(X509Certificate c) {
        try {
            RDN[] cns = X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
            if (cns.length > 0) {
                return IETFUtils.valueToString(cns[0].getFirst().getValue());
            }
        } catch (IllegalArgumentException e) {
            // a name Bouncy Castle cannot decode (a UTF8String that is not UTF-8): the JDK's rendering of it
        }
        return c.getSubjectX500Principal().getName();
    }
}
