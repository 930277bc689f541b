package io.teebox.intel.verify.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TeeType;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.EnclaveReport;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import io.teebox.spi.collateral.CollateralSource;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
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

/**
 * Appraises TDX quote evidence (Quote v4, or Quote v5 with a TDX 1.0 or TDX 1.5 body) with the DCAP checks (spec
 * 4.7; go-tdx-guest {@code verify.go}; Intel QVL for the TCB status): the PCK chain up to a trusted Intel root, the
 * CRLs, the signatures of TCB info and QE identity and their chains, the QE report's signature by the PCK key and
 * its binding of the attestation key, the quote signature, FMSPC and PCE-ID, the TDX module identity, the TCB status
 * (with the TD relaunch check for TDX 1.5 bodies), then the TD's attributes, reference values and its event log:
 * digests replayed to the RTMRs, and data checked where the event type defines the digest over it.
 *
 * <p>Reference values (hex): {@code mrtd}, {@code rtmr0}..{@code rtmr3}, {@code mrconfigid}, {@code mrowner},
 * {@code mrownerconfig}, {@code report_data} (zero-padded to 64 bytes). Policy: {@code allow_debug} (true or false,
 * default false; any other value is a failure of check {@code options}), {@code min_tee_tcb_svn} (hex, compared
 * byte by byte), {@code allowed_tcb_status} (comma-separated, default {@code UpToDate}). Collateral comes from the evidence attachment {@code collateral} or, without it, from the
 * Intel collateral sources ({@code collateral.vendor=intel}, in ranking order; {@link PcsCollateral}); the event
 * log from the attachment {@code event_log}.
 *
 * <p>A quote the parser refuses is one failure of check {@code format} whose reason is the parser's message, and
 * nothing else is appraised (the SEV and SNP verifiers do the same).
 */
@Component(service = EvidenceVerifier.class, property = EvidenceVerifier.FORMAT_PROPERTY + "=" + Tdx.EVIDENCE_FORMAT)
@TeeType(Tdx.TEE_TYPE)
public final class TdxQuoteVerifier implements EvidenceVerifier {

