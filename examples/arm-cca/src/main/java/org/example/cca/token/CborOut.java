package org.example.cca.token;

import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Deterministic writer over Jackson's {@link CBORGenerator}: definite lengths, shortest integer and length
 * headers, map entries in the order the caller writes them (the order TF-RMM / TF-M emit).
 */
final class CborOut implements AutoCloseable {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CBORGenerator g;

    CborOut() {
        try {
            g = (CBORGenerator) CborIn.FACTORY.createGenerator(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CborOut tag(int tag) {
        try {
            g.writeTag(tag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CborOut map(int size) {
        try {
            g.writeStartObject(null, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CborOut endMap() {
        try {
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CborOut array(int size) {
        try {
            g.writeStartArray(null, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CborOut endArray() {
        try {
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CborOut key(long key) {
        try {
            g.writeFieldId(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CborOut bstr(byte[] b) {
        try {
            g.writeBinary(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CborOut tstr(String s) {
        try {
            g.writeString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CborOut integer(long v) {
        try {
            g.writeNumber(v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Writes a generic value as produced by {@link CborIn#value}. */
    CborOut value(Object v) {
        try {
            if (v instanceof Long) {
                g.writeNumber((Long) v);
            } else if (v instanceof byte[]) {
                g.writeBinary((byte[]) v);
            } else if (v instanceof String) {
                g.writeString((String) v);
            } else if (v instanceof Boolean) {
                g.writeBoolean((Boolean) v);
            } else if (v == CborIn.NULL || v == null) {
                g.writeNull();
            } else if (v instanceof List) {
                List<?> l = (List<?>) v;
                g.writeStartArray(null, l.size());
                for (Object e : l) {
                    value(e);
                }
                g.writeEndArray();
            } else if (v instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) v;
                g.writeStartObject(null, m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (e.getKey() instanceof Long) {
                        g.writeFieldId((Long) e.getKey());
                    } else {
                        g.writeFieldName(String.valueOf(e.getKey()));
                    }
                    value(e.getValue());
                }
                g.writeEndObject();
            } else {
                throw new IllegalArgumentException("unsupported value type " + v.getClass().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    byte[] toBytes() {
        try {
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        try {
            g.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
