package org.example.cca.token;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A thin strictness layer over Jackson's streaming {@link CBORParser}: typed reads that name the field on error,
 * definite lengths only, integer map keys only where the token format wants them, no trailing bytes.
 * Every failure (including any exception Jackson throws) becomes a one-line {@link CcaTokenException}.
 */
final class CborIn implements AutoCloseable {
    static final CBORFactory FACTORY = new CBORFactory();

    /** Marker for CBOR null in generic values (maps cannot hold Java null values meaningfully). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private final byte[] data;
    private final String what;
    private final CBORParser p;

    CborIn(byte[] data, String what) {
        this.data = data;
        this.what = what;
        try {
            this.p = (CBORParser) FACTORY.createParser(data);
        } catch (IOException | RuntimeException e) {
            throw new CcaTokenException(what + ": cannot open CBOR parser: " + oneLine(e));
        }
    }

    CcaTokenException err(String field, String problem) {
        return new CcaTokenException(what + " " + field + ": " + problem);
    }

    /** Next token; null at the end of input. */
    JsonToken nextOrNull(String field) {
        if (pushBack) {
            pushBack = false;
            return p.currentToken();
        }
        try {
            return p.nextToken();
        } catch (IOException | RuntimeException e) {
            throw err(field, "malformed CBOR: " + oneLine(e));
        }
    }

    JsonToken next(String field) {
        JsonToken t = nextOrNull(field);
        if (t == null) {
            throw err(field, "truncated: input ends before the value");
        }
        return t;
    }

    /** The tag on the current token, or -1. */
    int tag() {
        return p.getCurrentTag();
    }

    /** Initial byte of the current item, after any tags. */
    private int initialByte(String field) {
        long off = p.currentTokenLocation().getByteOffset();
        if (off < 0 || off >= data.length) {
            throw err(field, "cannot locate item in input");
        }
        int i = (int) off;
        while (i < data.length && (data[i] & 0xff) >> 5 == 6) { // skip tag headers
            int ai = data[i] & 0x1f;
            i += 1 + (ai < 24 ? 0 : ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : 8);
        }
        if (i >= data.length) {
            throw err(field, "truncated item header");
        }
        return data[i] & 0xff;
    }

    private void definite(String field) {
        if ((initialByte(field) & 0x1f) == 31) {
            throw err(field, "indefinite-length encoding is not allowed");
        }
    }

    private void noTag(String field) {
        if (tag() != -1) {
            throw err(field, "unexpected CBOR tag " + tag());
        }
    }

    private static String kind(JsonToken t) {
        switch (t) {
            case START_OBJECT: return "map";
            case START_ARRAY: return "array";
            case VALUE_EMBEDDED_OBJECT: return "byte string";
            case VALUE_STRING: return "text string";
            case VALUE_NUMBER_INT: return "integer";
            case VALUE_NUMBER_FLOAT: return "float";
            case VALUE_TRUE: case VALUE_FALSE: return "boolean";
            case VALUE_NULL: return "null";
            case END_ARRAY: return "end of array";
            case END_OBJECT: return "end of map";
            default: return t.toString();
        }
    }

    private JsonToken expect(String field, JsonToken want) {
        JsonToken t = next(field);
        if (t != want) {
            throw err(field, "expected " + kind(want) + ", got " + kind(t));
        }
        return t;
    }

    byte[] bstr(String field) {
        expect(field, JsonToken.VALUE_EMBEDDED_OBJECT);
        noTag(field);
        definite(field);
        try {
            return p.getBinaryValue();
        } catch (IOException | RuntimeException e) {
            throw err(field, "malformed byte string: " + oneLine(e));
        }
    }

    byte[] bstr(String field, int... lengths) {
        byte[] b = bstr(field);
        for (int l : lengths) {
            if (b.length == l) {
                return b;
            }
        }
        throw err(field, "expected " + describe(lengths) + " bytes, got " + b.length);
    }

