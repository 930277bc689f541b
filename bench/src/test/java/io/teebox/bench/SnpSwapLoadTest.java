package io.teebox.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** The swap client launches real guests, keeps their RMP pages across the swap and refuses bad arguments. */
public class SnpSwapLoadTest {

    @Test
    public void guestsKeepTheirPagesAcrossTheSwapAndAnswerRunning() {
        SnpSwapLoad.Platform p = new SnpSwapLoad.Platform(3, 5);
        long before = p.pages();
        // each guest: its launched firmware pages, its VMSA and the five private pages
        assertTrue(before > 3 * 5);
        for (int asid : p.asids) {
            assertEquals(p.sp.rmp().entries(asid).size(), p.sp.rmp().count(asid));
        }
        assertTrue(p.swap(false) >= 0);
        assertTrue(p.swap(true) >= 0);
        assertEquals(before, p.pages());
        assertEquals(3, p.handles.size());
    }

    @Test
    public void badArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SnpSwapLoad.main(new String[] {"--guests", "x"}));
        assertEquals("SnpSwapLoad: --guests needs a positive number, got x", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SnpSwapLoad.main(new String[] {"--query", "all"}));
        assertEquals("SnpSwapLoad: --query is state or status, got all", e.getMessage());
    }
}
