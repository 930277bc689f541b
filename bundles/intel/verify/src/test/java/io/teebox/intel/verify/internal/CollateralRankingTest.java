package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.tee.Bytes;
import io.teebox.intel.pcs.internal.EmulatedPcs;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Several Intel collateral sources: asked in ranking order (highest {@code service.ranking} first, then the oldest
 * service), a failing or empty source passed over and named in the claim, a document missing everywhere a
 * {@code collateral} failure naming the kind; what the evidence carries is used as it is.
 */
public class CollateralRankingTest {

    private static TdxFixture fixture;
    private static byte[] quote;

    /** A source that records what it was asked and answers nothing, or fails. */
    static final class Fake implements CollateralSource {
        final String name;
        final boolean fails;
        final List<String> asked = new ArrayList<>();

        Fake(String name, boolean fails) {
            this.name = name;
            this.fails = fails;
        }

        @Override
        public Optional<Bytes> fetch(String kind, Map<String, String> key) {
            asked.add(kind);
            if (fails) {
                throw new UncheckedIOException(name + " refused the connection", new java.io.IOException("refused"));
            }
            return Optional.empty();
        }

        @Override
        public String describe() {
            return name;
        }
    }

    @BeforeClass
    public static void quote() {
        fixture = new TdxFixture();
        quote = fixture.quoteV4();
    }

    private static Appraisal verify(CollateralSources sources) {
        return new TdxQuoteVerifier(sources).verify(TdxFixture.evidence(quote, null, fixture.eventLog()),
                fixture.options(Map.of(), Map.of()));
    }

    private static Map<String, Object> ranked(int ranking, long id) {
        return Map.of("service.ranking", ranking, "service.id", id);
    }

    @Test
    public void theHighestRankedSourceThatAnswersIsUsedAndThoseBeforeItAreNamed() {
        CollateralSource pcs = EmulatedPcs.source(fixture.pcs);
        Fake down = new Fake("mirror-down", true);
        Fake empty = new Fake("empty-cache", false);
        Fake last = new Fake("never-asked", true);
        CollateralSources sources = new CollateralSources();
        // registered in another order than their ranking
        sources.add(last, ranked(-5, 1));
        sources.add(pcs, ranked(0, 2));
        sources.add(empty, ranked(5, 3));
        sources.add(down, ranked(10, 4));
        assertEquals(List.of(down, empty, pcs, last), sources.inOrder());

        Appraisal v = verify(sources);
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals(fixture.pcs.baseUrl() + "; not from mirror-down: mirror-down refused the connection",
                v.claim("collateral"));
        assertEquals("each of the seven documents asked of each source before the PCS", 7, down.asked.size());
        assertEquals(7, empty.asked.size());
        assertTrue(last.asked.isEmpty());
    }

    @Test
    public void equalRankingsGoToTheOldestServiceAndAnUnrankedSourceIsRankedZero() {
        CollateralSource pcs = EmulatedPcs.source(fixture.pcs);
        Fake younger = new Fake("younger", false);
        CollateralSources sources = new CollateralSources();
        sources.add(younger, ranked(0, 9));
        sources.add(pcs, ranked(0, 3));
        Fake unranked = new Fake("unranked", false);
        sources.add(unranked, Map.of("service.id", 1L));
        assertEquals(List.of(unranked, pcs, younger), sources.inOrder());
        Appraisal v = verify(sources);
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals(fixture.pcs.baseUrl().toString(), v.claim("collateral"));
        assertTrue(younger.asked.isEmpty());

        sources.remove(pcs);
        assertEquals(List.of(unranked, younger), sources.inOrder());
        Appraisal none = verify(sources);
        assertFalse(none.accepted());
        assertEquals(List.of("collateral"), none.failures().stream().map(f -> f.check()).toList());
        assertTrue(none.failures().get(0).reason(), none.failures().get(0).reason().startsWith("no Intel collateral "
                + "source has the pckcrl for {ca=platform}"));
    }

    @Test
    public void collateralTheEvidenceCarriesIsUsedWithoutAskingAnySource() {
        Fake down = new Fake("mirror-down", true);
        CollateralSources sources = new CollateralSources(List.of(down));
        Appraisal v = new TdxQuoteVerifier(sources).verify(fixture.evidence(quote), fixture.options(Map.of(),
                Map.of()));
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals("attached", v.claim("collateral"));
        assertTrue(down.asked.isEmpty());
    }
}
