package io.teebox.attestation.shell.internal;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/** EAR tokens taken apart for people: header and claims, whether the signature verifies, when they expire. */
final class Tokens {

    static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();

    private Tokens() {
    }

    /**
     * A decoded token.
     *
     * @param header the JOSE header
     * @param claims the claims
     * @param verified whether the signature verifies with the service's JWKS
     * @param signature how the signature was checked, in words
     * @param expires the {@code exp} claim, or null
     * @param expired whether {@code exp} has passed
     */
    record Decoded(Map<String, Object> header, Map<String, Object> claims, boolean verified, String signature,
            Instant expires, boolean expired) {

        @Override
        public String toString() {
            return "header:\n" + PRETTY.toJson(header) + "\nclaims:\n" + PRETTY.toJson(claims) + "\nsignature: "
                    + signature + "\nexp: " + (expires == null ? "none (the token never expires)"
                            : expires + (expired ? " (expired)" : " (valid)"));
        }
    }

    /**
     * What a token says about the evidence: the status, the trustworthiness vector and the reasons.
     *
     * @param format the evidence's format
     * @param nonce the nonce the evidence binds
     * @param policy the appraisal policy's id
     * @param status the token's status: {@code teebox.status} (the worst submod's), else the first submod's
     *            {@code ear.status}
     * @param trustworthiness the first submod's ({@code cpu0}) {@code ear.trustworthiness-vector}
     * @param reasons {@code teebox.reasons}, one line each; with several submods each names its submod
     * @param submods each submod's {@code ear.status}, in the token's order ({@code cpu0}, {@code gpu0}, ...)
     * @param expires the token's expiry
     * @param token the token
     */
    record Attested(String format, String nonce, String policy, String status, Map<String, Object> trustworthiness,
            List<String> reasons, Map<String, String> submods, Instant expires, String token) {

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append("ear.status: ").append(status).append(" (").append(format).append(", policy ").append(policy)
                    .append(")");
            if (submods.size() > 1) {
                b.append("\nsubmods:");
                submods.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
            }
            b.append("\ntrustworthiness:");
            if (trustworthiness.isEmpty()) {
                b.append(" (no claims)");
            }
            trustworthiness.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
            b.append("\nreasons:").append(reasons.isEmpty() ? " none" : "");
            reasons.forEach(r -> b.append("\n  ").append(r));
            b.append("\nnonce: ").append(nonce).append("\nexpires: ").append(expires).append("\ntoken: ")
                    .append(token);
            return b.toString();
        }
    }

    /**
     * @param token a JWS in compact serialization
     * @param jwks the service's JWKS text, or null if it could not be had
     * @param jwksSource where the JWKS came from (or why it is missing), for the message
     * @param now the time to judge {@code exp} by
     * @return the token decoded
     * @throws IllegalArgumentException naming what is wrong with the token
     */
    static Decoded decode(String token, String jwks, String jwksSource, Instant now) {
        String t = token.strip();
        String[] parts = t.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("token: not a JWS (header.payload.signature): it has " + parts.length
                    + " part" + (parts.length == 1 ? "" : "s"));
        }
        Map<String, Object> header = object("token header", parts[0]);
        Map<String, Object> claims = object("token payload", parts[1]);
        Instant exp = null;
        Object e = claims.get("exp");
        if (e != null) {
            if (!(e instanceof Long l)) {
                throw new IllegalArgumentException("token: exp is " + e + ", not a number of seconds");
            }
            exp = Instant.ofEpochSecond(l);
        }
        String signature;
        boolean verified = false;
        if (jwks == null) {
            signature = "not checked: " + jwksSource;
        } else {
            String[] r = verify(t, jwks);
            verified = r[0] != null;
            signature = verified ? "verifies with key " + r[0] + " of " + jwksSource : "DOES NOT VERIFY with "
                    + jwksSource + ": " + r[1];
        }
        return new Decoded(header, claims, verified, signature, exp, exp != null && !now.isBefore(exp));
    }

    /** @return {kid, null} if the token verifies, else {null, why not} */
    private static String[] verify(String token, String jwks) {
        JWSObject jws;
        try {
            jws = JWSObject.parse(token);
        } catch (ParseException x) {
            return new String[] {null, "the token does not parse as a JWS: " + x.getMessage()};
        }
        JWKSet set;
        try {
            set = JWKSet.parse(jwks);
        } catch (ParseException x) {
            return new String[] {null, "the JWKS does not parse: " + x.getMessage()};
        }
        if (!JWSAlgorithm.ES384.equals(jws.getHeader().getAlgorithm())) {
            return new String[] {null, "alg is " + jws.getHeader().getAlgorithm() + ", the service signs ES384"};
        }
        String kid = jws.getHeader().getKeyID();
        JWK key = kid == null ? null : set.getKeyByKeyId(kid);
        if (key == null) {
            return new String[] {null, "no key " + (kid == null ? "(the header has no kid)" : kid)
                    + " in it; it has " + set.getKeys().stream().map(JWK::getKeyID).toList()};
        }
        if (!(key instanceof ECKey ec)) {
            return new String[] {null, "key " + kid + " is not an EC key"};
        }
        try {
            return jws.verify(new ECDSAVerifier(ec)) ? new String[] {kid, null}
                    : new String[] {null, "the signature is not the key's over the header and payload"};
        } catch (JOSEException x) {
            return new String[] {null, x.getMessage()};
        }
    }

    /**
     * @param token an EAR token
     * @param format the evidence format, for the summary
     * @return what it says
     * @throws IllegalArgumentException if it is not an EAR token
     */
    static Attested attested(String token, String format) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("token: not a JWS (header.payload.signature)");
        }
        Map<String, Object> claims = object("token payload", parts[1]);
        if (!(claims.get("submods") instanceof Map<?, ?> submods) || submods.isEmpty()
                || !(submods.values().iterator().next() instanceof Map<?, ?> sub)) {
            throw new IllegalArgumentException("token: no submods, not an EAR token");
        }
        Map<String, Object> vector = new LinkedHashMap<>();
        if (sub.get("ear.trustworthiness-vector") instanceof Map<?, ?> v) {
            v.forEach((k, x) -> vector.put(String.valueOf(k), x));
        }
        List<String> reasons = new ArrayList<>();
        Map<String, String> statuses = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : submods.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("token: submod " + name + " is not an object");
            }
            statuses.put(name, String.valueOf(m.get("ear.status")));
            if (m.get("teebox.reasons") instanceof List<?> rs) {
                for (Object r : rs) {
                    if (r instanceof Map<?, ?> x) {
                        reasons.add((submods.size() > 1 ? name + ": " : "") + x.get("tier") + " " + x.get("claim")
                                + " (" + x.get("check") + "): " + x.get("reason"));
                    }
                }
            }
        }
        Instant exp = claims.get("exp") instanceof Long l ? Instant.ofEpochSecond(l) : null;
        String status = claims.get("teebox.status") instanceof String t ? t : String.valueOf(sub.get("ear.status"));
        return new Attested(format, String.valueOf(claims.get("eat_nonce")),
                String.valueOf(sub.get("ear.appraisal-policy-id")), status, vector, reasons, statuses, exp, token);
    }

    /** @return the JSON object of a base64url part, as a map */
    static Map<String, Object> object(String what, String part) {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(what + " is not base64url: " + x.getMessage());
        }
        JsonElement e;
        try {
            e = JsonParser.parseString(new String(b, StandardCharsets.UTF_8));
        } catch (JsonParseException x) {
            throw new IllegalArgumentException(what + " is not JSON: " + x.getMessage());
        }
        if (!(e instanceof JsonObject)) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
        return map(e);
    }

    /** @return a JSON element as maps, lists, strings, longs or doubles, in order */
    static Map<String, Object> map(JsonElement e) {
        return PRETTY.fromJson(e, new TypeToken<LinkedHashMap<String, Object>>() { }.getType());
    }
}
