package io.teebox.nvidia.abi;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;

/**
 * NVIDIA's JSON carrier of one GPU's evidence, as the attestation SDK's evidence list holds it: {@code {"arch":
 * "HOPPER", "nonce": hex, "evidence": base64(report), "certificate": base64(PEM chain)}}. The SDK's local collector
 * writes {@code evidence}, {@code certificate} and {@code arch}; {@code nonce} is optional here (absent when null).
 *
 * @param arch the GPU architecture, {@code HOPPER}
 * @param nonce the verifier's 32-byte nonce, or null
 * @param evidence the attestation report bytes
 * @param certificatePem the device certificate chain, PEM, leaf first
 */
public record GpuEvidenceJson(String arch, byte[] nonce, byte[] evidence, String certificatePem) {

    /** The architecture name of Hopper. */
    public static final String HOPPER = "HOPPER";
    private static final String STRUCT = "GpuEvidenceJson";
    private static final Gson GSON = new Gson();

    /** Checks the fields and copies the arrays. */
    public GpuEvidenceJson {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(certificatePem, "certificatePem");
        nonce = nonce == null ? null : nonce.clone();
        evidence = evidence.clone();
    }

    /** @return a copy of the nonce, or null */
    @Override
    public byte[] nonce() {
        return nonce == null ? null : nonce.clone();
    }

    /** @return a copy of the report bytes */
    @Override
    public byte[] evidence() {
        return evidence.clone();
    }

    /** @return the JSON object */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("arch", arch);
        if (nonce != null) {
            o.addProperty("nonce", Hex.encode(nonce));
        }
        o.addProperty("evidence", Base64.getEncoder().encodeToString(evidence));
        o.addProperty("certificate", Base64.getEncoder().encodeToString(certificatePem.getBytes(
                StandardCharsets.US_ASCII)));
        return GSON.toJson(o);
    }

    /**
     * @param json a JSON object in NVIDIA's carrier shape
     * @return the evidence it carries
     * @throws MalformedStructureException naming the field if it is not one
     */
    public static GpuEvidenceJson parse(String json) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new MalformedStructureException(STRUCT, null, "the GPU evidence JSON is not an object");
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new MalformedStructureException(STRUCT, null, "the GPU evidence is not JSON: " + e.getMessage());
        }
        String arch = string(o, "arch", true);
        String nonceHex = string(o, "nonce", false);
        byte[] nonce = null;
        if (nonceHex != null) {
            try {
                nonce = Hex.decode(nonceHex);
            } catch (IllegalArgumentException e) {
                throw new MalformedStructureException(STRUCT, "nonce", "field nonce is not hex: " + e.getMessage());
            }
        }
        byte[] evidence = base64(o, "evidence");
        byte[] cert = base64(o, "certificate");
        return new GpuEvidenceJson(arch, nonce, evidence, new String(cert, StandardCharsets.US_ASCII));
    }

    private static String string(JsonObject o, String name, boolean required) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new MalformedStructureException(STRUCT, name, "the GPU evidence JSON has no field " + name);
            }
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new MalformedStructureException(STRUCT, name, "field " + name + " is not a string");
        }
        return e.getAsString();
    }

    private static byte[] base64(JsonObject o, String name) {
        try {
            return Base64.getDecoder().decode(string(o, name, true));
        } catch (IllegalArgumentException e) {
            if (e instanceof MalformedStructureException m) {
                throw m;
            }
            throw new MalformedStructureException(STRUCT, name, "field " + name + " is not base64: "
                    + e.getMessage());
        }
    }
}
