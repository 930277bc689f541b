package io.teebox.shell.internal;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

import io.teebox.kit.hex.Hex;

/**
 * Command results as JSON for scripts ({@code --json}): records by their components (through their accessors, so
 * what a caller of the API sees), byte arrays as hex, enums by name, and JDK values Gson cannot look into (instants,
 * paths, URIs, durations) as their {@code toString}.
 */
final class Json {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
            .registerTypeAdapterFactory(new Values()).create();

    private Json() {
    }

    /** @return the value as JSON text */
    static String text(Object value) {
        return GSON.toJson(value);
    }

    private static final class Values implements TypeAdapterFactory {

        @Override
        @SuppressWarnings("unchecked")
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> token) {
            Class<? super T> raw = token.getRawType();
            if (raw == byte[].class) {
                return (TypeAdapter<T>) new Writer<byte[]>((out, v) -> out.value(Hex.encode(v)));
            }
            if (Optional.class.isAssignableFrom(raw)) {
                return (TypeAdapter<T>) new Writer<Optional<?>>((out, v) -> {
                    if (v.isPresent()) {
                        gson.toJson(v.get(), v.get().getClass(), out);
                    } else {
                        out.nullValue();
                    }
                });
            }
            if (raw.isRecord()) {
                return (TypeAdapter<T>) new Writer<Object>((out, v) -> {
                    out.beginObject();
                    for (RecordComponent c : v.getClass().getRecordComponents()) {
                        Object part;
                        try {
                            c.getAccessor().setAccessible(true);
                            part = c.getAccessor().invoke(v);
                        } catch (ReflectiveOperationException | RuntimeException e) {
                            part = "(" + e.getClass().getSimpleName() + ")";
                        }
                        out.name(c.getName());
                        if (part == null) {
                            out.nullValue();
                        } else {
                            gson.toJson(part, part.getClass(), out);
                        }
                    }
                    out.endObject();
                });
            }
            if (raw.getName().startsWith("java.") && !raw.isPrimitive() && !raw.isArray() && !raw.isEnum()
                    && !Collection.class.isAssignableFrom(raw) && !Map.class.isAssignableFrom(raw)
                    && !Number.class.isAssignableFrom(raw) && raw != String.class && raw != Boolean.class
                    && raw != Character.class && raw != Object.class) {
                return (TypeAdapter<T>) new Writer<Object>((out, v) -> out.value(v.toString()));
            }
            return null;
        }
    }

    /** A write-only adapter (results are printed, never read back here). */
    private static final class Writer<T> extends TypeAdapter<T> {

        interface Write<T> {
            void write(JsonWriter out, T value) throws IOException;
        }

        private final Write<T> write;

        Writer(Write<T> write) {
            this.write = write;
        }

        @Override
        public void write(JsonWriter out, T value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else {
                write.write(out, value);
            }
        }

        @Override
        public T read(JsonReader in) {
            throw new UnsupportedOperationException("command results are written as JSON, not read");
        }
    }
}
