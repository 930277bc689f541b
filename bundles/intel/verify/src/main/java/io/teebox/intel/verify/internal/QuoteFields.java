package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.EnclaveReport;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.intel.tdx.abi.QuoteV5;
import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A DCAP Quote v4 or v5 decoded into its fields with their offsets in the quote, for
 * {@link TdxQuoteVerifier#fields(Evidence)}: the header ({@code header.}), for v5 the body descriptor, the TD quote
 * body ({@code body.}), the signature-data length, then the signature data as {@code sgx_ql_ecdsa_sig_data_t} and
 * the certification data lay it out, with the QE report ({@code qe_report.}). The fixed structures come from their
 * layouts ({@link QuoteV4#HEADER}, {@link QuoteV4#BODY}, {@link QuoteV5#BODY_TDX15}, {@link EnclaveReport#LAYOUT});
 * the signature data's variable part is walked with the lengths the quote declares, after {@link Quote#parse} has
 * checked them. The field names after the body are those the parser's errors use.
 */
final class QuoteFields {

    private final byte[] quote;
    private final List<EvidenceField> out = new ArrayList<>();

    private QuoteFields(byte[] quote) {
        this.quote = quote;
    }

    /**
     * @param evidence evidence of format {@value Tdx#EVIDENCE_FORMAT}
     * @return the quote's fields in offset order
     * @throws IllegalArgumentException if the evidence is of another format or the quote does not parse; the
     *         parser's message names the field
     */
    static List<EvidenceField> of(Evidence evidence) {
        if (!Tdx.EVIDENCE_FORMAT.equals(evidence.format())) {
            throw new IllegalArgumentException("evidence format is '" + evidence.format() + "', expected "
                    + Tdx.EVIDENCE_FORMAT);
        }
        byte[] quote = evidence.report();
        Quote q = Quote.parse(quote);
        return new QuoteFields(quote).decode(q);
    }

    private List<EvidenceField> decode(Quote q) {
        struct("header.", q.header(), 0);
        int bodyAt;
        if (q instanceof QuoteV5) {
            u16("BODY_TYPE", QuoteV5.BODY_TYPE_OFFSET);
            u32("BODY_SIZE", QuoteV5.BODY_SIZE_OFFSET);
            bodyAt = QuoteV5.BODY_OFFSET;
        } else {
            bodyAt = QuoteV4.BODY_OFFSET;
        }
        Struct body = q.body();
        struct("body.", body, bodyAt);
        int p = bodyAt + body.layout().size();
        u32("SIGNATURE_DATA_LEN", p);
        p += 4;
        p = bytes("QUOTE_SIG", p, q.signature().length);
        p = bytes("ATTEST_PUB_KEY", p, q.attestationKey().length);
        p = u16("CERT_DATA_TYPE", p);
        p = u32("CERT_DATA_SIZE", p);
        struct("qe_report.", q.qeReport(), p);
        p += EnclaveReport.SIZE;
        p = bytes("QE_REPORT_SIG", p, q.qeReportSignature().length);
        p = u16("QE_AUTH_DATA_SIZE", p);
        p = bytes("QE_AUTH_DATA", p, q.qeAuthData().length);
        p = u16("QE_CERT_DATA_TYPE", p);
        p = u32("QE_CERT_DATA_SIZE", p);
        bytes("QE_CERT_DATA", p, q.pckChainPem().length);
        return List.copyOf(out);
    }

    private void struct(String prefix, Struct s, int base) {
        Layout layout = s.layout();
        for (String name : layout.fields()) {
            out.add(new EvidenceField(prefix + name, base + layout.offset(name), layout.length(name),
                    s.render(name)));
        }
    }

    private int u16(String name, int at) {
        out.add(new EvidenceField(name, at, 2, String.format("0x%04X", LittleEndian.u16(quote, at))));
        return at + 2;
    }

    private int u32(String name, int at) {
        out.add(new EvidenceField(name, at, 4, String.format("0x%08X", LittleEndian.u32(quote, at))));
        return at + 4;
    }

    private int bytes(String name, int at, int length) {
        out.add(new EvidenceField(name, at, length, Hex.encode(Arrays.copyOfRange(quote, at, at + length))));
        return at + length;
    }
}
