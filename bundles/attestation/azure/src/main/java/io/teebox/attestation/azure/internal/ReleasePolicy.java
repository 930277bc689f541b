package io.teebox.attestation.azure.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;

/**
 * A secure key release policy in Key Vault's grammar: {@code {"version": "1.0.0", "anyOf": [authority, ...]}}, each
 * authority {@code {"authority": <issuer URL>, "anyOf"|"allOf": [condition, ...]}}, a condition either a nested
 * {@code anyOf}/{@code allOf} or {@code {"claim": <dotted path>, <operator>: <value>}} with one of the operators
 * {@code equals}, {@code notEquals}, {@code less}, {@code lessOrEquals}, {@code greater}, {@code greaterOrEquals},
 * {@code exists}. Member names are matched ignoring case, as Azure Policy (whose grammar this follows) does; strings
 * compare ignoring case too, numbers by value, booleans as booleans; order operators take numbers. A claim missing
 * from the token fails every condition but {@code exists: false}.
 * <p>
 * Evaluation gives the first failing condition as a sentence, e.g. {@code x-ms-isolation-tee.x-ms-sevsnpvm-is-
 * debuggable is true, the release policy requires false}.
 */
final class ReleasePolicy {

    static final Set<String> OPERATORS = Set.of("equals", "notequals", "less", "lessorequals", "greater",
            "greaterorequals", "exists");
    private static final List<String> OPERATOR_NAMES = List.of("equals", "notEquals", "less", "lessOrEquals",
            "greater", "greaterOrEquals", "exists");

    /** A node of the policy. */
    sealed interface Condition permits Claim, AnyOf, AllOf {
    }

    /** A claim compared with a value. */
    record Claim(String path, String operator, JsonPrimitive value) implements Condition {
    }

    /** Any of the conditions. */
    record AnyOf(List<Condition> conditions) implements Condition {
    }

    /** All of the conditions. */
    record AllOf(List<Condition> conditions) implements Condition {
    }

    /** One authority and its condition. */
    record Authority(String issuer, Condition condition) {
    }

    /** The outcome of an evaluation: whether the policy holds and, if not, why. */
    record Outcome(boolean released, String reason) {
    }

    private final String text;
    private final List<Authority> authorities;

    private ReleasePolicy(String text, List<Authority> authorities) {
        this.text = text;
        this.authorities = List.copyOf(authorities);
    }

    /** @return the policy as it was given */
    String text() {
        return text;
    }

    /** @return the authorities */
    List<Authority> authorities() {
        return authorities;
    }

