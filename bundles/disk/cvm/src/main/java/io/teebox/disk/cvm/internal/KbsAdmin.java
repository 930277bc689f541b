package io.teebox.disk.cvm.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The disk owner's side of the key broker: its admin API over HTTP, authenticated as Trustee's is, with a JWT signed
 * EdDSA by the admin's Ed25519 key ({@code state/kbs/admin-key.pem}, the owner's file). The owner escrows the disk's
 * key as a resource, adds a resource-policy rule for it and registers the PCR values the disk's boot must show.
 */
final class KbsAdmin {

    private final HttpClient http;
    private final String base;
    private final PrivateKey adminKey;

    private KbsAdmin(HttpClient http, String baseUrl, PrivateKey adminKey) {
        this.http = http;
        this.base = baseUrl + "/kbs/v0";
        this.adminKey = adminKey;
    }

    /**
     * @param http the HTTP client
     * @param baseUrl the platform's HTTP server
     * @param keyFile the admin's Ed25519 private key (PKCS#8 PEM)
     * @return the client
     * @throws IllegalStateException naming the file when the key cannot be read
     */
    static KbsAdmin of(HttpClient http, String baseUrl, Path keyFile) {
        try {
            String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").trim());
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new KbsAdmin(http, baseUrl, key);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the key broker's admin key " + keyFile + " cannot be read (is the kbs "
                    + "feature installed?): " + e.getMessage(), e);
        }
    }

    /** @return a fresh admin token, valid for five minutes */
    private String token() {
        long now = Instant.now().getEpochSecond();
        String input = b64("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64(("{\"iat\":" + now + ",\"exp\":" + (now + 300) + "}").getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(adminKey);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the admin token: " + e.getMessage(), e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * Stores a secret under a resource path ({@code POST /resource/<path>}).
     *
     * @param path {@code repository/type/tag}
     * @param secret the secret
     */
    void putResource(String path, byte[] secret) {
        send("store " + path, HttpRequest.newBuilder(URI.create(base + "/resource/" + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(secret)));
    }

    /**
     * Puts a rule for one resource in front of the broker's resource policy, replacing an earlier rule for the same
     * resource.
     *
     * @param resource the resource path the rule is for
     * @param allow the rule's conditions
     */
    void ruleFor(String resource, JsonArray allow) {
        setRules(resource, allow);
    }

    /**
     * Takes the rule for one resource out of the broker's resource policy (a later request for it falls to the
     * rules after).
     *
     * @param resource the resource path
     */
    void dropRule(String resource) {
        setRules(resource, null);
    }

    private void setRules(String resource, JsonArray allow) {
        JsonObject current = JsonParser.parseString(send("read the resource policy", HttpRequest.newBuilder(
                URI.create(base + "/resource-policy")).GET())).getAsJsonObject();
        JsonObject policy = current.has("policy") && current.get("policy").isJsonPrimitive()
                ? JsonParser.parseString(new String(Base64.getDecoder().decode(current.get("policy").getAsString()),
                        StandardCharsets.UTF_8)).getAsJsonObject()
                : current;
        JsonArray rules = new JsonArray();
        if (allow != null) {
            JsonObject rule = new JsonObject();
            JsonArray resources = new JsonArray();
            resources.add(resource);
            rule.add("resources", resources);
            rule.add("allow", allow);
            rules.add(rule);
        }
        for (JsonElement r : policy.getAsJsonArray("rules")) {
            JsonArray rs = r.getAsJsonObject().getAsJsonArray("resources");
            if (!(rs.size() == 1 && rs.get(0).getAsString().equals(resource))) {
                rules.add(r);
            }
        }
        JsonObject next = new JsonObject();
        next.add("rules", rules);
        JsonObject body = new JsonObject();
        body.addProperty("policy", Base64.getEncoder().encodeToString(next.toString()
                .getBytes(StandardCharsets.UTF_8)));
        send("set the resource policy", HttpRequest.newBuilder(URI.create(base + "/resource-policy"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body
                        .toString())));
    }

    /**
     * Registers reference values in an attestation policy ({@code POST /reference-value}).
     *
     * @param policyId the attestation policy
     * @param format the evidence format
     * @param name the reference value's name
     * @param values the accepted values, hex
     */
    void referenceValue(String policyId, String format, String name, List<String> values) {
        JsonObject body = new JsonObject();
        body.addProperty("policy_id", policyId);
        body.addProperty("format", format);
        body.addProperty("name", name);
        JsonArray v = new JsonArray();
        values.forEach(v::add);
        body.add("values", v);
        send("register " + format + " " + name, HttpRequest.newBuilder(URI.create(base + "/reference-value"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body
                        .toString())));
    }

    private String send(String step, HttpRequest.Builder b) {
        HttpResponse<String> r;
        try {
            r = http.send(b.header("Authorization", "Bearer " + token()).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(step + ": the key broker at " + base + " cannot be reached: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(step + ": interrupted", e);
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException(step + " refused by the key broker (HTTP " + r.statusCode() + "): "
                    + r.body().trim());
        }
        return r.body();
    }
}
