package io.teebox.intel.verify.internal;

import com.google.gson.JsonObject;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TeeType;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Appraises TDX quote evidence (Quote v4, or Quote v5 with a TDX 1.0 or TDX 1.5 body) with the DCAP checks (spec
 * 4.7; go-tdx-guest {@code verify.go}; Intel QVL for the TCB status), in its steps:
 * <ol>
 * <li>parse and describe the quote ({@link QuoteStructure}); read the options ({@link PolicyOptions}) and the
 * trusted roots ({@link DcapChain});</li>
 * <li><b>verify</b> the signatures that need no certificate ({@link QuoteSignature}, the binding of the attestation
 * key by the QE report in {@link QeReportBinding}), the PCK chain and its SGX extensions ({@link PckChainCheck}),
 * the QE report's signature by the PCK key;</li>
 * <li>the collateral ({@link DcapCollateral}: attached, or from the Intel collateral sources
 * {@code collateral.vendor=intel} in ranking order, {@link PcsCollateral}): the signed TCB info and QE identity
 * and their chains ({@link SignedCollateral}), the CRLs and revocation ({@link CrlCheck}), the QE's identity
 * ({@link QeIdentityCheck}) and the platform's TCB status ({@link TcbStatus}: FMSPC and PCE-ID, the TDX module
 * identity, the TD relaunch check for TDX 1.5 bodies);</li>
 * <li><b>validate</b> the TD: attributes and debug ({@link TdPolicyCheck}), reference values
 * ({@link ReferenceValues}), and its event log from the attachment {@code event_log} ({@link EventLogReplay}).</li>
 * </ol>
 *
 * <p>Reference values (hex): {@code mrtd}, {@code rtmr0}..{@code rtmr3}, {@code mrconfigid}, {@code mrowner},
 * {@code mrownerconfig}, {@code report_data} (zero-padded to 64 bytes). Policy: {@code allow_debug} (true or false,
 * default false; any other value is a failure of check {@code options}), {@code min_tee_tcb_svn} (hex, compared
 * byte by byte), {@code allowed_tcb_status} (comma-separated, default {@code UpToDate}).
 *
 * <p>A quote the parser refuses is one failure of check {@code format} whose reason is the parser's message, and
 * nothing else is appraised (the SEV and SNP verifiers do the same). Every failed check is reported, each with a
 * one-line reason.
 */
@Component(service = EvidenceVerifier.class, property = EvidenceVerifier.FORMAT_PROPERTY + "=" + Tdx.EVIDENCE_FORMAT)
@TeeType(Tdx.TEE_TYPE)
public final class TdxQuoteVerifier implements EvidenceVerifier {

    /** The checks every appraisal of a well-formed quote makes (reference values and an event log add theirs). */
    static final List<String> CHECKS = List.of("quote_signature", "qe_report_signature", "qe_report_binding",
            "pck_chain", "pck_extensions", "crl", "revocation", "collateral", "tcb_info", "qe_identity", "tcb_status",
            "td_attributes", "debug");

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

    /**
     * The quote's fields (Quote v4 or v5) as DCAP names them: {@code header.*} from offset 0, for v5
     * {@code BODY_TYPE} and {@code BODY_SIZE}, {@code body.*} (MRTD, RTMR0..3, REPORTDATA...), then the signature
     * data: {@code SIGNATURE_DATA_LEN}, {@code QUOTE_SIG}, {@code ATTEST_PUB_KEY}, the certification data's type and
     * size, {@code qe_report.*}, {@code QE_REPORT_SIG}, the QE authentication data and the PCK chain
     * ({@code QE_CERT_DATA}). Bytes after the signature data (a padded quote buffer) are not a field.
     *
     * @throws IllegalArgumentException naming the field if the quote does not parse
     */
    @Override
    public List<EvidenceField> fields(Evidence evidence) {
        return QuoteFields.of(evidence);
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        Findings out = new Findings();
        byte[] log = evidence.attachment(Tdx.ATTACHMENT_EVENT_LOG);
        Quote q = QuoteStructure.read(evidence, out);
        if (q != null) {
            appraise(q, evidence, options, log, out);
        }
        return out.appraisal(Tdx.EVIDENCE_FORMAT, options, CHECKS, log != null);
    }

    private void appraise(Quote q, Evidence evidence, VerificationOptions options, byte[] log, Findings out) {
        PolicyOptions.rejectUnknown(options, out);
        DcapChain rules = DcapChain.trusting(options.trustedRoots(), options.clock().instant(), out);
        // signatures that need no certificate
        QuoteSignature.check(q, out);
        QeReportBinding.binding(q, out);
        // the PCK chain and everything it certifies
        PckChainCheck pck = PckChainCheck.check(q, evidence, rules, out);
        if (pck.pck() != null) {
            QeReportBinding.signature(q, pck.pck(), out);
        }
        Collateral c = DcapCollateral.obtain(evidence, sources.inOrder(), pck.extensions(), out);
        if (c != null) {
            appraise(c, pck, q, options, rules, out);
        }
        // the TD
        TdPolicyCheck.validate(q.body(), options, out);
        ReferenceValues.compare(q.body(), options, out);
        if (log != null) {
            EventLogReplay.check(log, q.body(), out);
        }
    }

    /** The collateral's signatures and CRLs, then the QE's identity and the platform's TCB status. */
    private static void appraise(Collateral c, PckChainCheck pck, Quote q, VerificationOptions options,
            DcapChain rules, Findings out) {
        DcapCollateral.Crls crls = DcapCollateral.crls(c, out);
        if (crls == null) {
            return;
        }
        JsonObject tcb = SignedCollateral.verify(c.tcbInfoIssuerChain(), c.tcbInfo(), c.tcbInfoSignature(),
                "tcb_info", crls.root(), rules, out);
        JsonObject qeId = SignedCollateral.verify(c.qeIdentityIssuerChain(), c.qeIdentity(),
                c.qeIdentitySignature(), "qe_identity", crls.root(), rules, out);
        if (pck.chain() != null) {
            CrlCheck.check(pck.chain(), crls, rules, out);
        }
        List<String> advisories = new ArrayList<>();
        String qeStatus = qeId == null ? null : QeIdentityCheck.status(qeId, q.qeReport(), advisories, out);
        if (tcb != null && pck.extensions() != null) {
            TcbStatus.appraise(tcb, pck.extensions(), q.body(), qeStatus, advisories, options, out);
        }
    }
}