    /**
     * @param json the policy
     * @return the policy
     * @throws IllegalArgumentException with one line naming the offending element
     */
    static ReleasePolicy parse(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("release policy: is empty; it must be a JSON object {version, anyOf}");
        }
        JsonElement e;
        try {
            JsonReader r = new JsonReader(new java.io.StringReader(json));
            r.setStrictness(Strictness.STRICT);
            e = JsonParser.parseReader(r);
            if (r.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("release policy: text after the JSON object");
            }
        } catch (JsonParseException | java.io.IOException | IllegalStateException x) {
            throw new IllegalArgumentException("release policy: not JSON: " + oneLine(x.getMessage()));
        }
        if (!(e instanceof JsonObject o)) {
            throw new IllegalArgumentException("release policy: must be a JSON object {version, anyOf}");
        }
        known(o, Set.of("version", "anyof"), "release policy");
        JsonElement v = member(o, "version");
        if (!(v instanceof JsonPrimitive p && p.isString() && p.getAsString().matches("1\\.0\\.\\d+"))) {
            throw new IllegalArgumentException("release policy: version is " + (v == null ? "missing" : v)
                    + "; accepted: \"1.0.0\"");
        }
        JsonArray any = array(o, "anyOf", "release policy");
        List<Authority> list = new ArrayList<>();
        for (int i = 0; i < any.size(); i++) {
            String where = "anyOf[" + i + "]";
            if (!(any.get(i) instanceof JsonObject a)) {
                throw new IllegalArgumentException(where + ": an authority must be an object {authority, anyOf|allOf}");
            }
            known(a, Set.of("authority", "anyof", "allof"), where);
            JsonElement iss = member(a, "authority");
            if (!(iss instanceof JsonPrimitive s && s.isString() && !s.getAsString().isBlank())) {
                throw new IllegalArgumentException(where + ".authority is " + (iss == null ? "missing" : iss)
                        + "; it must be the attestation service's issuer URL");
            }
            boolean hasAny = member(a, "anyof") != null;
            boolean hasAll = member(a, "allof") != null;
            if (hasAny == hasAll) {
                throw new IllegalArgumentException(where + ": an authority needs exactly one of anyOf, allOf");
            }
            list.add(new Authority(s(iss), group(a, hasAny ? "anyOf" : "allOf", where)));
        }
        return new ReleasePolicy(json, list);
    }

    private static Condition group(JsonObject o, String name, String where) {
        JsonArray a = array(o, name, where);
        List<Condition> cs = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            cs.add(condition(a.get(i), where + "." + name + "[" + i + "]"));
        }
        return name.equals("anyOf") ? new AnyOf(cs) : new AllOf(cs);
    }

    private static Condition condition(JsonElement e, String where) {
        if (!(e instanceof JsonObject o)) {
            throw new IllegalArgumentException(where + ": a condition must be an object");
        }
        if (member(o, "anyof") != null || member(o, "allof") != null) {
            known(o, Set.of("anyof", "allof"), where);
            if (o.size() != 1) {
                throw new IllegalArgumentException(where + ": a condition has one of anyOf, allOf, not both");
            }
            return group(o, member(o, "anyof") != null ? "anyOf" : "allOf", where);
        }
        JsonElement claim = member(o, "claim");
        if (!(claim instanceof JsonPrimitive c && c.isString() && !c.getAsString().isBlank())) {
            throw new IllegalArgumentException(where + ": claim is " + (claim == null ? "missing" : claim)
                    + "; a condition is {claim, <operator>: value} or {anyOf|allOf: [...]}");
        }
        String op = null;
        JsonElement value = null;
        for (Map.Entry<String, JsonElement> m : o.entrySet()) {
            String k = m.getKey().toLowerCase(Locale.ROOT);
            if (k.equals("claim")) {
                continue;
            }
            if (!OPERATORS.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown operator '" + m.getKey() + "'; accepted: "
                        + String.join(", ", OPERATOR_NAMES));
            }
            if (op != null) {
                throw new IllegalArgumentException(where + ": two operators, " + op + " and " + m.getKey()
                        + "; a condition has one");
            }
            op = OPERATOR_NAMES.stream().filter(n -> n.equalsIgnoreCase(k)).findFirst().orElseThrow();
            value = m.getValue();
        }
        if (op == null) {
            throw new IllegalArgumentException(where + ": no operator for claim " + s(claim) + "; accepted: "
                    + String.join(", ", OPERATOR_NAMES));
        }
        if (!(value instanceof JsonPrimitive p)) {
            throw new IllegalArgumentException(where + "." + op + " is " + kind(value) + "; a value is a string, a "
                    + "number, true or false");
        }
        if (op.equals("exists") && !p.isBoolean()) {
            throw new IllegalArgumentException(where + ".exists is " + p + "; it takes true or false");
        }
        if (op.startsWith("less") || op.startsWith("greater")) {
            if (!p.isNumber()) {
                throw new IllegalArgumentException(where + "." + op + " is " + p + "; it compares numbers");
            }
        }
        return new Claim(s(claim), op, p);
    }

    /**
     * @param claims the token's verified claims (JSON values as maps, lists, strings, numbers, booleans)
     * @param issuer the token's issuer
     * @return whether the key is released and, if not, the first failing condition
     */
    Outcome evaluate(Map<String, Object> claims, String issuer) {
        List<String> reasons = new ArrayList<>();
        boolean anyAuthority = false;
        for (Authority a : authorities) {
            if (!normal(a.issuer()).equals(normal(issuer))) {
                continue;
            }
            anyAuthority = true;
            String r = check(a.condition(), claims);
            if (r == null) {
                return new Outcome(true, null);
            }
            reasons.add(r);
        }
        if (!anyAuthority) {
            List<String> names = authorities.stream().map(Authority::issuer).toList();
            return new Outcome(false, "the token's issuer " + issuer + " is not an authority of the release policy "
                    + names);
        }
        return new Outcome(false, reasons.get(0));
    }

    /** @return null if the condition holds, else why not */
    static String check(Condition c, Map<String, Object> claims) {
        if (c instanceof AllOf all) {
            for (Condition x : all.conditions()) {
                String r = check(x, claims);
                if (r != null) {
                    return r;
                }
            }
            return null;
        }
        if (c instanceof AnyOf any) {
            String first = null;
            for (Condition x : any.conditions()) {
                String r = check(x, claims);
                if (r == null) {
                    return null;
                }
                first = first == null ? r : first;
            }
            return any.conditions().size() == 1 ? first : "none of the " + any.conditions().size()
                    + " conditions of an anyOf holds; the first: " + first;
        }
        Claim k = (Claim) c;
        Object got = lookup(claims, k.path());
        JsonPrimitive want = k.value();
        if (k.operator().equals("exists")) {
            boolean must = want.getAsBoolean();
            return (got != null) == must ? null : must ? k.path() + " is missing, the release policy requires it"
                    : k.path() + " is present, the release policy requires it absent";
        }
        if (got == null) {
            return k.path() + " is missing from the token, the release policy requires it " + phrase(k);
        }
        String mismatch = typeMismatch(got, want);
        if (mismatch != null) {
            return k.path() + " is " + show(got) + " (" + mismatch + "), the release policy requires it " + phrase(k);
        }
        boolean holds = switch (k.operator()) {
            case "equals" -> same(got, want);
            case "notEquals" -> !same(got, want);
            default -> {
                int cmp = number(got).compareTo(want.getAsBigDecimal());
                yield switch (k.operator()) {
                    case "less" -> cmp < 0;
                    case "lessOrEquals" -> cmp <= 0;
                    case "greater" -> cmp > 0;
                    default -> cmp >= 0;
                };
            }
        };
        if (holds) {
            return null;
        }
        return k.path() + " is " + show(got) + ", the release policy requires " + (k.operator().equals("equals")
                ? show(want) : phrase(k));
    }

    private static String phrase(Claim k) {
        return switch (k.operator()) {
            case "equals" -> "to equal " + show(k.value());
            case "notEquals" -> "not to equal " + show(k.value());
            case "less" -> "less than " + show(k.value());
            case "lessOrEquals" -> "at most " + show(k.value());
            case "greater" -> "greater than " + show(k.value());
            case "greaterOrEquals" -> "at least " + show(k.value());
            default -> "to exist";
        };
    }

    /** @return the claim at a dotted path, or null */
    static Object lookup(Map<String, Object> claims, String path) {
        Object at = claims;
        for (String part : path.split("\\.", -1)) {
            if (!(at instanceof Map<?, ?> m)) {
                return null;
            }
            at = m.get(part);
            if (at == null) {
                return null;
            }
        }
        return at;
    }

    private static String typeMismatch(Object got, JsonPrimitive want) {
        String g = got instanceof String ? "a string" : got instanceof Boolean ? "a boolean" : got instanceof Number
                ? "a number" : got instanceof Map ? "an object" : got instanceof List ? "an array" : "null";
        String w = want.isString() ? "a string" : want.isBoolean() ? "a boolean" : "a number";
        return g.equals(w) ? null : g + ", the policy's value " + w;
    }

    private static boolean same(Object got, JsonPrimitive want) {
        if (want.isString()) {
            return ((String) got).equalsIgnoreCase(want.getAsString());
        }
        if (want.isBoolean()) {
            return got.equals(want.getAsBoolean());
        }
        return number(got).compareTo(want.getAsBigDecimal()) == 0;
    }

    private static BigDecimal number(Object n) {
        return new BigDecimal(n.toString());
    }

    private static String show(Object v) {
        if (v instanceof JsonPrimitive p) {
            return p.isString() ? "'" + p.getAsString() + "'" : p.toString();
        }
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    private static String normal(String issuer) {
        String s = issuer == null ? "" : issuer.trim().toLowerCase(Locale.ROOT);
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static JsonElement member(JsonObject o, String lowerName) {
        for (Map.Entry<String, JsonElement> m : o.entrySet()) {
            if (m.getKey().equalsIgnoreCase(lowerName)) {
                return m.getValue();
            }
        }
        return null;
    }

    private static JsonArray array(JsonObject o, String name, String where) {
        JsonElement e = member(o, name.toLowerCase(Locale.ROOT));
        if (!(e instanceof JsonArray a) || a.isEmpty()) {
            throw new IllegalArgumentException(where + "." + name + " is " + (e == null ? "missing" : e instanceof
                    JsonArray ? "empty" : kind(e)) + "; it must be a non-empty array");
        }
        return a;
    }

    private static void known(JsonObject o, Set<String> lowerNames, String where) {
        for (String k : o.keySet()) {
            if (!lowerNames.contains(k.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(where + ": unknown member '" + k + "'");
            }
        }
    }

    private static String s(JsonElement e) {
        return e.getAsString();
    }

    private static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        return e.isJsonArray() ? "an array" : e.isJsonObject() ? "an object" : e.toString();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
