package io.teebox.attestation.gcp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An IAM-style condition over an attestation token, in a small subset of CEL as Google's Workload Identity Federation
 * attribute conditions write them, for example
 * {@code assertion.hwmodel == 'GCP_INTEL_TDX' && assertion.dbgstat == 'disabled-since-boot' && 'tdx' in assertion.submods}.
 *
 * <pre>
 * expr     = or
 * or       = and { "||" and }
 * and      = relation { "&amp;&amp;" relation }
 * relation = unary [ ("==" | "!=" | "in") unary ]
 * unary    = "!" unary | member
 * member   = primary { "." IDENT | "[" expr "]" }
 * primary  = IDENT | STRING | INT | "true" | "false" | "null" | "(" expr ")" | "[" [ expr { "," expr } ] "]"
 * STRING   = '...' or "..." with \\ \' \" \n \t escapes;  INT = [-]digits (64-bit)
 * </pre>
 * The only variable is {@code assertion}, the token's claims. Precedence is CEL's: {@code ||} binds loosest, then
 * {@code &&}, then {@code == != in} (non-associative), then {@code !}, then member access.
 * <p>
 * Evaluation follows CEL's error rules for the logical operators ({@code false && error} is false, {@code true ||
 * error} is true, otherwise an error wins) and denies on any error. Where this subset departs from CEL: comparing
 * values of different types with {@code ==}/{@code !=} is an error naming both types (current CEL answers false), so
 * a condition written against the wrong claim type is refused with the reason instead of silently never matching;
 * ints and doubles compare by value.
 */
final class Condition {

    /** Longest condition accepted (Google allows 4096 characters for an attribute condition). */
    static final int MAX_LENGTH = 4096;
    private static final int MAX_DEPTH = 64;

