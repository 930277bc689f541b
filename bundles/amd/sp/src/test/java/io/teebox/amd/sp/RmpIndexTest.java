package io.teebox.amd.sp;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.Test;

import io.teebox.api.tee.TeeException;

/**
 * The RMP's per-ASID index against a full scan of the table, after random assign, reassign to another guest,
 * reclaim, page moves (reclaim at one host page, assign at another), PVALIDATE, RMPADJUST, launch pages and release.
 */
public class RmpIndexTest {

    private static final int PAGES = 512;
    private static final int ASIDS = 6;

    private static long hpa(int i) {
        return 0x1_0000_0000L + 0x1000L * i;
    }

    /** Every host page of the test, in HPA order, the way the old entries(asid) filtered the whole table. */
    private static Map<Long, Rmp.Entry> scan(Rmp rmp, int asid) {
        Map<Long, Rmp.Entry> out = new LinkedHashMap<>();
        for (int i = 0; i < PAGES; i++) {
            Rmp.Entry e = rmp.entry(hpa(i));
            if (e.assigned() && e.asid() == asid) {
                out.put(hpa(i), e);
            }
        }
        return out;
    }

    private static void agree(Rmp rmp, String when) {
        int total = 0;
        for (int asid = 1; asid <= ASIDS; asid++) {
            Map<Long, Rmp.Entry> scanned = scan(rmp, asid);
            assertEquals(when + ", ASID " + asid, new ArrayList<>(scanned.entrySet()),
                    new ArrayList<>(rmp.entries(asid).entrySet()));
            assertEquals(when + ", ASID " + asid, scanned.size(), rmp.count(asid));
            List<Map.Entry<Long, Rmp.Entry>> first = new ArrayList<>(scanned.entrySet());
            first = first.subList(0, Math.min(5, first.size()));
            assertEquals(when + ", ASID " + asid + " first 5", first,
                    new ArrayList<>(rmp.entries(asid, 5).entrySet()));
            total += scanned.size();
        }
        assertEquals(when, total, rmp.count());
    }

    @Test
    public void theIndexAgreesWithAFullScanAfterEveryOperation() {
        SplittableRandom r = new SplittableRandom(17);
        Rmp rmp = new Rmp();
        for (int step = 0; step < 6000; step++) {
            int i = r.nextInt(PAGES);
            int asid = 1 + r.nextInt(ASIDS);
            long gpa = 0x1000L * r.nextInt(64);
            String op;
            switch (r.nextInt(8)) {
                case 0, 1 -> { // assign, or reassign a page another guest holds
                    op = "assign";
                    try {
                        rmp.update(hpa(i), asid, gpa);
                    } catch (TeeException immutable) {
                        op = "assign refused";
                    }
                }
                case 2 -> { // reclaim
                    op = "reclaim";
                    try {
                        rmp.update(hpa(i), 0, 0);
                    } catch (TeeException immutable) {
                        op = "reclaim refused";
                    }
                }
                case 3 -> { // the host moves a page: reclaim here, assign there at the same GPA
                    op = "move";
                    Rmp.Entry e = rmp.entry(hpa(i));
                    int j = r.nextInt(PAGES);
                    if (e.assigned() && !e.immutable() && !rmp.entry(hpa(j)).immutable()) {
                        rmp.update(hpa(i), 0, 0);
                        rmp.update(hpa(j), e.asid(), e.gpa());
                    }
                }
                case 4 -> {
                    op = "pvalidate";
                    Rmp.Entry e = rmp.entry(hpa(i));
                    rmp.pvalidate(e.asid(), e.gpa(), hpa(i), r.nextBoolean());
                }
                case 5 -> {
                    op = "rmpadjust";
                    Rmp.Entry e = rmp.entry(hpa(i));
                    rmp.rmpadjust(e.asid(), e.gpa(), 1 + r.nextInt(3), r.nextInt(16), r.nextInt(10) == 0);
                }
                case 6 -> {
                    op = "launch";
                    rmp.launch(hpa(i), asid, gpa, r.nextInt(20) == 0);
                }
                default -> {
                    if (r.nextInt(40) == 0) {
                        op = "release";
                        rmp.release(asid);
                    } else {
                        op = "none";
                    }
                }
            }
            if (step % 10 == 0 || op.equals("release") || op.equals("move")) {
                agree(rmp, "step " + step + " (" + op + ")");
            }
        }
        agree(rmp, "end");
    }

    @Test
    public void rmpadjustFindsThePageOfTheRightGuestOnly() {
        Rmp rmp = new Rmp();
        rmp.launch(hpa(1), 1, 0x5000, false);
        rmp.launch(hpa(2), 2, 0x5000, false);
        assertEquals(0, rmp.rmpadjust(2, 0x5000, 1, 0x3, false));
        assertEquals(0, rmp.entry(hpa(1)).vmplPerms());
        assertEquals(0x3, rmp.entry(hpa(2)).vmplPerms());
        assertEquals(Rmp.PVALIDATE_FAIL_INPUT, rmp.rmpadjust(3, 0x5000, 1, 0x3, false));
        rmp.release(2);
        assertEquals(Rmp.PVALIDATE_FAIL_INPUT, rmp.rmpadjust(2, 0x5000, 1, 0x3, false));
        assertEquals(0, rmp.count(2));
        assertEquals(1, rmp.count());
    }
}
