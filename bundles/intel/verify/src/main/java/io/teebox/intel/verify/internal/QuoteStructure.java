package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.Evidence;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;
import java.util.List;
import java.util.Locale;

/**
 * Reads the quote (v4, or v5 with a TDX 1.0 or 1.5 body): a quote the parser refuses is one failure of check
 * {@code format} whose reason is the parser's message. A quote that parses is described as claims: the header, the
 * TD quote body and the QE report's identity, and the unsigned bytes after the signature data if there are any.
 */
final class QuoteStructure {

    private static final List<String> MEASUREMENTS = List.of("MRTD", "MRCONFIGID", "MROWNER", "MROWNERCONFIG",
            "RTMR0", "RTMR1", "RTMR2", "RTMR3");

    private QuoteStructure() {
    }

    /** @return the quote, or null after a {@code format} failure */
    static Quote read(Evidence evidence, Findings out) {
        if (!Tdx.EVIDENCE_FORMAT.equals(evidence.format())) {
            out.fail("format", "evidence format is '" + evidence.format() + "', expected " + Tdx.EVIDENCE_FORMAT);
            return null;
        }
        Quote q;
        try {
            q = Quote.parse(evidence.report());
        } catch (MalformedStructureException e) {
            out.fail("format", e.getMessage());
            return null;
        }
        describe(q, out);
        int trailing = evidence.report().length - q.toBytes().length;
        if (trailing > 0) {
            // unsigned bytes after the signature data (a padded quote buffer): reported, not appraised
            out.claim("trailing_bytes", Integer.toString(trailing));
        }
        return q;
    }

    private static void describe(Quote q, Findings out) {
        Struct h = q.header();
        Struct b = q.body();
        out.claim("version", Integer.toString(h.u16("VERSION")));
        out.claim("body_type", q.bodyType() == Quote.BODY_TYPE_TDX15 ? "3 (TDX 1.5)" : "2 (TDX 1.0)");
        out.claim("tee_type", String.format("0x%08X", h.u32("TEE_TYPE")));
        out.claim("qe_vendor_id", Hex.encode(h.bytes("QE_VENDOR_ID")));
        out.claim("tee_tcb_svn", Hex.encode(b.bytes("TEE_TCB_SVN")));
        out.claim("mrseam", Hex.encode(b.bytes("MRSEAM")));
        out.claim("mrsignerseam", Hex.encode(b.bytes("MRSIGNERSEAM")));
        out.claim("seam_attributes", String.format("0x%016X", b.u64("SEAMATTRIBUTES")));
        out.claim("td_attributes", String.format("0x%016X (%s)", b.u64("TDATTRIBUTES"),
                TdAttributes.describe(b.u64("TDATTRIBUTES"))));
        out.claim("xfam", String.format("0x%016X", b.u64("XFAM")));
        for (String f : MEASUREMENTS) {
            out.claim(f.toLowerCase(Locale.ROOT), Hex.encode(b.bytes(f)));
        }
        out.claim("report_data", Hex.encode(b.bytes("REPORTDATA")));
        if (b.layout().hasField("TEE_TCB_SVN2")) {
            out.claim("tee_tcb_svn2", Hex.encode(b.bytes("TEE_TCB_SVN2")));
            out.claim("mrservicetd", Hex.encode(b.bytes("MRSERVICETD")));
        }
        Struct qe = q.qeReport();
        out.claim("qe_mrsigner", Hex.encode(qe.bytes("MRSIGNER")));
        out.claim("qe_isvprodid", Integer.toString(qe.u16("ISVPRODID")));
        out.claim("qe_isvsvn", Integer.toString(qe.u16("ISVSVN")));
    }
}
