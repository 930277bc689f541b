package io.teebox.shell.internal;

import java.util.Collection;

/** The nearest of known names to a mistyped one (edit distance), for "did you mean" hints. */
final class Suggestions {

    private Suggestions() {
    }

    /**
     * @param typed what was typed
     * @param known the names it could have meant
     * @return the nearest known name within a third of the typed length (at least 1, at most 3 edits), or one the
     *         typed text is a prefix of; null if none is near
     */
    static String nearest(String typed, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int limit = Math.max(1, Math.min(3, typed.length() / 3));
        for (String k : known) {
            int d = distance(typed.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
            // on a tie, a name that extends what was typed ("--vcpu" -> "--vcpus"), then the alphabet
            if (d < bestDistance || d == bestDistance && best != null && (k.startsWith(typed) && !best.startsWith(typed)
                    || k.startsWith(typed) == best.startsWith(typed) && k.compareTo(best) < 0)) {
                bestDistance = d;
                best = k;
            }
        }
        if (best != null && bestDistance <= limit) {
            return best;
        }
        for (String k : known) {
            if (typed.length() >= 3 && k.startsWith(typed)) {
                return k;
            }
        }
        return null;
    }

    /** Levenshtein distance, with a transposition of two neighbours counted as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
