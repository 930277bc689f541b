package io.teebox.attestation.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * JSON in the canonical form of RFC 8785 (JCS), which Trustee hashes into report data: no white space, object
 * members sorted by their names' UTF-16 code units, strings with only the escapes JCS requires. Numbers must be
 * integers of at most 2^53 in magnitude (printed without exponent or fraction, as JCS's ECMAScript form prints them);
 * other numbers are refused rather than printed in a form another implementation might not reproduce. The attestation
 * service hashes it to check a binding; a guest-side client hashes it to make one.
 */
public final class CanonicalJson {

    private static final BigDecimal MAX_SAFE = BigDecimal.valueOf(9007199254740992L);

    private CanonicalJson() {
    }

    /**
     * @param value a JSON value
     * @return its canonical text
     * @throws IllegalArgumentException for a number JCS form is not produced for here, naming it
     */
    public static String write(JsonElement value) {
        StringBuilder b = new StringBuilder();
        write(value, b);
        return b.toString();
    }

    private static void write(JsonElement v, StringBuilder b) {
        if (v == null || v.isJsonNull()) {
            b.append("null");
        } else if (v instanceof JsonObject o) {
            List<String> names = new ArrayList<>(o.keySet());
            names.sort(String::compareTo); // String.compareTo compares UTF-16 code units, as JCS sorts
            b.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                string(names.get(i), b);
                b.append(':');
                write(o.get(names.get(i)), b);
            }
            b.append('}');
        } else if (v instanceof JsonArray a) {
            b.append('[');
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(a.get(i), b);
            }
            b.append(']');
        } else {
            JsonPrimitive p = v.getAsJsonPrimitive();
            if (p.isBoolean()) {
                b.append(p.getAsBoolean());
            } else if (p.isNumber()) {
                b.append(number(p));
            } else {
                string(p.getAsString(), b);
            }
        }
    }

    private static String number(JsonPrimitive p) {
        BigDecimal d;
        try {
            d = new BigDecimal(p.getAsString());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number '" + p.getAsString() + "' is not a JSON number");
        }
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() > 0 || stripped.abs().compareTo(MAX_SAFE) > 0) {
            throw new IllegalArgumentException("number " + p.getAsString() + " is not an integer within +-2^53; "
                    + "put it in a string");
        }
        return stripped.toBigInteger().toString();
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /**
     * @param members string members
     * @return the canonical JSON of an object of them
     */
    public static String of(Map<String, String> members) {
        JsonObject o = new JsonObject();
        members.forEach(o::addProperty);
        return write(o);
    }
}
