package io.teebox.kit.codec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.teebox.api.tee.Bytes;

/**
 * Claims a verifier decoded as text, typed the way the verifiers write them: byte fields as lower-case hex (to
 * {@link Bytes}), small numeric fields as decimal (to {@link Long}), {@code true}/{@code false} (to
 * {@link Boolean}); everything else, 64-bit words written as {@code 0x...} among it, stays text.
 */
public final class Claims {

    private static final Pattern BYTES = Pattern.compile("(?:[0-9a-f]{2}){8,}");
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,17}");

    private Claims() {
    }

    /**
     * @param text claims as text, in order
     * @return the same claims, typed
     */
    public static Map<String, Object> typed(Map<String, String> text) {
        Map<String, Object> out = new LinkedHashMap<>();
        text.forEach((k, v) -> out.put(k, type(v)));
        return out;
    }

    static Object type(String v) {
        if (v == null) {
            return "";
        }
        if (BYTES.matcher(v).matches()) {
            return Bytes.fromHex(v);
        }
        if (DECIMAL.matcher(v).matches()) {
            return Long.parseLong(v);
        }
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        return v;
    }
}
