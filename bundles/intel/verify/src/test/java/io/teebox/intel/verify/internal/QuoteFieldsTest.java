package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.intel.tdx.Tdx;
import io.teebox.kit.hex.Hex;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** {@link TdxQuoteVerifier#fields(Evidence)} of the genuine Quote v4 (SPR E4) and Quote v5 (TDX 1.5 body). */
public class QuoteFieldsTest {

    private final TdxQuoteVerifier verifier = new TdxQuoteVerifier();

    private static Evidence evidence(byte[] quote) {
        return new Evidence(Tdx.EVIDENCE_FORMAT, quote, List.of(), Map.of());
    }

    private static EvidenceField field(List<EvidenceField> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no field " + name + " in " + fields));
    }

    private static void assertAt(List<EvidenceField> fields, String name, int offset, int length) {
        EvidenceField f = field(fields, name);
        assertEquals(name + " offset", offset, f.offset());
        assertEquals(name + " length", length, f.length());
    }

    /** Offsets ascend, fields do not overlap, stay inside the quote, and hex values are the bytes at the offset. */
    private static void assertConsistent(List<EvidenceField> fields, byte[] quote) {
        long end = 0;
        for (EvidenceField f : fields) {
            assertTrue(f + " starts before the previous field's end " + end, f.offset() >= end);
            end = (long) f.offset() + f.length();
            if (!f.value().startsWith("0x")) {
                assertEquals(f.name(), Hex.encode(Arrays.copyOfRange(quote, f.offset(), f.offset() + f.length())),
                        f.value());
            }
        }
        assertTrue("fields end at " + end + ", past the quote's " + quote.length + " bytes", end <= quote.length);
    }

    @Test
    public void genuineQuoteV4DecodesHeaderBodyAndSignatureData() {
        byte[] quote = GenuineTdxEvidenceTest.vector("tdx_prod_quote_SPR_E4.dat");
        List<EvidenceField> fields = verifier.fields(evidence(quote));
        assertConsistent(fields, quote);
        assertEquals("header.VERSION", fields.get(0).name());
        assertEquals("0x0004", fields.get(0).value());
        assertAt(fields, "header.TEE_TYPE", 4, 4);
        assertEquals("0x00000081", field(fields, "header.TEE_TYPE").value());
        assertAt(fields, "header.QE_VENDOR_ID", 12, 16);
        assertEquals("939a7233f79c4ca9940a0db3957f0607", field(fields, "header.QE_VENDOR_ID").value());
        assertAt(fields, "header.USER_DATA", 28, 20);
        // the TD quote body starts right after the 48-byte header
        assertAt(fields, "body.TEE_TCB_SVN", 48, 16);
        assertAt(fields, "body.MRTD", 48 + 136, 48);
        assertEquals("6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb",
                field(fields, "body.MRTD").value());
        assertAt(fields, "body.RTMR3", 48 + 0x1D8, 48);
        assertAt(fields, "body.REPORTDATA", 48 + 520, 64);
        assertTrue(field(fields, "body.REPORTDATA").value().startsWith("6c62dec1b8191749a31dab490be532a3"));
        assertFalse(fields.stream().anyMatch(f -> f.name().equals("BODY_TYPE")));
        assertAt(fields, "SIGNATURE_DATA_LEN", 632, 4);
        assertEquals(String.format("0x%08X", 4299), field(fields, "SIGNATURE_DATA_LEN").value());
        assertAt(fields, "QUOTE_SIG", 636, 64);
        assertAt(fields, "ATTEST_PUB_KEY", 700, 64);
        assertAt(fields, "CERT_DATA_TYPE", 764, 2);
        assertEquals("0x0006", field(fields, "CERT_DATA_TYPE").value());
        assertAt(fields, "qe_report.CPUSVN", 770, 16);
        assertAt(fields, "qe_report.MRENCLAVE", 770 + 0x40, 32);
        assertAt(fields, "qe_report.REPORTDATA", 770 + 0x140, 64);
        assertAt(fields, "QE_REPORT_SIG", 1154, 64);
        assertAt(fields, "QE_AUTH_DATA_SIZE", 1218, 2);
        assertAt(fields, "QE_AUTH_DATA", 1220, 32);
        assertEquals("0x0005", field(fields, "QE_CERT_DATA_TYPE").value());
        // the PEM chain at 1258, where the vectors' README says it was cut from; the 39 padding bytes are no field
        assertAt(fields, "QE_CERT_DATA", 1258, 3677);
        assertEquals(Hex.encode(GenuineTdxEvidenceTest.vector("pck_chain_from_tdx_prod_quote_SPR_E4.pem")),
                field(fields, "QE_CERT_DATA").value());
        assertEquals("QE_CERT_DATA", fields.get(fields.size() - 1).name());
        assertEquals(quote.length - 39, fields.get(fields.size() - 1).offset() + 3677);
    }

    @Test
    public void genuineQuoteV5DecodesItsBodyDescriptorAndTdx15Body() {
        byte[] quote = GenuineTdxEvidenceTest.vector("quote_v5_sample.dat");
        List<EvidenceField> fields = verifier.fields(evidence(quote));
        assertConsistent(fields, quote);
        assertEquals("0x0005", field(fields, "header.VERSION").value());
        assertAt(fields, "BODY_TYPE", 48, 2);
        assertEquals("0x0003", field(fields, "BODY_TYPE").value());
        assertAt(fields, "BODY_SIZE", 50, 4);
        assertEquals(String.format("0x%08X", 648), field(fields, "BODY_SIZE").value());
        assertAt(fields, "body.MRTD", 54 + 136, 48);
        assertEquals("7348651a34b2d2d3462822e3a750ec6110125f36757c78480bbfc69cc0d21fb001a1ced3ee19747dda8f750c3bc8f876",
                field(fields, "body.MRTD").value());
        assertAt(fields, "body.REPORTDATA", 54 + 520, 64);
        assertAt(fields, "body.MRSERVICETD", 54 + 0x258, 48);
        assertAt(fields, "SIGNATURE_DATA_LEN", 702, 4);
        assertAt(fields, "qe_report.CPUSVN", 840, 16);
        assertAt(fields, "QE_CERT_DATA", 1328, 3678);
        assertEquals(quote.length, 1328 + 3678);
    }

    @Test
    public void truncatedQuoteIsRefusedNamingTheProblem() {
        byte[] quote = GenuineTdxEvidenceTest.vector("tdx_prod_quote_SPR_E4.dat");
        IllegalArgumentException shortQuote = assertThrows(IllegalArgumentException.class,
                () -> verifier.fields(evidence(Arrays.copyOf(quote, 600))));
        assertTrue(shortQuote.getMessage(), shortQuote.getMessage().contains("quote is 600 bytes, a Quote v4 has at "
                + "least"));
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
                () -> verifier.fields(evidence(Arrays.copyOf(quote, 2000))));
        assertTrue(cut.getMessage(), cut.getMessage().contains("signature data length says 4299 bytes, only 1364 "
                + "follow it"));
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> verifier.fields(new Evidence("sev-snp-report", quote, List.of(), Map.of())));
        assertTrue(other.getMessage(), other.getMessage().contains("'sev-snp-report', expected tdx-quote-v4"));
    }
}
