package io.teebox.spi.collateral;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.teebox.api.tee.Bytes;

/**
 * The collateral sources of one vendor a verifier fetches from, in ranking order (highest {@code service.ranking}
 * first, then the oldest service), for a verifier's dynamic multiple reference to {@link CollateralSource}. Sources
 * come and go while verifiers run: a read copies the list, and a source that fails is noted and the next one asked,
 * so a broken mirror never hides a working one.
 */
public final class CollateralSources {

    private record Ranked(CollateralSource source, int ranking, long id) {
    }

    private final List<Ranked> sources = new CopyOnWriteArrayList<>();

    /** No sources yet: a verifier that uses only what the evidence carries until sources are added. */
    public CollateralSources() {
    }

    /** @param fixed sources in the order given, best first (tests, or a verifier outside OSGi) */
    public CollateralSources(List<CollateralSource> fixed) {
        for (int i = 0; i < fixed.size(); i++) {
            sources.add(new Ranked(fixed.get(i), -i, i));
        }
    }

    /**
     * @param source a source that appeared
     * @param properties its service properties ({@code service.ranking}, {@code service.id})
     */
    public void add(CollateralSource source, Map<String, ?> properties) {
        Object r = properties.get("service.ranking");
        Object id = properties.get("service.id");
        sources.add(new Ranked(source, r instanceof Integer i ? i : 0, id instanceof Long l ? l : Long.MAX_VALUE));
    }

    /** @param source a source that went away */
    public void remove(CollateralSource source) {
        sources.removeIf(r -> r.source() == source);
    }

    /** @return the sources now present, best first */
    public List<CollateralSource> inOrder() {
        List<Ranked> copy = new ArrayList<>(sources);
        copy.sort(Comparator.comparingInt(Ranked::ranking).reversed().thenComparingLong(Ranked::id));
        return copy.stream().map(Ranked::source).toList();
    }

    /**
     * One source's answer to a request.
     *
     * @param source the source that answered
     * @param value what it answered
     */
    public record Answer(CollateralSource source, Bytes value) {
    }

    /**
     * Asks one source, noting its failure in the problems instead of throwing.
     *
     * @param source the source
     * @param kind what is asked for
     * @param key what identifies it
     * @param problems where a failure is noted, one line each ({@code <source>: <reason>})
     * @return its answer, or empty if it has none or failed
     */
    public static Optional<Answer> ask(CollateralSource source, String kind, Map<String, String> key,
            Collection<String> problems) {
        try {
            return source.fetch(kind, key).map(v -> new Answer(source, v));
        } catch (RuntimeException e) {
            problems.add(source.describe() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
