package io.teebox.kbs.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/**
 * The resource policy: which attestation results get which resources. Trustee writes this in OPA Rego; teebox uses
 * a small JSON grammar of its own instead (Rego would need an OPA engine):
 *
 * <pre>
 * {"rules": [
 *   {"resources": ["my-repo/key/*"], "allow": [
 *      {"claim": ["submods", "*", "ear.status"], "in": ["affirming"]},
 *      {"claim": ["submods", "cpu0", "ear.trustworthiness-vector", "configuration"], "max": 32}]},
 *   {"resources": ["*"], "allow": [{"claim": ["submods", "*", "ear.status"], "in": ["affirming"]}]}]}
 * </pre>
 *
 * The first rule one of whose {@code resources} patterns matches {@code repository/type/tag} ({@code *} any run of
 * characters) decides: the request is allowed when every condition of its {@code allow} holds. A condition's
 * {@code claim} is a path into the token's claims, member names as they are (EAR names contain dots); {@code *}
 * stands for every member of an object or element of a list, of which there must be at least one and all must match.
 * It then holds one test: {@code in} (the value, as text, is one of the list), {@code equals} (a JSON value), or
 * {@code min}/{@code max} (a number within). No matching rule denies.
 */
final class ResourcePolicy {

    /** The default: every submod affirming, for every resource (Trustee's sample default). */
    static final String DEFAULT = "{\"rules\":[{\"resources\":[\"*\"],\"allow\":[{\"claim\":[\"submods\",\"*\","
            + "\"ear.status\"],\"in\":[\"affirming\"]}]}]}";

    private record Condition(List<String> claim, JsonElement test, String op) {
    }

    private record Rule(List<Pattern> patterns, List<String> texts, List<Condition> conditions) {
    }

    /** The decision, with its reason in one line. */
    record Decision(boolean allowed, String reason) {
    }

    private final List<Rule> rules;
    private final String json;

    private ResourcePolicy(List<Rule> rules, String json) {
        this.rules = rules;
        this.json = json;
    }

    /** @return the policy's text as it was set */
    String json() {
        return json;
    }

