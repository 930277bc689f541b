package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.intel.tdx.abi.Quote;
import org.junit.Test;

/** The TD quote benchmarks appraise the genuine quote and produce quotes of the TD. */
public class TdQuoteBenchTest {

    @Test
    public void theTdBenchmarksAppraiseTheGenuineQuoteAndQuoteTheTd() throws Exception {
        TdQuoteBench b = new TdQuoteBench();
        b.setUp();
        assertTrue(b.baselineP256Verify());
        Appraisal a = b.verifyQuote();
        assertEquals(a.failures().toString(), 1, a.failures().size());
        assertEquals("tcb_status", a.failures().get(0).check());
        Quote q = Quote.parse(b.signQuote());
        assertEquals(64, q.body().bytes("REPORTDATA").length);
        assertEquals(2, b.p256SignBouncyCastle().length);
        assertTrue(b.p256SignSunEc().length > 60);
    }
}
