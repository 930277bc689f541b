package org.example.cca.token;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict CBOR model over Jackson's streaming codec: maps with integer keys (in insertion order), arrays,
 * byte and text strings, integers and one tag on the root. Placeholder (see package-info).
 */
final class Cbor {

    private static final CBORFactory FACTORY = CBORFactory.builder().build();

    /** A tagged value. */
    record Tagged(long tag, Object value) {
    }

    private Cbor() {
    }

    static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static void write(CBORGenerator g, Object v) throws IOException {
        if (v instanceof Tagged t) {
            g.writeTag((int) t.tag());
            write(g, t.value());
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject(m, m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldId((Long) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray(l, l.size());
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof byte[] b) {
            g.writeBinary(b);
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Long n) {
            g.writeNumber(n);
        } else if (v instanceof Integer n) {
            g.writeNumber(n.longValue());
        } else {
            throw new IllegalArgumentException("cannot encode " + v);
        }
    }

    /**
     * @param bytes one CBOR item, nothing after it
     * @param what what it is, for messages
     * @return the value: Map&lt;Long,Object&gt;, List, byte[], String, Long, or Tagged at the root
     */
    static Object decode(byte[] bytes, String what) {
        if (bytes == null || bytes.length == 0) {
            throw new CcaTokenException(what + ": empty");
        }
        try (CBORParser p = FACTORY.createParser(bytes)) {
            JsonToken t = p.nextToken();
            int tag = p.getCurrentTag();
            Object v = read(p, t, what, 0);
            if (p.nextToken() != null) {
                throw new CcaTokenException(what + ": bytes after the item");
            }
            return tag >= 0 ? new Tagged(tag, v) : v;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CcaTokenException c) {
                throw c;
            }
            throw new CcaTokenException(what + ": malformed CBOR (" + String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse("") + ")");
        }
    }

    private static Object read(CBORParser p, JsonToken t, String what, int depth) throws IOException {
        if (t == null) {
            throw new CcaTokenException(what + ": truncated");
        }
        if (depth > 8) {
            throw new CcaTokenException(what + ": nested too deep");
        }
        if (depth > 0 && p.getCurrentTag() >= 0) {
            throw new CcaTokenException(what + ": unexpected tag " + p.getCurrentTag());
        }
        switch (t) {
            case START_OBJECT -> {
                Map<Long, Object> m = new LinkedHashMap<>();
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    long key;
                    try {
                        key = Long.parseLong(p.currentName());
                    } catch (NumberFormatException e) {
                        throw new CcaTokenException(what + ": map key '" + p.currentName() + "' is not an integer");
                    }
                    if (m.containsKey(key)) {
                        throw new CcaTokenException(what + ": duplicate key " + key);
                    }
                    m.put(key, read(p, p.nextToken(), what, depth + 1));
                }
                if (t != JsonToken.END_OBJECT) {
                    throw new CcaTokenException(what + ": truncated map");
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    l.add(read(p, t, what, depth + 1));
                }
                return l;
            }
            case VALUE_EMBEDDED_OBJECT -> {
                return p.getBinaryValue();
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            default -> throw new CcaTokenException(what + ": unexpected " + t);
        }
    }
}