    private static String describe(int[] lengths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lengths.length; i++) {
            sb.append(i == 0 ? "" : i == lengths.length - 1 ? " or " : ", ").append(lengths[i]);
        }
        return sb.toString();
    }

    String tstr(String field) {
        expect(field, JsonToken.VALUE_STRING);
        noTag(field);
        definite(field);
        try {
            return p.getText();
        } catch (IOException | RuntimeException e) {
            throw err(field, "malformed text string: " + oneLine(e));
        }
    }

    long integer(String field) {
        expect(field, JsonToken.VALUE_NUMBER_INT);
        noTag(field);
        try {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw err(field, "integer out of range");
            }
            return p.getLongValue();
        } catch (IOException | RuntimeException e) {
            if (e instanceof CcaTokenException) {
                throw (CcaTokenException) e;
            }
            throw err(field, "malformed integer: " + oneLine(e));
        }
    }

    long uint(String field, long max) {
        long v = integer(field);
        if (v < 0 || v > max) {
            throw err(field, "expected an unsigned integer up to " + max + ", got " + v);
        }
        return v;
    }

    /** Reads the start of a definite-length map; call {@link #key} until it returns null. */
    void startMap(String field) {
        expect(field, JsonToken.START_OBJECT);
        noTag(field);
        definite(field);
    }

    /** Reads the start of a tagged definite-length map. */
    void startTaggedMap(String field, int wantTag) {
        expect(field, JsonToken.START_OBJECT);
        if (tag() != wantTag) {
            throw err(field, "expected CBOR tag " + wantTag + ", got " + (tag() == -1 ? "no tag" : "tag " + tag()));
        }
        definite(field);
    }

    void startTaggedArray(String field, int wantTag) {
        expect(field, JsonToken.START_ARRAY);
        if (tag() != wantTag) {
            throw err(field, "expected CBOR tag " + wantTag + ", got " + (tag() == -1 ? "no tag" : "tag " + tag()));
        }
        definite(field);
    }

    void startArray(String field) {
        expect(field, JsonToken.START_ARRAY);
        noTag(field);
        definite(field);
    }

    /** True if the next token starts another array element; false at the end of the array. */
    boolean hasNextElement(String field) {
        JsonToken t = next(field);
        if (t == JsonToken.END_ARRAY) {
            return false;
        }
        pushBack = true;
        return true;
    }

    private boolean pushBack;

    void endArray(String field) {
        JsonToken t = next(field);
        if (t != JsonToken.END_ARRAY) {
            throw err(field, "too many array elements");
        }
    }

    /** Next integer map key, or null at the end of the map. */
    Long key(String field) {
        JsonToken t = next(field);
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        if (t != JsonToken.FIELD_NAME) {
            throw err(field, "expected a map key, got " + kind(t));
        }
        int major = initialByte(field) >> 5;
        if (major != 0 && major != 1) {
            throw err(field, "expected an integer map key, got major type " + major);
        }
        try {
            return Long.parseLong(p.currentName());
        } catch (IOException | RuntimeException e) {
            throw err(field, "malformed map key: " + oneLine(e));
        }
    }

    /** Skips the value after a map key (any structure). */
    void skipValue(String field) {
        next(field);
        try {
            p.skipChildren();
        } catch (IOException | RuntimeException e) {
            throw err(field, "malformed CBOR: " + oneLine(e));
        }
    }

    /** A generic value: Long, byte[], String, Boolean, NULL, List, or LinkedHashMap (keys Long or String). */
    Object value(String field) {
        return valueOf(next(field), field, 0);
    }

    private Object valueOf(JsonToken t, String field, int depth) {
        if (depth > 16) {
            throw err(field, "nested too deeply");
        }
        if (tag() != -1) {
            throw err(field, "tagged values are not supported here (tag " + tag() + ")");
        }
        try {
            switch (t) {
                case VALUE_NUMBER_INT:
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw err(field, "integer out of range");
                    }
                    return p.getLongValue();
                case VALUE_EMBEDDED_OBJECT:
                    definite(field);
                    return p.getBinaryValue();
                case VALUE_STRING:
                    definite(field);
                    return p.getText();
                case VALUE_TRUE:
                    return Boolean.TRUE;
                case VALUE_FALSE:
                    return Boolean.FALSE;
                case VALUE_NULL:
                    return NULL;
                case START_ARRAY: {
                    definite(field);
                    List<Object> list = new ArrayList<>();
                    for (JsonToken e = next(field); e != JsonToken.END_ARRAY; e = next(field)) {
                        list.add(valueOf(e, field, depth + 1));
                    }
                    return list;
                }
                case START_OBJECT: {
                    definite(field);
                    Map<Object, Object> map = new LinkedHashMap<>();
                    for (JsonToken k = next(field); k != JsonToken.END_OBJECT; k = next(field)) {
                        int major = initialByte(field) >> 5;
                        Object key = major == 3 ? p.currentName() : Long.valueOf(Long.parseLong(p.currentName()));
                        if (map.containsKey(key)) {
                            throw err(field, "duplicate map key " + key);
                        }
                        map.put(key, valueOf(next(field), field, depth + 1));
                    }
                    return map;
                }
                default:
                    throw err(field, "unsupported CBOR item: " + kind(t));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CcaTokenException) {
                throw (CcaTokenException) e;
            }
            throw err(field, "malformed CBOR: " + oneLine(e));
        }
    }

    /** Asserts the input has no bytes after the top-level item. */
    void end(String field) {
        JsonToken t = nextOrNull(field);
        if (t != null) {
            throw err(field, "trailing data after the item");
        }
    }

    @Override
    public void close() {
        try {
            p.close();
        } catch (IOException ignored) {
            // byte-array input: nothing to release
        }
    }

    static String oneLine(Throwable e) {
        String m = e instanceof JsonProcessingException
                ? ((JsonProcessingException) e).getOriginalMessage() : e.getMessage();
        if (m == null) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
