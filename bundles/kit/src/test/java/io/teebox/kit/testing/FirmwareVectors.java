package io.teebox.kit.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The firmware vectors copied into src/test/resources/vectors/firmware (see the README there). */
public final class FirmwareVectors {

    /** One case of expected.json. */
    public record Case(String name, String tool, List<String> args, String expected) {
        /** The value after an option, or null. */
        public String option(String name) {
            int i = args.indexOf(name);
            return i < 0 ? null : args.get(i + 1);
        }
    }

    private FirmwareVectors() {
    }

    public static byte[] read(String file) {
        try (InputStream in = FirmwareVectors.class.getResourceAsStream("/vectors/firmware/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource vectors/firmware/" + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] ovmf() {
        return read("synthetic-ovmf.fd");
    }

    public static JsonObject json() {
        return JsonParser.parseString(new String(read("expected.json"), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    public static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (JsonElement e : json().getAsJsonArray("cases")) {
            JsonObject o = e.getAsJsonObject();
            List<String> args = new ArrayList<>();
            JsonArray a = o.getAsJsonArray("args");
            a.forEach(x -> args.add(x.getAsString()));
            out.add(new Case(o.get("name").getAsString(), o.get("tool").getAsString(), List.copyOf(args),
                    o.get("expected").getAsString()));
        }
        return out;
    }

    public static Case named(String name) {
        return cases().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no case " + name));
    }
}