    /** A malformed condition: one line naming the 1-based position. */
    static final class SyntaxError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message);
        }
    }

    /** The outcome: allowed, or denied with the failing sub-condition and the claim's value. */
    record Decision(boolean allowed, String reason) {
    }

    private final String source;
    private final Node root;

    private Condition(String source, Node root) {
        this.source = source;
        this.root = root;
    }

    /**
     * @param source the condition
     * @return the parsed condition
     * @throws SyntaxError naming the position and what was expected
     */
    static Condition parse(String source) {
        if (source == null || source.isBlank()) {
            throw new SyntaxError("condition is empty");
        }
        if (source.length() > MAX_LENGTH) {
            throw new SyntaxError("condition is " + source.length() + " characters, at most " + MAX_LENGTH);
        }
        Parser p = new Parser(source);
        Node n = p.expr(0);
        if (p.peek().kind != Kind.END) {
            throw p.error(p.peek(), "expected an operator or the end");
        }
        return new Condition(source, n);
    }

    /** @return the condition as written */
    String source() {
        return source;
    }

    /**
     * @param claims the token's claims (maps, lists, strings, numbers, booleans)
     * @return the decision
     */
    Decision evaluate(Map<String, Object> claims) {
        Result r = root.eval(Map.of("assertion", claims));
        if (r.error != null) {
            return new Decision(false, r.error);
        }
        if (!(r.value instanceof Boolean b)) {
            return new Decision(false, "the condition is of type " + type(r.value) + ", not bool");
        }
        return b ? new Decision(true, "'" + source + "' holds") : new Decision(false, r.why);
    }

    @Override
    public String toString() {
        return source;
    }

    // ---- evaluation --------------------------------------------------------------------------------------------

    /** A value, or an error; {@code why} explains a false boolean. */
    private record Result(Object value, String error, String why) {
        static Result of(Object v) {
            return new Result(v, null, null);
        }

        static Result err(String e) {
            return new Result(null, e, null);
        }

        static Result no(String why) {
            return new Result(false, null, why);
        }

        boolean isTrue() {
            return error == null && Boolean.TRUE.equals(value);
        }

        boolean isFalse() {
            return error == null && Boolean.FALSE.equals(value);
        }
    }

    private abstract static class Node {
        final String text;

        Node(String text) {
            this.text = text;
        }

        abstract Result eval(Map<String, Object> vars);

        boolean literal() {
            return false;
        }
    }

    private static final class Lit extends Node {
        final Object value;

        Lit(String text, Object value) {
            super(text);
            this.value = value;
        }

        @Override
        Result eval(Map<String, Object> vars) {
            return Result.of(value);
        }

        @Override
        boolean literal() {
            return true;
        }
    }

    private static final class ListLit extends Node {
        final List<Node> items;

        ListLit(String text, List<Node> items) {
            super(text);
            this.items = items;
        }

        @Override
        Result eval(Map<String, Object> vars) {
            List<Object> out = new ArrayList<>();
            for (Node n : items) {
                Result r = n.eval(vars);
                if (r.error != null) {
                    return r;
                }
                out.add(r.value);
            }
            return Result.of(out);
        }

        @Override
        boolean literal() {
            return items.stream().allMatch(Node::literal);
        }
    }

    private static final class Ident extends Node {
        Ident(String name) {
            super(name);
        }

        @Override
        Result eval(Map<String, Object> vars) {
            if (!vars.containsKey(text)) {
                return Result.err("undeclared reference '" + text + "' (the only variable is 'assertion')");
            }
            return bool(this, vars.get(text));
        }
    }

    /** {@code operand.field} or {@code operand[key]}. */
    private static final class Member extends Node {
        final Node operand;
        final Node key;
        final String field;

        Member(String text, Node operand, String field, Node key) {
            super(text);
            this.operand = operand;
            this.field = field;
            this.key = key;
        }

        @Override
        Result eval(Map<String, Object> vars) {
            Result o = operand.eval(vars);
            if (o.error != null) {
                return o;
            }
            Object k = field;
            if (key != null) {
                Result kr = key.eval(vars);
                if (kr.error != null) {
                    return kr;
                }
                k = number(kr.value);
            }
            if (o.value instanceof Map<?, ?> m) {
                if (!(k instanceof String s)) {
                    return Result.err(text + ": a map is indexed by string, not " + type(k));
                }
                if (!m.containsKey(s)) {
                    return Result.err(text + " is missing: " + operand.text + " has no key '" + s + "' (keys "
                            + m.keySet() + ")");
                }
                return bool(this, m.get(s));
            }
            if (o.value instanceof List<?> l && key != null) {
                if (!(k instanceof Long i)) {
                    return Result.err(text + ": a list is indexed by int, not " + type(k));
                }
                if (i < 0 || i >= l.size()) {
                    return Result.err(text + ": index " + i + " is outside " + operand.text + " of " + l.size()
                            + " elements");
                }
                return bool(this, l.get(i.intValue()));
            }
            return Result.err(text + ": " + operand.text + " is " + type(o.value) + " " + show(o.value)
                    + ", not a map");
        }
    }

    private static final class Not extends Node {
        final Node operand;

        Not(String text, Node operand) {
            super(text);
            this.operand = operand;
        }

        @Override
        Result eval(Map<String, Object> vars) {
            Result r = operand.eval(vars);
            if (r.error != null) {
                return r;
            }
            if (!(r.value instanceof Boolean b)) {
                return Result.err(text + ": '!' takes a bool, " + operand.text + " is " + type(r.value) + " "
                        + show(r.value));
            }
            return b ? Result.no(text + " is false: " + operand.text + " is true") : Result.of(true);
        }
    }

    private static final class Logic extends Node {
        final boolean and;
        final Node left;
        final Node right;

        Logic(String text, boolean and, Node left, Node right) {
            super(text);
            this.and = and;
            this.left = left;
            this.right = right;
        }

        @Override
        Result eval(Map<String, Object> vars) {
            Result l = check(left, left.eval(vars));
            Result r = check(right, right.eval(vars));
            if (and) {
                if (l.isFalse()) {
                    return l;
                }
                if (r.isFalse()) {
                    return r;
                }
                if (l.error != null) {
                    return l;
                }
                return r.error != null ? r : Result.of(true);
            }
            if (l.isTrue() || r.isTrue()) {
                return Result.of(true);
            }
            if (l.error != null) {
                return l;
            }
            if (r.error != null) {
                return r;
            }
            return Result.no("neither " + l.why + " nor " + r.why);
        }

        private static Result check(Node n, Result r) {
            if (r.error == null && !(r.value instanceof Boolean)) {
                return Result.err(n.text + " is " + type(r.value) + " " + show(r.value) + ", not bool");
            }
            return r;
        }
    }

    private static final class Relation extends Node {
        final String op;
        final Node left;
        final Node right;

        Relation(String text, String op, Node left, Node right) {
            super(text);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        Result eval(Map<String, Object> vars) {
            Result l = left.eval(vars);
            if (l.error != null) {
                return l;
            }
            Result r = right.eval(vars);
            if (r.error != null) {
                return r;
            }
            Object a = number(l.value);
            Object b = number(r.value);
            if (op.equals("in")) {
                if (b instanceof Map<?, ?> m) {
                    if (!(a instanceof String)) {
                        return Result.err(text + ": map keys are strings, " + left.text + " is " + type(a));
                    }
                    return m.containsKey(a) ? Result.of(true) : Result.no(text + " is false: " + right.text
                            + " has keys " + m.keySet());
                }
                if (b instanceof List<?> list) {
                    for (Object e : list) {
                        Object x = number(e);
                        if (sameType(a, x) && equal(a, x)) {
                            return Result.of(true);
                        }
                    }
                    return Result.no(text + " is false: " + values(left, a) + right.text + " is " + show(b));
                }
                return Result.err(text + ": 'in' takes a list or a map, " + right.text + " is " + type(b) + " "
                        + show(b));
            }
            if (!sameType(a, b)) {
                return Result.err(text + ": cannot compare " + type(a) + " " + show(a) + " with " + type(b) + " "
                        + show(b));
            }
            boolean eq = equal(a, b);
            if (eq == op.equals("==")) {
                return Result.of(true);
            }
            StringBuilder why = new StringBuilder(text).append(" is false: ");
            if (!left.literal()) {
                why.append(left.text).append(" is ").append(show(a));
            }
            if (!right.literal()) {
                why.append(left.literal() ? "" : ", ").append(right.text).append(" is ").append(show(b));
            }
            if (left.literal() && right.literal()) {
                why.append("both sides are literals");
            }
            return Result.no(why.toString());
        }

        private static String values(Node n, Object v) {
            return n.literal() ? "" : n.text + " is " + show(v) + ", ";
        }
    }

    /** A bare path used as a condition: a false bool explains itself. */
    private static Result bool(Node n, Object v) {
        return Boolean.FALSE.equals(v) ? Result.no(n.text + " is false") : Result.of(v);
    }

    private static Object number(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (Object) (long) d : (Object) d;
        }
        return v;
    }

    private static boolean sameType(Object a, Object b) {
        if (a == null || b == null) {
            return true; // null == x is false unless both are null, as CEL's null_type compares
        }
        if (a instanceof Number && b instanceof Number) {
            return true;
        }
        return type(a).equals(type(b));
    }

    private static boolean equal(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                Object p = number(x.get(i));
                Object q = number(y.get(i));
                if (!sameType(p, q) || !equal(p, q)) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    static String type(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long || v instanceof Integer) {
            return "int";
        }
        if (v instanceof Number) {
            return "double";
        }
        if (v instanceof Map) {
            return "map";
        }
        if (v instanceof List) {
            return "list";
        }
        return v.getClass().getSimpleName();
    }

    static String show(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof List<?> l) {
            List<String> items = new ArrayList<>();
            l.forEach(x -> items.add(show(number(x))));
            return "[" + String.join(", ", items) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            return "a map with keys " + m.keySet();
        }
        return String.valueOf(number(v));
    }

    // ---- parsing -----------------------------------------------------------------------------------------------

    private enum Kind { IDENT, STRING, INT, OP, END }

    private record Token(Kind kind, String text, Object value, int start, int end) {
    }

    private static final class Parser {
        private final String src;
        private final List<Token> tokens = new ArrayList<>();
        private int i;

        Parser(String src) {
            this.src = src;
            lex();
        }

        Token peek() {
            return tokens.get(i);
        }

        SyntaxError error(Token t, String expected) {
            String found = t.kind == Kind.END ? "the end of the condition" : "'" + t.text + "'";
            return new SyntaxError("condition: at position " + (t.start + 1) + ": " + expected + ", found " + found);
        }

        private boolean op(String o) {
            Token t = peek();
            if (t.kind == Kind.OP && t.text.equals(o) || t.kind == Kind.IDENT && o.equals("in") && t.text.equals("in")) {
                i++;
                return true;
            }
            return false;
        }

        private Token expect(String o) {
            Token t = peek();
            if (!op(o)) {
                throw error(t, "expected '" + o + "'");
            }
            return t;
        }

        private String span(int start, int end) {
            return src.substring(start, end).strip();
        }

        private int startOf() {
            return peek().start;
        }

        private int endOfPrevious() {
            return tokens.get(i - 1).end;
        }

        Node expr(int depth) {
            if (depth > MAX_DEPTH) {
                throw error(peek(), "nesting deeper than " + MAX_DEPTH);
            }
            int s = startOf();
            Node left = and(depth);
            while (op("||")) {
                Node right = and(depth);
                left = new Logic(span(s, endOfPrevious()), false, left, right);
            }
            return left;
        }

        private Node and(int depth) {
            int s = startOf();
            Node left = relation(depth);
            while (op("&&")) {
                Node right = relation(depth);
                left = new Logic(span(s, endOfPrevious()), true, left, right);
            }
            return left;
        }

        private Node relation(int depth) {
            int s = startOf();
            Node left = unary(depth);
            for (String o : List.of("==", "!=", "in")) {
                if (op(o)) {
                    Node right = unary(depth);
                    Node n = new Relation(span(s, endOfPrevious()), o, left, right);
                    Token t = peek();
                    if (t.kind == Kind.OP && (t.text.equals("==") || t.text.equals("!="))
                            || t.kind == Kind.IDENT && t.text.equals("in")) {
                        throw error(t, "relations do not chain: parenthesize");
                    }
                    return n;
                }
            }
            return left;
        }

        private Node unary(int depth) {
            int s = startOf();
            if (op("!")) {
                Node operand = unary(depth + 1);
                return new Not(span(s, endOfPrevious()), operand);
            }
            return member(depth);
        }

        private Node member(int depth) {
            int s = startOf();
            Node n = primary(depth);
            while (true) {
                if (op(".")) {
                    Token f = peek();
                    if (f.kind != Kind.IDENT) {
                        throw error(f, "expected a field name after '.'");
                    }
                    i++;
                    n = new Member(span(s, f.end), n, f.text, null);
                } else if (op("[")) {
                    Node key = expr(depth + 1);
                    expect("]");
                    n = new Member(span(s, endOfPrevious()), n, null, key);
                } else {
                    return n;
                }
            }
        }

        private Node primary(int depth) {
            Token t = peek();
            switch (t.kind) {
                case STRING, INT -> {
                    i++;
                    return new Lit(t.text, t.value);
                }
                case IDENT -> {
                    i++;
                    return switch (t.text) {
                        case "true" -> new Lit(t.text, true);
                        case "false" -> new Lit(t.text, false);
                        case "null" -> new Lit(t.text, null);
                        case "in" -> throw error(t, "expected a value");
                        default -> new Ident(t.text);
                    };
                }
                case OP -> {
                    if (op("(")) {
                        Node n = expr(depth + 1);
                        expect(")");
                        return n;
                    }
                    if (op("[")) {
                        int s = t.start;
                        List<Node> items = new ArrayList<>();
                        if (!op("]")) {
                            do {
                                items.add(expr(depth + 1));
                            } while (op(","));
                            expect("]");
                        }
                        return new ListLit(span(s, endOfPrevious()), items);
                    }
                    throw error(t, "expected a value");
                }
                default -> throw error(t, "expected a value");
            }
        }

        private void lex() {
            int p = 0;
            int n = src.length();
            while (p < n) {
                char c = src.charAt(p);
                if (Character.isWhitespace(c)) {
                    p++;
                } else if (Character.isLetter(c) || c == '_') {
                    int s = p;
                    while (p < n && (Character.isLetterOrDigit(src.charAt(p)) || src.charAt(p) == '_')) {
                        p++;
                    }
                    tokens.add(new Token(Kind.IDENT, src.substring(s, p), null, s, p));
                } else if (Character.isDigit(c) || c == '-' && p + 1 < n && Character.isDigit(src.charAt(p + 1))) {
                    int s = p;
                    p++;
                    while (p < n && Character.isDigit(src.charAt(p))) {
                        p++;
                    }
                    String digits = src.substring(s, p);
                    long v;
                    try {
                        v = Long.parseLong(digits);
                    } catch (NumberFormatException e) {
                        throw new SyntaxError("condition: at position " + (s + 1) + ": the int " + digits
                                + " does not fit in 64 bits");
                    }
                    tokens.add(new Token(Kind.INT, digits, v, s, p));
                } else if (c == '\'' || c == '"') {
                    int s = p++;
                    StringBuilder sb = new StringBuilder();
                    while (true) {
                        if (p >= n) {
                            throw new SyntaxError("condition: at position " + (s + 1)
                                    + ": the string is not closed with " + c);
                        }
                        char d = src.charAt(p++);
                        if (d == c) {
                            break;
                        }
                        if (d == '\\') {
                            if (p >= n) {
                                throw new SyntaxError("condition: at position " + p + ": '\\' ends the condition");
                            }
                            char e = src.charAt(p++);
                            switch (e) {
                                case '\\', '\'', '"' -> sb.append(e);
                                case 'n' -> sb.append('\n');
                                case 't' -> sb.append('\t');
                                default -> throw new SyntaxError("condition: at position " + (p - 1)
                                        + ": unknown escape '\\" + e + "' (use \\\\ \\' \\\" \\n \\t)");
                            }
                        } else {
                            sb.append(d);
                        }
                    }
                    tokens.add(new Token(Kind.STRING, src.substring(s, p), sb.toString(), s, p));
                } else {
                    String two = p + 1 < n ? src.substring(p, p + 2) : "";
                    if (two.equals("==") || two.equals("!=") || two.equals("&&") || two.equals("||")) {
                        tokens.add(new Token(Kind.OP, two, null, p, p + 2));
                        p += 2;
                    } else if ("!().[],".indexOf(c) >= 0) {
                        tokens.add(new Token(Kind.OP, String.valueOf(c), null, p, p + 1));
                        p++;
                    } else if (c == '=' || c == '&' || c == '|') {
                        throw new SyntaxError("condition: at position " + (p + 1) + ": '" + c + "' alone is not an "
                                + "operator (did you mean '" + c + c + "'" + (c == '=' ? "" : "") + "?)");
                    } else {
                        throw new SyntaxError("condition: at position " + (p + 1) + ": unexpected character '" + c
                                + "' (this subset of CEL has == != && || ! in . [] and string, int and bool "
                                + "literals)");
                    }
                }
            }
            tokens.add(new Token(Kind.END, "", null, n, n));
        }
    }
}
