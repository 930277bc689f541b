package io.teebox.intel.tdx.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.testing.Fuzzing;
import java.util.Arrays;

/**
 * {@link QuoteV4#parse} given any bytes: a quote or a {@link MalformedStructureException} naming the field (its
 * Javadoc's contract). A parsed quote serializes back to exactly the bytes it was read from (bytes after the
 * signature data are not part of it), its signed part is the first 632 bytes, and the generic {@link Quote#parse}
 * gives the same quote.
 */
class QuoteV4FuzzTest {

    @FuzzTest
    void quoteV4ParsesOrRefusesTyped(byte[] data) {
        QuoteV4 q = Fuzzing.typed(() -> QuoteV4.parse(data), MalformedStructureException.class);
        if (q == null) {
            return;
        }
        byte[] bytes = q.toBytes();
        check("the quote is no longer than its input", bytes.length <= data.length);
        assertSame("QuoteV4", Arrays.copyOf(data, bytes.length), bytes);
        assertSame("QuoteV4 signed bytes", Arrays.copyOf(data, QuoteV4.SIGNATURE_DATA_LENGTH_OFFSET),
                q.signedBytes());
        check("re-parse equals", QuoteV4.parse(bytes).equals(q));
        check("Quote.parse dispatches to v4", Quote.parse(data).equals(q));
        check("version and body type", q.version() == 4 && q.bodyType() == Quote.BODY_TYPE_TDX10);
        check("header fields", q.header().u16("ATT_KEY_TYPE") == QuoteV4.ATT_KEY_TYPE_ECDSA_P256
                && q.header().u32("TEE_TYPE") == QuoteV4.TEE_TYPE_TDX);
        check("fixed-size parts", q.signature().length == 64 && q.attestationKey().length == 64
                && q.qeReportSignature().length == 64 && q.qeReport().toBytes().length == EnclaveReport.SIZE);
        check("the PEM text is the chain's bytes", q.pckChainText().length() == q.pckChainPem().length);
    }
}
