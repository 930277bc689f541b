package io.teebox.intel.verify.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.teebox.api.tee.Bytes;
import io.teebox.spi.collateral.CollateralSource;

/**
 * The Intel collateral sources a verifier may fetch from, in ranking order (highest {@code service.ranking} first,
 * then the oldest service). Sources come and go while verifiers run; a read copies the list, and one source that
 * fails is noted and the next one asked, so a broken mirror never hides a working one.
 */
final class CollateralSources {

    private record Ranked(CollateralSource source, int ranking, long id) {
    }

    private final List<Ranked> sources = new CopyOnWriteArrayList<>();

    /** No sources: a verifier that uses only what the evidence carries. */
    CollateralSources() {
    }

    /** @param fixed sources in the order given (tests) */
    CollateralSources(List<CollateralSource> fixed) {
        for (int i = 0; i < fixed.size(); i++) {
            sources.add(new Ranked(fixed.get(i), -i, i));
        }
    }

    void add(CollateralSource source, Map<String, ?> properties) {
        Object r = properties.get("service.ranking");
        Object id = properties.get("service.id");
        sources.add(new Ranked(source, r instanceof Integer i ? i : 0, id instanceof Long l ? l : Long.MAX_VALUE));
    }

    void remove(CollateralSource source) {
        sources.removeIf(r -> r.source() == source);
    }

    /** @return the sources, best first */
    List<CollateralSource> inOrder() {
        List<Ranked> copy = new ArrayList<>(sources);
        copy.sort(Comparator.comparingInt(Ranked::ranking).reversed().thenComparingLong(Ranked::id));
        return copy.stream().map(Ranked::source).toList();
    }

    /** One source's answer to a request. */
    record Answer(CollateralSource source, Bytes value) {
    }

    /**
     * Asks one source, noting its failure in the problems instead of throwing.
     *
     * @param source the source
     * @param kind what is asked for
     * @param key what identifies it
     * @param problems where a failure is noted, one line each
     * @return its answer, or empty if it has none or failed
     */
    static Optional<Answer> ask(CollateralSource source, String kind, Map<String, String> key,
            java.util.Collection<String> problems) {
        try {
            return source.fetch(kind, key).map(v -> new Answer(source, v));
        } catch (RuntimeException e) {
            problems.add(source.describe() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