    static final Set<String> REFERENCE_VALUES = Set.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid",
            "mrowner", "mrownerconfig", "report_data");
    static final Set<String> POLICIES = Set.of("allow_debug", "min_tee_tcb_svn", "allowed_tcb_status");
    static final String ROOT_CN = "Intel SGX Root CA";
    static final String TCB_SIGNING_CN = "Intel SGX TCB Signing";
    static final String PCK_CN = "Intel SGX PCK Certificate";
    static final Set<String> PCK_ISSUER_CNS = Set.of("Intel SGX PCK Platform CA", "Intel SGX PCK Processor CA");

    private final CollateralSources sources;

    /** A verifier with no collateral sources yet: DS binds them as they come. */
    public TdxQuoteVerifier() {
        this(new CollateralSources());
    }

    /** @param sources where the collateral the evidence lacks is fetched */
    TdxQuoteVerifier(CollateralSources sources) {
        this.sources = sources;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + CollateralSource.VENDOR + "=intel)")
    void bindSource(CollateralSource source, Map<String, Object> properties) {
        sources.add(source, properties);
    }

    void unbindSource(CollateralSource source) {
        sources.remove(source);
    }

    @Override
    public String format() {
        return Tdx.EVIDENCE_FORMAT;
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        Run run = new Run(evidence, options);
        run.run();
        boolean malformed = run.failures.stream().anyMatch(f -> f.check().equals("format")
                || f.check().equals("options"));
        List<String> made = new ArrayList<>();
        if (!malformed) {
            made.addAll(CHECKS);
            made.addAll(options.referenceValues().keySet());
            if (evidence.attachments().containsKey(Tdx.ATTACHMENT_EVENT_LOG)) {
                made.add("event_log");
            }
        }
        String nonce = run.claims.get("report_data");
        return Appraisal.of(Tdx.EVIDENCE_FORMAT, io.teebox.kit.codec.Claims.typed(run.claims), made, run.failures,
                nonce == null ? null : io.teebox.api.tee.Bytes.fromHex(nonce));
    }

    /** The checks every appraisal of a well-formed quote makes (reference values and an event log add theirs). */
    static final List<String> CHECKS = List.of("quote_signature", "qe_report_signature", "qe_report_binding",
            "pck_chain", "pck_extensions", "crl", "revocation", "collateral", "tcb_info", "qe_identity", "tcb_status",
            "td_attributes", "debug");

    /** One appraisal: claims and failures as they are found. */
    private final class Run {
        final Evidence evidence;
        final VerificationOptions options;
        final Instant now;
        final Map<String, String> claims = new LinkedHashMap<>();
        final List<io.teebox.api.appraisal.Check> failures = new ArrayList<>();
        final List<X509Certificate> roots = new ArrayList<>();

        Run(Evidence evidence, VerificationOptions options) {
            this.evidence = evidence;
            this.options = options;
            this.now = options.clock().instant();
        }

        void fail(String check, String reason) {
            failures.add(new io.teebox.api.appraisal.Check(check, oneLine(reason)));
        }

        void run() {
            if (!Tdx.EVIDENCE_FORMAT.equals(evidence.format())) {
                fail("format", "evidence format is '" + evidence.format() + "', expected " + Tdx.EVIDENCE_FORMAT);
                return;
            }
            Quote q;
            try {
                q = Quote.parse(evidence.report());
            } catch (MalformedStructureException e) {
                fail("format", e.getMessage());
                return;
            }
            describe(q);
            int trailing = evidence.report().length - q.toBytes().length;
            if (trailing > 0) {
                // unsigned bytes after the signature data (a padded quote buffer): reported, not appraised
                claims.put("trailing_bytes", Integer.toString(trailing));
            }
            checkOptions();
            for (byte[] der : options.trustedRoots()) {
                try {
                    roots.add(X509Authority.certificateFromDer(der));
                } catch (IllegalArgumentException e) {
                    fail("trusted_roots", "a trusted root is not a DER certificate: " + e.getMessage());
                }
            }
            if (roots.isEmpty()) {
                fail("trusted_roots", "no trusted Intel root certificate was given");
            }
            // signatures that need no certificate
            Struct body = q.body();
            Struct qe = q.qeReport();
            checkQuoteSignature(q);
            checkBinding(q, qe);
            // the PCK chain and everything it certifies
            List<X509Certificate> chain = pckChain(q);
            PckExtensions pck = null;
            if (chain != null) {
                try {
                    pck = PckExtensions.of(chain.get(0));
                    claims.put("fmspc", Hex.encode(pck.fmspc()));
                    claims.put("pce_id", Hex.encode(pck.pceId()));
                    claims.put("ppid", Hex.encode(pck.ppid()));
                    claims.put("pck_cpusvn", pck.cpuSvn() == null ? "" : Hex.encode(pck.cpuSvn()));
                    claims.put("pce_svn", Integer.toString(pck.pceSvn()));
                } catch (IllegalArgumentException e) {
                    fail("pck_extensions", e.getMessage());
                }
                if (!Signatures.ecdsaVerify(chain.get(0).getPublicKey(), "SHA-256", qe.toBytes(),
                        Signatures.fromRaw(q.qeReportSignature())[0], Signatures.fromRaw(q.qeReportSignature())[1])) {
                    fail("qe_report_signature", "the QE report's signature does not verify with the PCK certificate's "
                            + "key");
                }
            }
            Collateral c = collateral(pck);
            if (c != null) {
                appraise(c, chain, pck, body, qe);
            }
            checkTd(body);
            checkEventLog(body);
        }

        private void describe(Quote q) {
            Struct h = q.header();
            Struct b = q.body();
            claims.put("version", Integer.toString(h.u16("VERSION")));
            claims.put("body_type", q.bodyType() == Quote.BODY_TYPE_TDX15 ? "3 (TDX 1.5)" : "2 (TDX 1.0)");
            claims.put("tee_type", String.format("0x%08X", h.u32("TEE_TYPE")));
            claims.put("qe_vendor_id", Hex.encode(h.bytes("QE_VENDOR_ID")));
            claims.put("tee_tcb_svn", Hex.encode(b.bytes("TEE_TCB_SVN")));
            claims.put("mrseam", Hex.encode(b.bytes("MRSEAM")));
            claims.put("mrsignerseam", Hex.encode(b.bytes("MRSIGNERSEAM")));
            claims.put("seam_attributes", String.format("0x%016X", b.u64("SEAMATTRIBUTES")));
            claims.put("td_attributes", String.format("0x%016X (%s)", b.u64("TDATTRIBUTES"),
                    TdAttributes.describe(b.u64("TDATTRIBUTES"))));
            claims.put("xfam", String.format("0x%016X", b.u64("XFAM")));
            for (String f : List.of("MRTD", "MRCONFIGID", "MROWNER", "MROWNERCONFIG", "RTMR0", "RTMR1", "RTMR2",
                    "RTMR3")) {
                claims.put(f.toLowerCase(Locale.ROOT), Hex.encode(b.bytes(f)));
            }
            claims.put("report_data", Hex.encode(b.bytes("REPORTDATA")));
            if (b.layout().hasField("TEE_TCB_SVN2")) {
                claims.put("tee_tcb_svn2", Hex.encode(b.bytes("TEE_TCB_SVN2")));
                claims.put("mrservicetd", Hex.encode(b.bytes("MRSERVICETD")));
            }
            Struct qe = q.qeReport();
            claims.put("qe_mrsigner", Hex.encode(qe.bytes("MRSIGNER")));
            claims.put("qe_isvprodid", Integer.toString(qe.u16("ISVPRODID")));
            claims.put("qe_isvsvn", Integer.toString(qe.u16("ISVSVN")));
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

        private void checkQuoteSignature(Quote q) {
            byte[] ak = q.attestationKey();
            PublicKey key;
            try {
                key = EcKeys.publicKey("P-256", new BigInteger(1, Arrays.copyOf(ak, 32)),
                        new BigInteger(1, Arrays.copyOfRange(ak, 32, 64)));
            } catch (IllegalArgumentException e) {
                fail("quote_signature", "the attestation key is not a P-256 point: " + e.getMessage());
                return;
            }
            BigInteger[] rs = Signatures.fromRaw(q.signature());
            if (!Signatures.ecdsaVerify(key, "SHA-256", q.signedBytes(), rs[0], rs[1])) {
                fail("quote_signature", "the quote signature does not verify over the header and TD quote body with "
                        + "the attestation key");
            }
        }

        private void checkBinding(Quote q, Struct qe) {
            byte[] expected = Arrays.copyOf(Digests.sha256(q.attestationKey(), q.qeAuthData()), 64);
            if (!MessageDigest.isEqual(expected, qe.bytes("REPORTDATA"))) {
                fail("qe_report_binding", "QE report REPORTDATA is " + Hex.encode(qe.bytes("REPORTDATA"))
                        + ", expected SHA-256(attestation key || QE auth data) || 0^32 = " + Hex.encode(expected));
            }
        }

        private List<X509Certificate> pckChain(Quote q) {
            String text = q.pckChainText();
            String residue = text.replaceAll("(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", "")
                    .replaceAll("\\u0000+$", "").strip();
            if (!residue.isEmpty()) {
                // DCAP's QE ends the PEM chain with a NUL (go-tdx-guest accepts that and nothing else)
                fail("pck_chain", "the PCK chain carries " + residue.length() + " characters outside its PEM "
                        + "certificates other than a terminating NUL");
                return null;
            }
            List<X509Certificate> chain;
            try {
                chain = X509Authority.certificatesFromPem(text);
            } catch (IllegalArgumentException e) {
                fail("pck_chain", "the quote's PCK chain is not PEM: " + e.getMessage());
                return null;
            }
            if (chain.size() != 3) {
                fail("pck_chain", "the quote carries " + chain.size() + " certificates, expected 3 (PCK, Platform or "
                        + "Processor CA, root)");
                return null;
            }
            String bad = checkChain(chain, List.of(Set.of(PCK_CN), PCK_ISSUER_CNS, Set.of(ROOT_CN)));
            if (bad != null) {
                fail("pck_chain", bad);
                return null;
            }
            String beside = besideTheQuote(chain);
            if (beside != null) {
                fail("pck_chain", beside);
                return null;
            }
            return chain;
        }

        /**
         * Certificates given beside a quote whose certification data carries its PCK chain (type 5) must be that
         * chain: evidence does not carry two chains of which the verifier would check one.
         *
         * @return why they differ, or null
         */
        private String besideTheQuote(List<X509Certificate> chain) {
            List<byte[]> given = evidence.certificates();
            if (given.isEmpty()) {
                return null;
            }
            boolean same = given.size() == chain.size();
            for (int i = 0; same && i < chain.size(); i++) {
                try {
                    same = Arrays.equals(given.get(i), chain.get(i).getEncoded());
                } catch (java.security.cert.CertificateEncodingException e) {
                    same = false;
                }
            }
            return same ? null : "the " + given.size() + " certificates given beside the quote are not the PCK "
                    + "chain its certification data carries (give none, or exactly that chain)";
        }

        /** @return why the chain fails, or null: names, algorithms, issuers, signatures, validity, trusted root */
        String checkChain(List<X509Certificate> chain, List<Set<String>> names) {
            for (int i = 0; i < chain.size(); i++) {
                X509Certificate c = chain.get(i);
                String cn = commonName(c);
                if (!names.get(i).contains(cn)) {
                    return "certificate " + i + " is '" + cn + "', expected " + names.get(i);
                }
                if (c.getVersion() != 3 || !"1.2.840.10045.4.3.2".equals(c.getSigAlgOID())) {
                    return "'" + cn + "' is not an X.509 v3 certificate signed with ecdsa-with-SHA256";
                }
                try {
                    if (!"P-256".equals(EcKeys.curveOf(c.getPublicKey()))) {
                        return "'" + cn + "' does not carry a P-256 key";
                    }
                } catch (IllegalArgumentException e) {
                    return "'" + cn + "' does not carry a P-256 key: " + e.getMessage();
                }
                if (now.isBefore(c.getNotBefore().toInstant()) || now.isAfter(c.getNotAfter().toInstant())) {
                    return "'" + cn + "' is valid " + c.getNotBefore().toInstant() + " .. "
                            + c.getNotAfter().toInstant() + ", not at " + now;
                }
                X509Certificate parent = i + 1 < chain.size() ? chain.get(i + 1) : c;
                if (!c.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
                    return "'" + cn + "' is issued by " + c.getIssuerX500Principal() + ", not by "
                            + parent.getSubjectX500Principal();
                }
                if (!signedBy(c, parent.getPublicKey())) {
                    return "the signature of '" + cn + "' does not verify with the key of '" + commonName(parent) + "'";
                }
                if (i > 0 && !canIssue(c, i - 1)) {
                    // RFC 5280 6.1.4 (k), (l), (n): every issuer is a CA, within its path length, with keyCertSign
                    return "'" + cn + "' is not a CA that may issue '" + commonName(chain.get(i - 1)) + "' (it needs "
                            + "BasicConstraints CA:TRUE with a path length of at least " + (i - 1) + " and KeyUsage "
                            + "keyCertSign)";
                }
            }
            X509Certificate top = chain.get(chain.size() - 1);
            for (X509Certificate r : roots) {
                if (Arrays.equals(r.getPublicKey().getEncoded(), top.getPublicKey().getEncoded())
                        && r.getSubjectX500Principal().equals(top.getSubjectX500Principal())) {
                    return null;
                }
            }
            return "the chain ends in a root with key " + Hex.encode(Digests.sha256(top.getPublicKey().getEncoded()))
                    .substring(0, 16) + "..., which is not one of the " + roots.size() + " trusted roots";
        }

        private Collateral collateral(PckExtensions pck) {
            byte[] attached = evidence.attachments().get(Tdx.ATTACHMENT_COLLATERAL);
            try {
                if (attached != null) {
                    claims.put("collateral", "attached");
                    return Collateral.parse(new String(attached, StandardCharsets.UTF_8));
                }
                List<CollateralSource> from = sources.inOrder();
                if (from.isEmpty()) {
                    fail("collateral", "the evidence carries no collateral and no Intel PCS is available (no "
                            + "collateral source " + CollateralSource.VENDOR + "=intel)");
                    return null;
                }
                if (pck == null) {
                    fail("collateral", "no FMSPC to fetch collateral for (the PCK certificate was not usable)");
                    return null;
                }
                PcsCollateral.Fetched fetched = PcsCollateral.fetch(from, Hex.encode(pck.fmspc()));
                claims.put("collateral", fetched.from());
                return fetched.collateral();
            } catch (IllegalArgumentException e) {
                fail("collateral", e.getMessage());
                return null;
            }
        }

        private void appraise(Collateral c, List<X509Certificate> chain, PckExtensions pck, Struct body, Struct qe) {
            X509CRL rootCrl;
            X509CRL pckCrl;
            try {
                rootCrl = X509Authority.crlFromDer(c.rootCaCrl());
                pckCrl = X509Authority.crlFromDer(c.pckCrl());
            } catch (IllegalArgumentException e) {
                fail("crl", "a CRL in the collateral is not DER: " + e.getMessage());
                return;
            }
            JsonObject tcb = signedJson(c.tcbInfoIssuerChain(), c.tcbInfo(), c.tcbInfoSignature(), "tcb_info", rootCrl);
            JsonObject qeId = signedJson(c.qeIdentityIssuerChain(), c.qeIdentity(), c.qeIdentitySignature(),
                    "qe_identity", rootCrl);
            if (chain != null) {
                checkCrls(chain, rootCrl, pckCrl);
            }
            String qeStatus = null;
            List<String> advisories = new ArrayList<>();
            if (qeId != null) {
                try {
                    qeStatus = qeIdentity(qeId, qe, advisories);
                } catch (Json.FormatException e) {
                    fail("qe_identity", "QE identity is not the expected JSON: " + e.getMessage());
                }
            }
            if (tcb == null || pck == null) {
                return;
            }
            TcbEvaluation.Result r;
            try {
                r = new TcbEvaluation(tcb, pck, body.bytes("TEE_TCB_SVN"), body.layout().hasField("TEE_TCB_SVN2")
                        ? body.bytes("TEE_TCB_SVN2") : null, body.bytes("MRSIGNERSEAM"), body.u64("SEAMATTRIBUTES"))
                        .evaluate(qeStatus);
            } catch (Json.FormatException e) {
                fail("tcb_info", "TCB info is not the expected JSON: " + e.getMessage());
                return;
            }
            r.failures().forEach(f -> fail(f.check(), f.reason()));
            if (r.tcbDate() != null) {
                claims.put("tcb_date", r.tcbDate());
            }
            for (String a : r.advisories()) {
                if (!advisories.contains(a)) {
                    advisories.add(a);
                }
            }
            String status = r.status();
            if (status != null) {
                claims.put("tcb_status", status);
                claims.put("advisory_ids", String.join(",", advisories));
                String allowed = options.policy().getOrDefault("allowed_tcb_status", "UpToDate");
                List<String> ok = Arrays.stream(allowed.split(",")).map(String::trim).toList();
                if ("Revoked".equals(status) || !ok.contains(status)) {
                    fail("tcb_status", "TCB status is " + status + (advisories.isEmpty() ? "" : " (" + advisories + ")")
                            + ", allowed: " + ok);
                }
            }
        }

        /** Verifies a signed collateral JSON: its issuer chain to a trusted root, the CRL and the signature. */
        private JsonObject signedJson(String chainPem, String json, byte[] sig, String check, X509CRL rootCrl) {
            List<X509Certificate> chain;
            try {
                chain = X509Authority.certificatesFromPem(chainPem);
            } catch (IllegalArgumentException e) {
                fail(check + "_chain", "the issuer chain is not PEM: " + e.getMessage());
                return null;
            }
            if (chain.size() != 2) {
                fail(check + "_chain", "the issuer chain has " + chain.size() + " certificates, expected 2 (TCB "
                        + "Signing, root)");
                return null;
            }
            String bad = checkChain(chain, List.of(Set.of(TCB_SIGNING_CN), Set.of(ROOT_CN)));
            if (bad != null) {
                fail(check + "_chain", bad);
                return null;
            }
            if (rootCrl.isRevoked(chain.get(0))) {
                fail("revocation", "the TCB Signing certificate is revoked by the root CA CRL");
            }
            if (sig.length != 64 || !Signatures.ecdsaVerify(chain.get(0).getPublicKey(), "SHA-256",
                    json.getBytes(StandardCharsets.UTF_8), Signatures.fromRaw(sig)[0], Signatures.fromRaw(sig)[1])) {
                fail(check + "_signature", "the signature over " + check + " does not verify with the Intel SGX TCB "
                        + "Signing key");
                return null;
            }
            JsonObject o;
            try {
                o = Json.parseObject(json, check);
                Instant issue = instant(o, "issueDate", check);
                Instant next = instant(o, "nextUpdate", check);
                if (now.isBefore(issue) || now.isAfter(next)) {
                    fail(check, check + " is valid " + issue + " .. " + next + ", not at " + now);
                }
            } catch (Json.FormatException e) {
                fail(check, check + " is not the expected JSON: " + e.getMessage());
                return null;
            }
            return o;
        }

        private Instant instant(JsonObject o, String name, String path) {
            String text = Json.text(o, name, path);
            try {
                return Instant.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                throw new Json.FormatException(path + "." + name + " '" + text + "' is not an ISO-8601 instant");
            }
        }

        private void checkCrls(List<X509Certificate> chain, X509CRL rootCrl, X509CRL pckCrl) {
            X509Certificate root = chain.get(2);
            X509Certificate ca = chain.get(1);
            if (!rootCrl.getIssuerX500Principal().equals(root.getSubjectX500Principal()) || !crlSignedBy(rootCrl,
                    root.getPublicKey())) {
                fail("crl", "the root CA CRL is not issued and signed by the root " + root.getSubjectX500Principal());
            }
            if (!pckCrl.getIssuerX500Principal().equals(ca.getSubjectX500Principal()) || !crlSignedBy(pckCrl,
                    ca.getPublicKey())) {
                fail("crl", "the PCK CRL is not issued and signed by " + ca.getSubjectX500Principal());
            }
            for (X509CRL crl : List.of(rootCrl, pckCrl)) {
                if (crl.getNextUpdate() == null || now.isAfter(crl.getNextUpdate().toInstant())
                        || now.isBefore(crl.getThisUpdate().toInstant())) {
                    fail("crl", "the CRL of " + crl.getIssuerX500Principal() + " is valid " + crl.getThisUpdate()
                            .toInstant() + " .. " + (crl.getNextUpdate() == null ? "(no nextUpdate)"
                                    : crl.getNextUpdate().toInstant()) + ", not at " + now);
                }
                if (crl.getExtensionValue("2.5.29.20") == null || crl.getExtensionValue("2.5.29.35") == null) {
                    fail("crl", "the CRL of " + crl.getIssuerX500Principal() + " lacks CRLNumber or "
                            + "AuthorityKeyIdentifier");
                }
            }
            if (pckCrl.isRevoked(chain.get(0))) {
                fail("revocation", "the PCK certificate (serial " + chain.get(0).getSerialNumber().toString(16)
                        + ") is revoked by the PCK CRL");
            }
            if (rootCrl.isRevoked(ca)) {
                fail("revocation", "the " + commonName(ca) + " certificate is revoked by the root CA CRL");
            }
        }

        private String qeIdentity(JsonObject id, Struct qe, List<String> advisories) {
            String p = "qe_identity";
            String name = Json.text(id, "id", p);
            int version = Json.integer(id, "version", p, Integer.MAX_VALUE);
            if (!"TD_QE".equals(name) || version != 2) {
                fail("qe_identity", "QE identity is '" + name + "' version " + version + ", expected TD_QE version 2");
                return "Revoked";
            }
            byte[] signer = Json.hex(id, "mrsigner", p, 32);
            if (!Arrays.equals(signer, qe.bytes("MRSIGNER"))) {
                fail("qe_identity", "QE MRSIGNER " + Hex.encode(qe.bytes("MRSIGNER")) + " is not the identity's "
                        + Hex.encode(signer));
            }
            int prodId = Json.integer(id, "isvprodid", p, 0xFFFF);
            if (qe.u16("ISVPRODID") != prodId) {
                fail("qe_identity", "QE ISVPRODID " + qe.u16("ISVPRODID") + " is not the identity's " + prodId);
            }
            long misc = LittleEndian.u32(Json.hex(id, "miscselect", p, 4), 0);
            long miscMask = LittleEndian.u32(Json.hex(id, "miscselectMask", p, 4), 0);
            if ((qe.u32("MISCSELECT") & miscMask) != (misc & miscMask)) {
                fail("qe_identity", String.format("QE MISCSELECT 0x%08X does not match 0x%08X under mask 0x%08X",
                        qe.u32("MISCSELECT"), misc, miscMask));
            }
            byte[] attrs = Json.hex(id, "attributes", p, 16);
            byte[] mask = Json.hex(id, "attributesMask", p, 16);
            byte[] actual = Arrays.copyOfRange(qe.toBytes(), EnclaveReport.ATTRIBUTES_OFFSET,
                    EnclaveReport.ATTRIBUTES_OFFSET + 16);
            for (int i = 0; i < 16; i++) {
                if ((actual[i] & mask[i]) != (attrs[i] & mask[i])) {
                    fail("qe_identity", "QE ATTRIBUTES " + Hex.encode(actual) + " do not match " + Hex.encode(attrs)
                            + " under mask " + Hex.encode(mask));
                    break;
                }
            }
            if ((qe.u64("ATTRIBUTES.FLAGS") & EnclaveReport.FLAG_DEBUG) != 0) {
                fail("qe_identity", "the quoting enclave is a debug enclave");
            }
            JsonArray levels = Json.array(id, "tcbLevels", p);
            for (int i = 0; i < levels.size(); i++) {
                JsonObject lo = Json.element(levels, i, p + ".tcbLevels");
                String lp = p + ".tcbLevels[" + i + "]";
                if (Json.integer(Json.object(lo, "tcb", lp), "isvsvn", lp + ".tcb", 0xFFFF) <= qe.u16("ISVSVN")) {
                    JsonArray a = Json.optionalArray(lo, "advisoryIDs", lp);
                    for (int j = 0; a != null && j < a.size(); j++) {
                        String advisory = Json.text(a, j, lp + ".advisoryIDs");
                        if (!advisories.contains(advisory)) {
                            advisories.add(advisory);
                        }
                    }
                    String status = Json.text(lo, "tcbStatus", lp);
                    claims.put("qe_tcb_status", status);
                    return status;
                }
            }
            fail("qe_identity", "QE ISVSVN " + qe.u16("ISVSVN") + " is below every level of the QE identity");
            return "Revoked";
        }

        private void checkTd(Struct body) {
            long attrs = body.u64("TDATTRIBUTES");
            boolean allowDebug = false;
            String debug = options.policy().get("allow_debug");
            if (debug != null) {
                String t = debug.trim().toLowerCase(Locale.ROOT);
                if (t.equals("true") || t.equals("false")) {
                    allowDebug = t.equals("true");
                } else {
                    fail("options", "policy allow_debug is '" + debug + "'; accepted: true or false");
                }
            }
            if (TdAttributes.isDebug(attrs) && !allowDebug) {
                fail("debug", "the TD is debuggable (ATTRIBUTES.DEBUG): the host can read and change its memory; "
                        + "policy allow_debug is false");
            }
            if ((attrs & ~TdAttributes.SUPPORTED) != 0) {
                fail("td_attributes", String.format("TD ATTRIBUTES 0x%016X set undefined bits 0x%X", attrs,
                        attrs & ~TdAttributes.SUPPORTED));
            }
            String min = options.policy().get("min_tee_tcb_svn");
            if (min != null) {
                byte[] want = hexOption("min_tee_tcb_svn", min, 16);
                byte[] svn = body.bytes("TEE_TCB_SVN");
                for (int i = 0; want != null && i < want.length; i++) {
                    if ((svn[i] & 0xFF) < (want[i] & 0xFF)) {
                        fail("min_tee_tcb_svn", "TEE_TCB_SVN " + Hex.encode(svn) + " byte " + i + " is "
                                + (svn[i] & 0xFF) + ", below the minimum " + (want[i] & 0xFF));
                        break;
                    }
                }
            }
            Map<String, String> fields = Map.of("mrtd", "MRTD", "rtmr0", "RTMR0", "rtmr1", "RTMR1", "rtmr2", "RTMR2",
                    "rtmr3", "RTMR3", "mrconfigid", "MRCONFIGID", "mrowner", "MROWNER", "mrownerconfig",
                    "MROWNERCONFIG", "report_data", "REPORTDATA");
            for (Map.Entry<String, String> e : options.referenceValues().entrySet()) {
                String field = fields.get(e.getKey());
                if (field == null) {
                    continue;
                }
                byte[] actual = body.bytes(field);
                byte[] want = hexOption(e.getKey(), e.getValue(), actual.length);
                if (want != null) {
                    want = Arrays.copyOf(want, actual.length);
                    if (!Arrays.equals(want, actual)) {
                        fail(e.getKey(), field + " is " + Hex.encode(actual) + ", expected " + Hex.encode(want));
                    }
                }
            }
        }

        private byte[] hexOption(String name, String value, int max) {
            try {
                byte[] b = Hex.decode(value.trim());
                if (b.length > max) {
                    fail("options", name + " is " + b.length + " bytes, at most " + max);
                    return null;
                }
                return b;
            } catch (IllegalArgumentException e) {
                fail("options", name + " is not hex: " + e.getMessage());
                return null;
            }
        }

        private void checkEventLog(Struct body) {
            byte[] log = evidence.attachments().get(Tdx.ATTACHMENT_EVENT_LOG);
            if (log == null) {
                return;
            }
            List<EventLog.Event> events;
            try {
                events = EventLog.parse(log);
            } catch (IllegalArgumentException e) {
                fail("event_log", e.getMessage());
                return;
            }
            claims.put("event_log_events", Integer.toString(events.size()));
            for (int i = 0; i < events.size(); i++) {
                EventLog.Event e = events.get(i);
                List<byte[]> defined;
                try {
                    defined = EventLog.definedDigests(e);
                } catch (IllegalArgumentException ex) {
                    fail("event_log", "event " + i + ": " + ex.getMessage());
                    continue;
                }
                if (!defined.isEmpty() && defined.stream().noneMatch(d -> MessageDigest.isEqual(d, e.digest()))) {
                    fail("event_log", String.format("event %d (%s, type 0x%X) carries digest %s, but its type "
                            + "defines the digest over its data, whose SHA-384 is %s: the data is not what was "
                            + "measured", i, e.mrIndex() == 0 ? "MRTD" : "RTMR" + e.rtmr(), e.eventType(),
                            Hex.encode(e.digest()),
                            Hex.encode(defined.get(0))));
                }
            }
            byte[][] replayed = EventLog.replay(events);
            for (int i = 0; i < 4; i++) {
                if (!Arrays.equals(replayed[i], body.bytes("RTMR" + i))) {
                    fail("event_log", "the event log replays RTMR" + i + " to " + Hex.encode(replayed[i])
                            + ", the quote has " + Hex.encode(body.bytes("RTMR" + i)));
                }
            }
        }
    }

    /**
     * A reason as one line: collateral, options and evidence are quoted in reasons, and their text may hold line
     * breaks or other control characters (C0, DEL, C1, U+2028/2029), which are shown escaped.
     */
    static String oneLine(String reason) {
        StringBuilder b = null;
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            boolean control = c < 0x20 || c >= 0x7F && c <= 0x9F || c == 0x2028 || c == 0x2029;
            if (control && b == null) {
                b = new StringBuilder(reason.length() + 8).append(reason, 0, i);
            }
            if (b != null) {
                if (!control) {
                    b.append(c);
                } else if (c == '\n') {
                    b.append("\\n");
                } else if (c == '\r') {
                    b.append("\\r");
                } else if (c == '\t') {
                    b.append("\\t");
                } else {
                    b.append(String.format("\\u%04X", (int) c));
                }
            }
        }
        return b == null ? reason : b.toString();
    }

    static String commonName(X509Certificate c) {
        for (String part : c.getSubjectX500Principal().getName().split(",")) {
            String p = part.trim();
            if (p.startsWith("CN=")) {
                return p.substring(3);
            }
        }
        return c.getSubjectX500Principal().getName();
    }

    /** @return whether a certificate may issue one with {@code below} CA certificates between it and the leaf */
    private static boolean canIssue(X509Certificate c, int below) {
        boolean[] usage = c.getKeyUsage();
        return c.getBasicConstraints() >= below && (usage == null || usage.length > 5 && usage[5]);
    }

    private static boolean signedBy(X509Certificate c, PublicKey key) {
        try {
            c.verify(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean crlSignedBy(X509CRL crl, PublicKey key) {
        try {
            crl.verify(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
