package io.teebox.nvidia.rim;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import io.teebox.kit.hex.Hex;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.abi.MeasurementBlock;
import io.teebox.nvidia.rim.RimComparison.Mismatch;
import io.teebox.nvidia.rim.RimComparison.Problem;
import io.teebox.nvidia.testing.NvidiaVectors;

public class RimComparisonTest {

    static final Rim DRIVER = Rim.parse(RimTest.resource(RimTest.DRIVER));
    static final Rim VBIOS = Rim.parse(RimTest.resource(RimTest.VBIOS));

    static List<MeasurementBlock> genuineBlocks() {
        return AttestationReport.parse(NvidiaVectors.report()).response().blocks();
    }

    /** Blocks that satisfy both genuine RIMs: each active index gets its first alternative, the rest zero. */
    static List<MeasurementBlock> matchingBlocks() {
        List<MeasurementBlock> blocks = new ArrayList<>();
        for (int spdm = 1; spdm <= 64; spdm++) {
            byte[] v = new byte[48];
            for (Rim r : List.of(DRIVER, VBIOS)) {
                GoldenMeasurement g = r.measurements().get(spdm - 1);
                if (g.active()) {
                    v = g.alternatives().get(g.alternatives().size() - 1);
                }
            }
            blocks.add(new MeasurementBlock(spdm, 1, v));
        }
        return blocks;
    }

    @Test
    public void blocksMadeFromTheRimsMatch() {
        assertEquals(List.of(), RimComparison.compare(DRIVER, VBIOS, matchingBlocks(), true));
    }

    @Test
    public void genuineReportDoesNotMatchTheTestRims() {
        // The vectors' README: the sample report (driver 550.90.07, VBIOS 96.00.9F.00.01) and the test RIMs
        // (545.00, 96.00.5E.00.01) are of different releases; 7 of 12 VBIOS and 6 of 21 driver values match.
        List<Mismatch> m = RimComparison.compare(DRIVER, VBIOS, genuineBlocks(), false);
        long driver = m.stream().filter(x -> x.component().equals("driver")).count();
        long vbios = m.stream().filter(x -> x.component().equals("vbios")).count();
        // (checked with a separate script over the vectors: driver 23, 24, 28, 33, 35, 38 and VBIOS 0, 4, 5, 6, 8,
        // 10, 12 match)
        assertEquals(21 - 6, driver);
        assertEquals(12 - 7, vbios);
        assertEquals(List.of(1, 2, 3, 7, 9, 11, 21, 22, 25, 26, 27, 29, 30, 31, 32, 34, 36, 37, 39, 40),
                m.stream().map(Mismatch::index).toList());
        assertTrue(m.stream().allMatch(x -> x.problem() == Problem.DIFFERENT));
    }

    @Test
    public void oneChangedBlockIsNamed() {
        List<MeasurementBlock> blocks = new ArrayList<>(matchingBlocks());
        byte[] v = blocks.get(7).value();
        v[0] ^= 1;
        blocks.set(7, new MeasurementBlock(8, 1, v));
        List<Mismatch> m = RimComparison.compare(DRIVER, VBIOS, blocks, true);
        assertEquals(1, m.size());
        assertEquals(7, m.get(0).index());
        assertEquals("driver", m.get(0).component());
        assertEquals("Measurement_7", m.get(0).name());
        assertEquals(Hex.encode(v), m.get(0).got());
        assertEquals(List.of(Hex.encode(DRIVER.measurements().get(7).alternatives().get(0))), m.get(0).expected());
        assertTrue(m.get(0).toString(), m.get(0).toString().startsWith("driver index 7 (Measurement_7): got "));
    }

    @Test
    public void anyAlternativeMatches() {
        List<MeasurementBlock> blocks = new ArrayList<>(matchingBlocks());
        blocks.set(12, new MeasurementBlock(13, 1, VBIOS.measurements().get(12).alternatives().get(1)));
        assertEquals(List.of(), RimComparison.compare(DRIVER, VBIOS, blocks, true));
    }

    @Test
    public void aBlockOfAnotherSizeDiffers() {
        List<MeasurementBlock> blocks = new ArrayList<>(matchingBlocks());
        byte[] longer = new byte[64];
        System.arraycopy(blocks.get(7).value(), 0, longer, 0, 48);
        blocks.set(7, new MeasurementBlock(8, 1, longer));
        assertEquals(List.of(7), RimComparison.compare(DRIVER, VBIOS, blocks, true).stream().map(Mismatch::index)
                .toList());
    }

    @Test
    public void index35IsSkippedOnlyWhenNvdec0IsDisabled() {
        List<MeasurementBlock> blocks = new ArrayList<>(matchingBlocks());
        blocks.set(35, new MeasurementBlock(36, 1, new byte[48]));
        assertEquals(List.of(), RimComparison.compare(DRIVER, VBIOS, blocks, false));
        List<Mismatch> m = RimComparison.compare(DRIVER, VBIOS, blocks, true);
        assertEquals(List.of(35), m.stream().map(Mismatch::index).toList());
        assertEquals("HashedMeasurement_35_GSP", m.get(0).name());
    }

    @Test
    public void anIndexActiveInBothRimsIsAConflict() {
        List<GoldenMeasurement> vbios = new ArrayList<>(VBIOS.measurements());
        vbios.set(7, new GoldenMeasurement(7, "Measurement_7", true, List.of(new byte[48])));
        List<Mismatch> m = RimComparison.compare(DRIVER.measurements(), vbios, matchingBlocks(), true);
        assertEquals(1, m.size());
        assertEquals(Problem.CONFLICT, m.get(0).problem());
        assertEquals(7, m.get(0).index());
    }

    @Test
    public void inactiveEntriesAreIgnored() {
        List<MeasurementBlock> blocks = new ArrayList<>(matchingBlocks());
        assertTrue(!DRIVER.measurements().get(15).active() && !VBIOS.measurements().get(15).active());
        blocks.set(15, new MeasurementBlock(16, 1, new byte[] {1, 2, 3}));
        assertEquals(List.of(), RimComparison.compare(DRIVER, VBIOS, blocks, true));
    }

    @Test
    public void moreGoldenEntriesThanBlocksFails() {
        List<Mismatch> m = RimComparison.compare(DRIVER, VBIOS, matchingBlocks().subList(0, 20), true);
        assertEquals(1, m.size());
        assertEquals(Problem.TOO_MANY_GOLDEN, m.get(0).problem());
        assertTrue(m.get(0).toString(), m.get(0).toString().contains("33 active golden measurements"));
    }

    @Test
    public void aMissingBlockIsNamed() {
        List<MeasurementBlock> blocks = new ArrayList<>(matchingBlocks());
        blocks.remove(7);
        List<Mismatch> m = RimComparison.compare(DRIVER, VBIOS, blocks, true);
        assertEquals(List.of(Problem.MISSING), m.stream().map(Mismatch::problem).toList());
        assertTrue(m.get(0).toString(), m.get(0).toString().contains("no measurement block 8"));
    }
}
