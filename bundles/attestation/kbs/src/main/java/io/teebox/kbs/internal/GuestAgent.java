package io.teebox.kbs.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.tee.Bytes;
import io.teebox.attestation.api.AttestationTokens;

/**
 * The guest's attestation agent, as Trustee's KBS client in a confidential guest: it makes an ephemeral P-384 key
 * pair for this exchange (its private half never leaves the agent), asks the broker for a challenge, binds the
 * nonce and the public key's JWK in its TEE's report data, sends the evidence, and unwraps the resource's JWE with
 * the private key. Everything goes over HTTP to the broker, as from a guest.
 */
final class GuestAgent {

    /** The KBS protocol version the agent speaks. */
    static final String VERSION = "0.1.1";

    /** What the agent got: the secret and the token the broker answered /attest with. */
    record Fetched(byte[] secret, String token) {
    }

    private final HttpClient http;
    private final String base;
    private final AttestationTokens binding;

    /**
     * @param http the HTTP client
     * @param baseUrl the broker's server, for example {@code http://127.0.0.1:8440}
     * @param binding the attestation service's binding rule, which the agent follows to compute its report data
     */
    GuestAgent(HttpClient http, String baseUrl, AttestationTokens binding) {
        this.http = http;
        this.base = baseUrl + KbsServlet.PREFIX;
        this.binding = binding;
    }

    /** The TEE name a guest of a teebox TEE type sends in /auth (Trustee's names). */
    static String tee(String teeType) {
        return switch (teeType) {
            case "sev-snp" -> "snp";
            case "tdx" -> "tdx";
            case "sev" -> "sev";
            default -> throw new IllegalArgumentException("the key broker takes no evidence of TEE type " + teeType);
        };
    }

    /**
     * Runs RCAR and fetches one resource.
     *
     * @param guest the guest's context (its TEE makes the evidence)
     * @param teeType the guest's TEE type, {@code sev-snp}, {@code tdx} or {@code sev}
     * @param path the resource
     * @return the unwrapped secret and the token
     * @throws IllegalStateException naming the step, the broker's status, problem and detail when it refuses
     */
    Fetched fetch(GuestContext guest, String teeType, ResourcePath path) {
        String tee = tee(teeType);
        ECKey key;
        try {
            key = new ECKeyGenerator(Curve.P_384).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("the guest cannot make its TEE key: " + e.getMessage(), e);
        }
        JsonObject request = new JsonObject();
        request.addProperty("version", VERSION);
        request.addProperty("tee", tee);
        request.add("extra-params", new JsonObject());
        HttpResponse<String> auth = send("auth", HttpRequest.newBuilder(URI.create(base + "/auth"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request
                        .toString())));
        String cookie = auth.headers().firstValue("Set-Cookie").map(c -> c.split(";", 2)[0]).orElseThrow(() ->
                new IllegalStateException("auth: the broker set no kbs-session-id cookie"));
        String nonce = json(auth).get("nonce").getAsString();

        JsonObject runtimeData = new JsonObject();
        runtimeData.addProperty("nonce", nonce);
        runtimeData.add("tee-pubkey", JsonParser.parseString(key.toPublicJWK().toJSONString()));
        String format = Broker.TEES.get(tee);
        Evidence e = guest.evidence(Bytes.of(binding.reportData(format, nonce, runtimeData.toString())));
        JsonObject evidence = new JsonObject();
        evidence.addProperty("format", e.format());
        evidence.addProperty("evidence", Base64.getEncoder().encodeToString(e.report()));
        JsonArray certs = new JsonArray();
        e.certificates().forEach(c -> certs.add(Base64.getEncoder().encodeToString(c)));
        evidence.add("certificates", certs);
        JsonObject attestation = new JsonObject();
        attestation.add("runtime-data", runtimeData);
        attestation.add("tee-evidence", evidence);
        HttpResponse<String> attest = send("attest", HttpRequest.newBuilder(URI.create(base + "/attest"))
                .header("Content-Type", "application/json").header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString(attestation.toString())));
        String token = json(attest).get("token").getAsString();

        HttpResponse<String> resource = send("resource " + path, HttpRequest.newBuilder(URI.create(base
                + "/resource/" + path)).header("Cookie", cookie).GET());
        return new Fetched(TeeKeys.unwrap(resource.body(), key), token);
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
                // not a problem body: show it as it came
            }
            throw new IllegalStateException(step + " refused (HTTP " + r.statusCode() + ") " + detail);
        }
        return r;
    }

    private static JsonObject json(HttpResponse<String> r) {
        try {
            JsonElement e = JsonParser.parseString(r.body());
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalStateException("the broker's answer is not a JSON object: " + r.body());
        }
    }
}