    /**
     * @param json the policy's text
     * @return the policy
     * @throws KbsProblem (401, InvalidRequest, as Trustee's ParsePolicyError) naming the first thing wrong
     */
    static ResourcePolicy parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw bad("it is not JSON: " + firstLine(e.getMessage()));
        }
        if (!(root instanceof JsonObject o) || !(o.get("rules") instanceof JsonArray rs)) {
            throw bad("it must be an object {\"rules\": [...]}");
        }
        for (String k : o.keySet()) {
            if (!k.equals("rules") && !k.equals("description")) {
                throw bad("unknown member '" + k + "'; accepted: rules, description");
            }
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            String where = "rules[" + i + "]";
            if (!(rs.get(i) instanceof JsonObject r)) {
                throw bad(where + " must be an object {resources, allow}");
            }
            for (String k : r.keySet()) {
                if (!k.equals("resources") && !k.equals("allow")) {
                    throw bad(where + ": unknown member '" + k + "'; accepted: resources, allow");
                }
            }
            List<String> texts = strings(r.get("resources"), where + ".resources");
            if (texts.isEmpty()) {
                throw bad(where + ".resources is empty");
            }
            List<Pattern> patterns = new ArrayList<>();
            texts.forEach(t -> patterns.add(glob(t)));
            if (!(r.get("allow") instanceof JsonArray as)) {
                throw bad(where + ".allow must be a list of conditions");
            }
            List<Condition> conditions = new ArrayList<>();
            for (int j = 0; j < as.size(); j++) {
                conditions.add(condition(as.get(j), where + ".allow[" + j + "]"));
            }
            rules.add(new Rule(patterns, texts, conditions));
        }
        return new ResourcePolicy(List.copyOf(rules), json);
    }

    private static Condition condition(JsonElement e, String where) {
        if (!(e instanceof JsonObject c)) {
            throw bad(where + " must be an object {claim, in|equals|min|max}");
        }
        List<String> claim = strings(c.get("claim"), where + ".claim");
        if (claim.isEmpty()) {
            throw bad(where + ".claim is empty");
        }
        String op = null;
        for (String k : c.keySet()) {
            if (k.equals("claim")) {
                continue;
            }
            if (!List.of("in", "equals", "min", "max").contains(k)) {
                throw bad(where + ": unknown member '" + k + "'; accepted: claim, in, equals, min, max");
            }
            if (op != null) {
                throw bad(where + " has both '" + op + "' and '" + k + "'; give one test per condition");
            }
            op = k;
        }
        if (op == null) {
            throw bad(where + " has no test: add in, equals, min or max");
        }
        JsonElement test = c.get(op);
        if (op.equals("in")) {
            strings(test, where + ".in");
        } else if ((op.equals("min") || op.equals("max"))
                && !(test instanceof JsonPrimitive p && p.isNumber())) {
            throw bad(where + "." + op + " must be a number");
        }
        return new Condition(List.copyOf(claim), test, op);
    }

    private static List<String> strings(JsonElement e, String where) {
        if (!(e instanceof JsonArray a)) {
            throw bad(where + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement x : a) {
            if (!(x instanceof JsonPrimitive p && p.isString())) {
                throw bad(where + " must be a list of strings; found " + x);
            }
            out.add(p.getAsString());
        }
        return out;
    }

    private static Pattern glob(String g) {
        List<String> parts = new ArrayList<>();
        for (String part : g.split("\\*", -1)) {
            parts.add(Pattern.quote(part));
        }
        return Pattern.compile(String.join(".*", parts));
    }

    private static KbsProblem bad(String detail) {
        return KbsProblem.invalid("resource policy: " + detail);
    }

    private static String firstLine(String m) {
        String s = String.valueOf(m);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * @param resource the resource asked for
     * @param claims the token's claims
     * @return whether it is released, and why (the first failed condition, or the rule that allowed it)
     */
    Decision decide(ResourcePath resource, Map<String, Object> claims) {
        String path = resource.toString();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.patterns().stream().noneMatch(p -> p.matcher(path).matches())) {
                continue;
            }
            for (Condition c : r.conditions()) {
                String failure = check(c, claims);
                if (failure != null) {
                    return new Decision(false, "rule " + i + " (" + String.join(", ", r.texts()) + ") denies "
                            + path + ": " + failure);
                }
            }
            return new Decision(true, "rule " + i + " (" + String.join(", ", r.texts()) + ") allows " + path);
        }
        return new Decision(false, "no rule of the resource policy matches " + path);
    }

    private static String check(Condition c, Map<String, Object> claims) {
        List<String[]> failures = new ArrayList<>();
        int found = walk(claims, c.claim(), 0, "", c, failures);
        if (!failures.isEmpty()) {
            String[] f = failures.get(0);
            return f[0] + " is " + f[1] + ", " + describe(c);
        }
        if (found == 0) {
            return "the token has no claim " + String.join(".", c.claim());
        }
        return null;
    }

    private static String describe(Condition c) {
        return switch (c.op()) {
            case "in" -> "not one of " + c.test();
            case "equals" -> "not " + c.test();
            case "min" -> "below the minimum " + c.test();
            default -> "above the maximum " + c.test();
        };
    }

    private static int walk(Object v, List<String> path, int i, String at, Condition c, List<String[]> failures) {
        if (i == path.size()) {
            if (!holds(c, v)) {
                failures.add(new String[] {at, v instanceof String s ? "'" + s + "'" : String.valueOf(v)});
            }
            return 1;
        }
        String seg = path.get(i);
        String next = at.isEmpty() ? seg : at + "." + seg;
        if (v instanceof Map<?, ?> m) {
            if (seg.equals("*")) {
                int n = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    n += walk(e.getValue(), path, i + 1, (at.isEmpty() ? "" : at + ".") + e.getKey(), c, failures);
                }
                return n;
            }
            return m.containsKey(seg) ? walk(m.get(seg), path, i + 1, next, c, failures) : 0;
        }
        if (v instanceof List<?> l && seg.equals("*")) {
            int n = 0;
            for (int k = 0; k < l.size(); k++) {
                n += walk(l.get(k), path, i + 1, at + "[" + k + "]", c, failures);
            }
            return n;
        }
        return 0;
    }

    private static boolean holds(Condition c, Object v) {
        switch (c.op()) {
            case "in" -> {
                if (v instanceof Map || v instanceof List || v == null) {
                    return false;
                }
                for (JsonElement a : c.test().getAsJsonArray()) {
                    if (a.getAsString().equals(String.valueOf(v))) {
                        return true;
                    }
                }
                return false;
            }
            case "equals" -> {
                JsonElement t = c.test();
                if (t instanceof JsonPrimitive p) {
                    if (p.isNumber()) {
                        return v instanceof Number n && n.doubleValue() == p.getAsDouble();
                    }
                    if (p.isBoolean()) {
                        return Boolean.valueOf(p.getAsBoolean()).equals(v);
                    }
                    return p.getAsString().equals(v);
                }
                return t.isJsonNull() && v == null;
            }
            case "min" -> {
                return v instanceof Number n && n.doubleValue() >= c.test().getAsDouble();
            }
            default -> {
                return v instanceof Number n && n.doubleValue() <= c.test().getAsDouble();
            }
        }
    }
}
