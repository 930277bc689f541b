package io.teebox.attestation.service.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * What the evidence's report data must be for a request, by Trustee's rule: the hash (SHA-384 unless the request's
 * {@code runtime_data_hash_algorithm} says {@code sha256} or {@code sha512}) of the RFC 8785 canonical JSON of the
 * runtime data, truncated or zero-padded to the evidence's report-data field (SNP and TDX 64 bytes, SEV's MNONCE 16).
 * The runtime data bound is:
 * <ul>
 * <li>without {@code runtime_data}: the object {@code {"nonce": <nonce>}};</li>
 * <li>a JSON object (Trustee's {@code {nonce, tee-pubkey}}): as given; its {@code nonce} member, if any, must be the
 * request's nonce, and without one the request's {@code nonce} is not bound at all, so it is refused;</li>
 * <li>a base64 string (raw bytes R): UTF-8 of the nonce followed by R, hashed as is.</li>
 * </ul>
 */
final class Binding {

    /** NVIDIA's GPU evidence (io.teebox.nvidia.abi.AttestationReport.EVIDENCE_FORMAT, not imported: no dependency). */
    static final String GPU_FORMAT = "nvidia-gpu-spdm-measurements";

    /** The report-data field of each format, in bytes; others are taken to have 64. */
    private static final Map<String, Integer> FIELD = Map.of("sev-snp-report", 64, "tdx-quote-v4", 64,
            "sev-attestation", 16, GPU_FORMAT, 32);

    /**
     * @param reportData what the evidence must carry
     * @param algorithm the hash used, {@code sha384} for example
     * @param hashed the bytes hashed (the canonical JSON, or nonce and raw runtime data)
     * @param runtimeDataClaims the runtime data as JSON, for the token's annotated evidence, or null for raw bytes
     * @param digest the whole hash, before it is fitted to the field
     */
    record Bound(byte[] reportData, String algorithm, byte[] hashed, JsonElement runtimeDataClaims, byte[] digest) {

        /**
         * @param format the format of another part of composite evidence ({@code gpu0})
         * @return what that part must bind: the same hash fitted to its own field (a GPU's 32-byte SPDM nonce)
         */
        byte[] reportDataOf(String format) {
            return Arrays.copyOf(digest, field(format));
        }
    }

    private Binding() {
    }

    /** @return the report-data length of a format */
    static int field(String format) {
        return FIELD.getOrDefault(format, 64);
    }

    /**
     * @param format the evidence format
     * @param nonce the challenge nonce
     * @param runtimeData the request's {@code runtime_data}, or null
     * @param algorithm the request's {@code runtime_data_hash_algorithm}, or null for sha384
     * @return the binding
     * @throws Problem 400 for malformed runtime data or an unknown algorithm
     */
    static Bound of(String format, String nonce, JsonElement runtimeData, String algorithm) {
        String alg = algorithm == null ? "sha384" : algorithm.toLowerCase(Locale.ROOT);
        String jca = switch (alg) {
            case "sha256" -> "SHA-256";
            case "sha384" -> "SHA-384";
            case "sha512" -> "SHA-512";
            default -> throw Problem.malformed("runtime_data_hash_algorithm is '" + algorithm
                    + "'; accepted: sha256, sha384 (the default), sha512");
        };
        byte[] hashed;
        JsonElement claims;
        if (runtimeData == null || runtimeData.isJsonNull()) {
            JsonObject o = new JsonObject();
            o.addProperty("nonce", nonce);
            claims = o;
            hashed = io.teebox.attestation.api.CanonicalJson.write(o).getBytes(StandardCharsets.UTF_8);
        } else if (runtimeData instanceof JsonObject o) {
            JsonElement n = o.get("nonce");
            if (n == null) {
                throw Problem.malformed("runtime_data has no member 'nonce': it must carry the challenge nonce, "
                        + "as Trustee's runtime data {nonce, tee-pubkey} does");
            }
            if (!(n instanceof JsonPrimitive p && p.isString() && p.getAsString().equals(nonce))) {
                throw Problem.malformed("runtime_data.nonce is " + n + ", not the request's nonce");
            }
            try {
                hashed = io.teebox.attestation.api.CanonicalJson.write(o).getBytes(StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw Problem.malformed("runtime_data: " + e.getMessage());
            }
            claims = o;
        } else if (runtimeData instanceof JsonPrimitive p && p.isString()) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(p.getAsString());
            } catch (IllegalArgumentException e) {
                throw Problem.malformed("runtime_data is a string but not base64: " + e.getMessage());
            }
            byte[] n = nonce.getBytes(StandardCharsets.UTF_8);
            hashed = Arrays.copyOf(n, n.length + raw.length);
            System.arraycopy(raw, 0, hashed, n.length, raw.length);
            claims = null;
        } else {
            throw Problem.malformed("runtime_data is " + kind(runtimeData) + "; accepted: a JSON object or a base64 "
                    + "string");
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance(jca).digest(hashed);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " is missing from the JDK", e);
        }
        return new Bound(Arrays.copyOf(digest, field(format)), alg, hashed, claims, digest);
    }

    static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            return p.isNumber() ? "a number" : p.isBoolean() ? "a boolean" : "a string";
        }
        return e.isJsonObject() ? "an object" : "null";
    }
}
