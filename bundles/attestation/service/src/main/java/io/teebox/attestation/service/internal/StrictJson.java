package io.teebox.attestation.service.internal;

import java.io.IOException;
import java.io.StringReader;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/** Strict JSON (RFC 8259: no comments, no unquoted names, nothing after the value), as Gson reads it. */
final class StrictJson {

    private static final TypeAdapter<JsonElement> ADAPTER = new Gson().getAdapter(JsonElement.class);

    private StrictJson() {
    }

    /**
     * @param text JSON text
     * @return its value
     * @throws IllegalArgumentException with Gson's one-line reason (line and column)
     */
    static JsonElement parse(String text) {
        try {
            JsonReader r = new JsonReader(new StringReader(text));
            r.setStrictness(Strictness.STRICT);
            JsonElement e = ADAPTER.read(r);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("not JSON: more after the value at " + r.getPath());
            }
            return e;
        } catch (IOException | JsonParseException | IllegalStateException e) {
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            throw new IllegalArgumentException("not JSON: " + (nl < 0 ? m : m.substring(0, nl)));
        }
    }
}
