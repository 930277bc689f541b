package io.teebox.intel.tdx.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.testing.Fuzzing;
import java.util.Arrays;

/**
 * {@link QuoteV5#parse} given any bytes: a quote or a {@link MalformedStructureException} naming the field. A parsed
 * quote has body type 2 (584 bytes) or 3 (648 bytes), serializes back to exactly the bytes it was read from, signs
 * header, descriptor and body, and {@link Quote#parse} gives the same quote.
 */
class QuoteV5FuzzTest {

    @FuzzTest
    void quoteV5ParsesOrRefusesTyped(byte[] data) {
        QuoteV5 q = Fuzzing.typed(() -> QuoteV5.parse(data), MalformedStructureException.class);
        if (q == null) {
            return;
        }
        int bodySize = q.body().toBytes().length;
        check("body type and size", q.bodyType() == Quote.BODY_TYPE_TDX10 && bodySize == 584
                || q.bodyType() == Quote.BODY_TYPE_TDX15 && bodySize == 648);
        byte[] bytes = q.toBytes();
        check("the quote is no longer than its input", bytes.length <= data.length);
        assertSame("QuoteV5", Arrays.copyOf(data, bytes.length), bytes);
        assertSame("QuoteV5 signed bytes", Arrays.copyOf(data, QuoteV5.BODY_OFFSET + bodySize), q.signedBytes());
        check("re-parse equals", QuoteV5.parse(bytes).equals(q));
        check("Quote.parse dispatches to v5", Quote.parse(data).equals(q));
        check("version", q.version() == 5 && q.header().u16("VERSION") == 5);
        check("fixed-size parts", q.signature().length == 64 && q.attestationKey().length == 64
                && q.qeReportSignature().length == 64 && q.qeReport().toBytes().length == EnclaveReport.SIZE);
    }
}
