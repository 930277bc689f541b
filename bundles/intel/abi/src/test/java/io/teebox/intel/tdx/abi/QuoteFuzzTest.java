package io.teebox.intel.tdx.abi;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.testing.Fuzzing;

/**
 * The generic entry {@link Quote#parse}, which the verifier and {@code tdx:verify} call: a {@link QuoteV4} for
 * VERSION 4, a {@link QuoteV5} for VERSION 5, each exactly what that version's parser gives, and for anything else
 * a {@link MalformedStructureException} naming VERSION; never another exception.
 */
class QuoteFuzzTest {

    @FuzzTest
    void quoteParsesEitherVersionOrRefusesTyped(byte[] data) {
        int version = data.length < 2 ? -1 : LittleEndian.u16(data, 0);
        Quote q;
        try {
            q = Quote.parse(data);
        } catch (MalformedStructureException e) {
            Fuzzing.checkMessage(e);
            check("a quote of another version is refused naming VERSION: " + e.getMessage(), version == 4
                    || version == 5 || e.getMessage().contains("VERSION"));
            return;
        }
        check("version " + version + " dispatches to its parser", version == 4 && q instanceof QuoteV4 v4
                && v4.equals(QuoteV4.parse(data)) || version == 5 && q instanceof QuoteV5 v5
                && v5.equals(QuoteV5.parse(data)));
        check("the header's VERSION", q.version() == version && Quote.version(data) == version);
        byte[] signed = q.signedBytes();
        check("the signed part is a prefix of the quote", java.util.Arrays.equals(signed, 0, signed.length,
                q.toBytes(), 0, signed.length));
    }
}
