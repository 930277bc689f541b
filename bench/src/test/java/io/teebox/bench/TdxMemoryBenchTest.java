package io.teebox.bench;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import io.teebox.intel.tdx.module.internal.TdxMemoryBench;
import org.junit.Test;

/** The TDX memory benchmark stores a page with its 64 MACs and loads it back through the MAC check. */
public class TdxMemoryBenchTest {

    @Test
    public void storeAndLoadRoundTripThroughTheMacCheck() {
        TdxMemoryBench b = new TdxMemoryBench();
        b.setUp();
        assertEquals(64, b.storeEncryptAndMac().length);
        assertArrayEquals(b.storeEncryptAndMac(), b.storeEncryptAndMac());
        assertArrayEquals(b.pageForTest(), b.loadCheckAndDecrypt());
    }
}
