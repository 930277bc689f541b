package io.teebox.attestation.shell.internal;

import io.teebox.kit.lang.Lazy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The attestation service as a client sees it: JSON over the platform's own HTTP endpoint. A refusal becomes one
 * line with the service's status, type and detail.
 */
final class ServiceClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    /** Made at the first request: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private final Lazy<HttpClient> http =
            Lazy.of(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());

    /** @param base the platform's base URL, for example {@code http://127.0.0.1:8440} */
    ServiceClient(String base) {
        this.base = base;
    }

    private HttpClient http() {
        return http.get();
    }

    /** @return the URL of the JWKS */
    String jwksUrl() {
        return base + "/.well-known/jwks.json";
    }

    /** @return {@code {nonce, expires}} */
    JsonObject challenge() {
        return object(send(request("/as/v1/challenge").POST(HttpRequest.BodyPublishers.noBody())));
    }

    /** @return {@code {policies, refused, directory}} */
    JsonObject policies() {
        return object(send(request("/as/v1/policies").GET()));
    }

    /** @return the JWKS text */
    String jwks() {
        return send(HttpRequest.newBuilder(URI.create(jwksUrl())).timeout(TIMEOUT).GET());
    }

    /**
     * @param body the attest request, JSON
     * @return the token
     */
    String attest(JsonObject body) {
        JsonObject o = object(send(request("/as/v1/attest").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))));
        if (!(o.get("token") instanceof com.google.gson.JsonPrimitive t) || !t.isString()) {
            throw new IllegalStateException("attestation service: the answer has no token: " + o);
        }
        return t.getAsString();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT);
    }

    private String send(HttpRequest.Builder b) {
        HttpRequest r = b.build();
        HttpResponse<String> rsp;
        try {
            rsp = http().send(r, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IllegalStateException("attestation service: nothing answers at " + base + " (is the "
                    + "attestation feature installed?)", e);
        } catch (IOException e) {
            throw new IllegalStateException("attestation service: " + r.method() + " " + r.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the attestation service", e);
        }
        if (rsp.statusCode() / 100 != 2) {
            throw new IllegalStateException(refusal(rsp.statusCode(), rsp.body()));
        }
        return rsp.body();
    }

    /** @return one line: the status, the problem's type (its last path segment) and detail */
    static String refusal(int status, String body) {
        try {
            JsonElement e = JsonParser.parseString(body);
            if (e instanceof JsonObject o && o.has("detail")) {
                String type = o.has("type") ? o.get("type").getAsString() : "";
                type = type.substring(type.lastIndexOf('/') + 1);
                return "attestation service refused (" + status + (type.isEmpty() ? "" : " " + type) + "): "
                        + o.get("detail").getAsString();
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            // not a problem document: show the start of the body
        }
        String b = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return "attestation service answered " + status + (b.isEmpty() ? "" : ": "
                + (b.length() > 200 ? b.substring(0, 200) + "..." : b));
    }

    private static JsonObject object(String body) {
        try {
            return JsonParser.parseString(body).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalStateException("attestation service: the answer is not a JSON object: " + body.strip());
        }
    }
}
