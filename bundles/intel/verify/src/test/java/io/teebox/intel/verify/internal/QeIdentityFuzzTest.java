package io.teebox.intel.verify.internal;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The TD QE identity (the signed {@code qe_identity} document) as the verifier reads it once its signature holds:
 * the input is the document's text, signed with the fixture PCS's TCB Signing key as Intel's would be, in the
 * collateral of an otherwise good teebox quote. The verifier returns an appraisal and never throws; every failure
 * names a check and a one-line reason; an accepted appraisal means the document really is a TD_QE version 2 identity
 * valid at the instant, whose MRSIGNER and ISVPRODID are the QE's and whose first level the QE's ISVSVN meets is
 * UpToDate.
 */
class QeIdentityFuzzTest {

    private static final TdxFixture FIXTURE = new TdxFixture();
    private static final byte[] QUOTE = FIXTURE.quoteV4();
    private static final String COLLATERAL = FIXTURE.collateral();
    private static final TdxQuoteVerifier VERIFIER = new TdxQuoteVerifier();

    @FuzzTest
    void qeIdentityGivesAnAppraisalNeverAnException(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        String collateral = TdxTesting.resigned(FIXTURE.pcs, COLLATERAL, "qe_identity", text);
        Appraisal v = VERIFIER.verify(TdxFixture.evidence(QUOTE, collateral, null), FIXTURE.options(Map.of(),
                Map.of()));
        TdxQuoteVerifierFuzzTest.wellFormed(v);
        if (v.accepted()) {
            acceptedMeansAValidIdentity(text);
        }
    }

    static void acceptedMeansAValidIdentity(String text) {
        JsonObject id = JsonParser.parseString(text).getAsJsonObject();
        check("accepted: TD_QE version 2", id.get("id").getAsString().equals("TD_QE")
                && id.get("version").getAsBigDecimal().intValueExact() == 2);
        java.time.Instant now = TdxFixture.AT.instant();
        check("accepted: valid now", !now.isBefore(java.time.Instant.parse(id.get("issueDate").getAsString()))
                && !now.isAfter(java.time.Instant.parse(id.get("nextUpdate").getAsString())));
        Struct qe = Quote.parse(QUOTE).qeReport();
        check("accepted: the QE's MRSIGNER", id.get("mrsigner").getAsString().toLowerCase(Locale.ROOT).equals(
                Hex.encode(qe.bytes("MRSIGNER"))));
        check("accepted: the QE's ISVPRODID", id.get("isvprodid").getAsBigDecimal().intValueExact()
                == qe.u16("ISVPRODID"));
        JsonArray levels = id.getAsJsonArray("tcbLevels");
        for (JsonElement l : levels) {
            JsonObject lo = l.getAsJsonObject();
            if (lo.getAsJsonObject("tcb").get("isvsvn").getAsBigDecimal().intValueExact() <= qe.u16("ISVSVN")) {
                check("accepted: the QE's level is UpToDate", lo.get("tcbStatus").getAsString().equals("UpToDate"));
                return;
            }
        }
        throw new AssertionError("accepted, but no level of the QE identity is met by ISVSVN " + qe.u16("ISVSVN"));
    }
}
