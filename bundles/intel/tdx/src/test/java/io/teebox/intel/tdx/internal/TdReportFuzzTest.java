package io.teebox.intel.tdx.internal;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.tee.TeeException;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.testing.Fuzzing;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * TDREPORT_STRUCT (REPORTMACSTRUCT, TEE_TCB_INFO, TDINFO) and the quoting enclave that takes one. {@link
 * TdReport#parse} gives a report that serializes back to the input, or a {@link MalformedStructureException}
 * naming the field. The quoting enclave of the default platform (whose report key made the seeds) quotes a report
 * only if EVERIFYREPORT2 accepts it: its MAC under the platform key and the two hashes it binds; otherwise it
 * refuses with TDX_OPERAND_INVALID (malformed) or TDX_INVALID_REPORTMACSTRUCT. A quote it makes carries exactly the
 * report's fields.
 */
class TdReportFuzzTest {

    private static final TdxBackend BACKEND = TdxTesting.backend(TdxTesting.offlinePcs(TdxTesting.INTEL_SEED,
            List.of(), Clock.systemUTC()));

    @FuzzTest
    void tdReportParsesOrTheQuotingEnclaveRefusesTyped(byte[] data) {
        TdReport r = Fuzzing.typed(() -> TdReport.parse(data), MalformedStructureException.class);
        if (r != null) {
            assertSame("TDREPORT_STRUCT", data, r.toBytes());
            assertSame("MACed bytes", Arrays.copyOf(data, TdReport.MACED_LENGTH), r.macedBytes());
            check("describe", !r.describe().isEmpty());
        }
        QuoteV4 q;
        try {
            q = QuoteV4.parse(BACKEND.quotingEnclave().quote(data));
        } catch (TeeException e) {
            Fuzzing.checkMessage(e);
            check("EVERIFYREPORT2 refusal is OPERAND_INVALID for a malformed report, INVALID_REPORTMACSTRUCT for a "
                    + "well-formed one: " + e.getMessage(), e.status().equals(r == null
                            ? TdxStatus.TDX_OPERAND_INVALID.status() : TdxStatus.TDX_INVALID_REPORTMACSTRUCT.status()));
            return;
        }
        check("only a well-formed report is quoted", r != null);
        check("only a report whose hashes bind TEE_TCB_INFO and TDINFO is quoted", r.hashesMatch()
                && Arrays.equals(r.macStruct().bytes("TEE_TCB_INFO_HASH"), Digests.sha384(r.teeTcbInfo().toBytes())));
        Struct b = q.body();
        check("the quote carries the report's fields", Arrays.equals(b.bytes("MRTD"), r.mrtd())
                && Arrays.equals(b.bytes("REPORTDATA"), r.reportData()) && Arrays.equals(b.bytes("TEE_TCB_SVN"),
                        r.teeTcbSvn()) && b.u64("TDATTRIBUTES") == r.attributes() && Arrays.equals(b.bytes("RTMR3"),
                                r.rtmr(3)) && Arrays.equals(b.bytes("MRSEAM"), r.mrSeam()));
    }
}
