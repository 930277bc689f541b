package io.teebox.intel.verify.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.teebox.kit.hex.Hex;
import java.math.BigInteger;

/**
 * Typed reads of signed collateral JSON (TCB info, QE identity). Each read names the member by its path, for example
 * {@code tcb_info.tcbLevels[1].tcb.pcesvn}, and says what it found, so collateral of the wrong shape is a failure
 * naming the field, never a ClassCastException or NullPointerException escaping the verifier.
 */
final class Json {

    /** A collateral document whose structure is not the one expected. */
    static final class FormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    private Json() {
    }

    /**
     * @param text JSON text
     * @param what the document's name
     * @return the top-level object
     * @throws FormatException if the text is not a JSON object
     */
    static JsonObject parseObject(String text, String what) {
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw new FormatException(what + " is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                    .replace("com.google.gson.stream.MalformedJsonException: ", "");
            throw new FormatException(what + " is not JSON: " + why);
        }
    }

    private static JsonElement member(JsonObject o, String name, String path) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new FormatException(path + "." + name + " is missing");
        }
        return e;
    }

    static JsonObject object(JsonObject o, String name, String path) {
        JsonElement e = member(o, name, path);
        if (!e.isJsonObject()) {
            throw new FormatException(path + "." + name + " is " + kind(e) + ", expected an object");
        }
        return e.getAsJsonObject();
    }

    /** @return the member, or null if it is absent */
    static JsonObject optionalObject(JsonObject o, String name, String path) {
        return o.has(name) && !o.get(name).isJsonNull() ? object(o, name, path) : null;
    }

    static JsonArray array(JsonObject o, String name, String path) {
        JsonElement e = member(o, name, path);
        if (!e.isJsonArray()) {
            throw new FormatException(path + "." + name + " is " + kind(e) + ", expected an array");
        }
        return e.getAsJsonArray();
    }

    /** @return the member, or null if it is absent */
    static JsonArray optionalArray(JsonObject o, String name, String path) {
        return o.has(name) && !o.get(name).isJsonNull() ? array(o, name, path) : null;
    }

    static JsonObject element(JsonArray a, int i, String path) {
        JsonElement e = a.get(i);
        if (!e.isJsonObject()) {
            throw new FormatException(path + "[" + i + "] is " + kind(e) + ", expected an object");
        }
        return e.getAsJsonObject();
    }

    static String text(JsonObject o, String name, String path) {
        JsonElement e = member(o, name, path);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new FormatException(path + "." + name + " is " + kind(e) + ", expected a string");
        }
        return e.getAsString();
    }

    /**
     * @return the member as an integer in 0..max
     * @throws FormatException if it is not an integer in that range
     */
    static int integer(JsonObject o, String name, String path, int max) {
        JsonElement e = member(o, name, path);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new FormatException(path + "." + name + " is " + kind(e) + ", expected an integer");
        }
        return bounded(e.getAsJsonPrimitive(), path + "." + name, max);
    }

    /**
     * @return the array's element as an integer in 0..max
     * @throws FormatException if it is not an integer in that range
     */
    static int integer(JsonArray a, int i, String path, int max) {
        JsonElement e = a.get(i);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new FormatException(path + "[" + i + "] is " + kind(e) + ", expected an integer");
        }
        return bounded(e.getAsJsonPrimitive(), path + "[" + i + "]", max);
    }

    /** A JSON number as an int in 0..max (Gson refuses exponents of 10,000 and more as NumberFormatException). */
    private static int bounded(JsonPrimitive p, String where, int max) {
        BigInteger v;
        try {
            v = p.getAsBigDecimal().toBigIntegerExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw new FormatException(where + " is " + p + ", expected an integer");
        }
        if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new FormatException(where + " is " + v + ", expected 0.." + max);
        }
        return v.intValue();
    }

    /**
     * @return the array's element as a string
     * @throws FormatException if it is not a string
     */
    static String text(JsonArray a, int i, String path) {
        JsonElement e = a.get(i);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new FormatException(path + "[" + i + "] is " + kind(e) + ", expected a string");
        }
        return e.getAsString();
    }

    /**
     * @return the member's hex string as bytes, exactly {@code length} of them
     * @throws FormatException if it is not a hex string of that length
     */
    static byte[] hex(JsonObject o, String name, String path, int length) {
        String s = text(o, name, path);
        byte[] b;
        try {
            b = Hex.decode(s);
        } catch (IllegalArgumentException e) {
            throw new FormatException(path + "." + name + " is not hex: " + e.getMessage());
        }
        if (b.length != length) {
            throw new FormatException(path + "." + name + " is " + b.length + " bytes, expected " + length);
        }
        return b;
    }

    private static String kind(JsonElement e) {
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            return p.isString() ? "the string " + p : p.isNumber() ? "the number " + p : "the boolean " + p;
        }
        return "null";
    }
}
