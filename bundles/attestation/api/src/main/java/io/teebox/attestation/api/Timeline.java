package io.teebox.attestation.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A cloud flow as the seeds draw it: numbered arrows between named parties (user, control plane, host, secure
 * processor or TDX module, CVM, attestation service, key service), notes, and the outcome. A scenario command records
 * each step as it happens and prints the timeline; {@link #toJson()} gives the same steps for scripts.
 */
public final class Timeline {

    /** One arrow ({@code to} non-null) or a note of one party ({@code to} null). */
    public record Step(int number, String from, String to, String text) {
        /** @return whether the step is an arrow between two parties */
        public boolean arrow() {
            return to != null;
        }
    }

    private final String title;
    private final List<String> parties;
    private final List<Step> steps = new ArrayList<>();
    private String outcome;
    private boolean refused;

    /**
     * @param title what the flow is, for example {@code Azure: SEV-SNP CVM, Azure Attestation, Key Vault secure key
     *        release}
     * @param parties the parties, in the order of the seed's sequence diagram
     */
    public Timeline(String title, List<String> parties) {
        this.title = Objects.requireNonNull(title, "title");
        this.parties = List.copyOf(parties);
        if (this.parties.isEmpty()) {
            throw new IllegalArgumentException("a timeline needs at least one party");
        }
    }

    /**
     * Records an arrow: {@code from} sends {@code text} to {@code to}.
     *
     * @return this timeline
     * @throws IllegalArgumentException for a party not named at construction
     */
    public Timeline step(String from, String to, String text) {
        steps.add(new Step(steps.size() + 1, party(from), party(to), oneLine(text)));
        return this;
    }

    /**
     * Records what one party does or sees on its own (a measurement, a check).
     *
     * @return this timeline
     */
    public Timeline note(String party, String text) {
        steps.add(new Step(steps.size() + 1, party(party), null, oneLine(text)));
        return this;
    }

    /** Ends the flow with its result. */
    public Timeline succeeded(String text) {
        outcome = oneLine(text);
        refused = false;
        return this;
    }

    /** Ends the flow with the refusal that stopped it. */
    public Timeline refused(String text) {
        outcome = oneLine(text);
        refused = true;
        return this;
    }

    /** @return whether the flow ended refused */
    public boolean isRefused() {
        return refused;
    }

    /** @return the outcome, null while the flow runs */
    public String outcome() {
        return outcome;
    }

    /** @return the steps so far */
    public List<Step> steps() {
        return List.copyOf(steps);
    }

    /** @return the title, the parties and one numbered line per step, then the outcome */
    public String render() {
        int width = parties.stream().mapToInt(String::length).max().orElse(0);
        int digits = String.valueOf(Math.max(1, steps.size())).length();
        var sb = new StringBuilder(title).append('\n');
        sb.append("parties: ").append(String.join(", ", parties)).append('\n');
        for (Step s : steps) {
            sb.append(String.format("%" + digits + "d  %-" + width + "s  %s  %-" + width + "s  %s%n", s.number(),
                    s.from(), s.arrow() ? "->" : "  ", s.arrow() ? s.to() : "", s.text()));
        }
        if (outcome != null) {
            sb.append(refused ? "REFUSED: " : "RESULT: ").append(outcome).append('\n');
        }
        return sb.toString();
    }

    /** @return the timeline as JSON-ready maps: {@code title}, {@code parties}, {@code steps}, {@code outcome} */
    public Map<String, Object> toJson() {
        var m = new LinkedHashMap<String, Object>();
        m.put("title", title);
        m.put("parties", parties);
        var list = new ArrayList<Map<String, Object>>();
        for (Step s : steps) {
            var e = new LinkedHashMap<String, Object>();
            e.put("n", s.number());
            e.put("from", s.from());
            if (s.arrow()) {
                e.put("to", s.to());
            }
            e.put("text", s.text());
            list.add(e);
        }
        m.put("steps", list);
        if (outcome != null) {
            m.put(refused ? "refused" : "result", outcome);
        }
        return m;
    }

    @Override
    public String toString() {
        return render();
    }

    private String party(String p) {
        if (!parties.contains(p)) {
            throw new IllegalArgumentException("unknown party '" + p + "'; the timeline's parties are " + parties);
        }
        return p;
    }

    private static String oneLine(String text) {
        return Objects.requireNonNull(text, "text").replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
