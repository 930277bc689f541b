package io.teebox.kbs.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * A guest's client of a key broker speaking Trustee's KBS protocol: {@code POST /auth} (a challenge and the
 * {@code kbs-session-id} cookie), {@code POST /attest} (the runtime data and the TEE's evidence binding it, answered
 * with a token) and {@code GET /resource/<path>} (the secret as a flattened JWE wrapped to the runtime data's
 * {@code tee-pubkey}). Which key that is, how the evidence binds it and how the JWE is opened are the attester's.
 */
public final class KbsClient {

    /** The KBS protocol version the client speaks. */
    public static final String VERSION = "0.1.1";
    /** Where the broker is served on the platform's HTTP server. */
    public static final String PREFIX = "/kbs/v0";

    /**
     * A session: the cookie and the nonce the broker challenged with.
     *
     * @param cookie the {@code kbs-session-id} cookie, as sent back
     * @param nonce the challenge's nonce
     */
    public record Session(String cookie, String nonce) {
    }

    private final HttpClient http;
    private final String base;

    /**
     * @param http the HTTP client
     * @param baseUrl the platform's HTTP server, for example {@code http://127.0.0.1:8440}
     */
    public KbsClient(HttpClient http, String baseUrl) {
        this.http = Objects.requireNonNull(http, "http");
        this.base = baseUrl + PREFIX;
    }

    /**
     * {@code POST /auth}.
     *
     * @param tee the TEE's name in Trustee's {@code Tee} enum ({@code snp}, {@code tdx}, {@code az-snp-vtpm}, ...)
     * @return the session
     * @throws IllegalStateException naming the step and the broker's problem when it refuses
     */
    public Session auth(String tee) {
        JsonObject request = new JsonObject();
        request.addProperty("version", VERSION);
        request.addProperty("tee", tee);
        request.add("extra-params", new JsonObject());
        HttpResponse<String> r = send("auth", HttpRequest.newBuilder(URI.create(base + "/auth"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request
                        .toString())));
        String cookie = r.headers().firstValue("Set-Cookie").map(c -> c.split(";", 2)[0]).orElseThrow(() ->
                new IllegalStateException("auth: the broker set no kbs-session-id cookie"));
        return new Session(cookie, member(json(r, "auth"), "nonce", "auth"));
    }

    /**
     * {@code POST /attest}.
     *
     * @param session the session
     * @param runtimeDataJson the runtime data {@code {nonce, tee-pubkey}}, JSON text as the evidence binds it
     * @param format the evidence format
     * @param evidence the evidence
     * @param certificates DER certificates the evidence needs, or none
     * @return the broker's token
     * @throws IllegalStateException naming the step and the broker's problem when it refuses
     */
    public String attest(Session session, String runtimeDataJson, String format, byte[] evidence,
            List<byte[]> certificates) {
        JsonElement runtimeData;
        try {
            runtimeData = JsonParser.parseString(runtimeDataJson);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("the runtime data is not JSON: " + e.getMessage());
        }
        JsonObject e = new JsonObject();
        e.addProperty("format", format);
        e.addProperty("evidence", Base64.getEncoder().encodeToString(evidence));
        JsonArray certs = new JsonArray();
        certificates.forEach(c -> certs.add(Base64.getEncoder().encodeToString(c)));
        e.add("certificates", certs);
        JsonObject attestation = new JsonObject();
        attestation.add("runtime-data", runtimeData);
        attestation.add("tee-evidence", e);
        HttpResponse<String> r = send("attest", HttpRequest.newBuilder(URI.create(base + "/attest"))
                .header("Content-Type", "application/json").header("Cookie", session.cookie())
                .POST(HttpRequest.BodyPublishers.ofString(attestation.toString())));
        return member(json(r, "attest"), "token", "attest");
    }

    /**
     * {@code GET /resource/<path>}.
     *
     * @param session the session, attested
     * @param path {@code repository/type/tag}
     * @return the flattened JWE
     * @throws IllegalStateException naming the step and the broker's problem when it refuses
     */
    public String resource(Session session, String path) {
        return send("resource " + path, HttpRequest.newBuilder(URI.create(base + "/resource/" + path))
                .header("Cookie", session.cookie()).GET()).body();
    }

    private HttpResponse<String> send(String step, HttpRequest.Builder b) {
        HttpResponse<String> r;
        try {
            r = http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(step + ": the broker at " + base + " cannot be reached: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(step + ": interrupted", e);
        }
        if (r.statusCode() != 200) {
            String detail = r.body().trim();
            try {
                JsonObject p = JsonParser.parseString(detail).getAsJsonObject();
                String type = p.get("type").getAsString();
                detail = type.substring(type.lastIndexOf('/') + 1) + ": " + p.get("detail").getAsString();
            } catch (RuntimeException ignored) {
                // not a problem body: shown as it came
            }
            throw new IllegalStateException(step + " refused (HTTP " + r.statusCode() + ") " + detail);
        }
        return r;
    }

    private static JsonObject json(HttpResponse<String> r, String step) {
        try {
            JsonElement e = JsonParser.parseString(r.body());
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalStateException(step + ": the broker's answer is not a JSON object: " + r.body());
        }
    }

    private static String member(JsonObject o, String name, String step) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalStateException(step + ": the broker's answer has no " + name + ": " + o);
        }
        return e.getAsString();
    }
}
