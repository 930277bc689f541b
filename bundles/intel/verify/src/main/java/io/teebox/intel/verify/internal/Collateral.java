package io.teebox.intel.verify.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.teebox.kit.hex.Hex;

/**
 * DCAP collateral for a TDX quote: the PCK CRL and its issuer chain, the root CA CRL, TCB info and the QE identity,
 * each JSON document exactly as signed, with its r||s signature and issuer chain. Read from the JSON form of
 * {@link io.teebox.intel.tdx.Tdx#ATTACHMENT_COLLATERAL} (DCAP-QVL's field names; CRLs and signatures as hex strings
 * or arrays of byte values) or assembled from what a PCS serves.
 *
 * @param pckCrlIssuerChain PEM: Platform CA, root
 * @param rootCaCrl DER
 * @param pckCrl DER
 * @param tcbInfoIssuerChain PEM: TCB Signing, root
 * @param tcbInfo the signed tcbInfo JSON
 * @param tcbInfoSignature r||s, 64 bytes
 * @param qeIdentityIssuerChain PEM: TCB Signing, root
 * @param qeIdentity the signed enclaveIdentity JSON
 * @param qeIdentitySignature r||s, 64 bytes
 */
record Collateral(String pckCrlIssuerChain, byte[] rootCaCrl, byte[] pckCrl, String tcbInfoIssuerChain,
        String tcbInfo, byte[] tcbInfoSignature, String qeIdentityIssuerChain, String qeIdentity,
        byte[] qeIdentitySignature) {

    /**
     * @param json the collateral JSON
     * @return the collateral
     * @throws IllegalArgumentException naming the missing or malformed field
     */
    static Collateral parse(String json) {
        JsonObject o;
        try {
            o = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            // Gson's message ends with a troubleshooting link on a second line; the first line names the place
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                    .replace("com.google.gson.stream.MalformedJsonException: ", "")
                    .replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON ", "malformed JSON ");
            throw new IllegalArgumentException("collateral is not a JSON object: " + why, e);
        }
        return new Collateral(text(o, "pck_crl_issuer_chain"), bytes(o, "root_ca_crl"), bytes(o, "pck_crl"),
                text(o, "tcb_info_issuer_chain"), text(o, "tcb_info"), bytes(o, "tcb_info_signature"),
                text(o, "qe_identity_issuer_chain"), text(o, "qe_identity"), bytes(o, "qe_identity_signature"));
    }

    private static JsonElement field(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("collateral has no field '" + name + "'");
        }
        return e;
    }

    private static String text(JsonObject o, String name) {
        JsonElement e = field(o, name);
        if (!e.isJsonPrimitive()) {
            throw new IllegalArgumentException("collateral field '" + name + "' is not a string");
        }
        return e.getAsString();
    }

    private static byte[] bytes(JsonObject o, String name) {
        JsonElement e = field(o, name);
        try {
            if (e.isJsonArray()) {
                JsonArray a = e.getAsJsonArray();
                byte[] out = new byte[a.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (byte) Json.integer(a, i, name, 255);
                }
                return out;
            }
            return Hex.decode(e.getAsString());
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("collateral field '" + name + "' is neither hex nor an array of bytes: "
                    + ex.getMessage(), ex);
        }
    }

    /**
     * Collateral from the documents a PCS serves at the v4 paths (see {@link io.teebox.intel.tdx.abi.PcsRequest}).
     *
     * @param pckCrl the PCK CRL (DER)
     * @param pckCrlChain its issuer chain (PEM)
     * @param rootCrl the root CA CRL (DER)
     * @param tcbResponse the TCB info response ({@code {"tcbInfo":..,"signature":..}})
     * @param tcbChain its issuer chain
     * @param qeResponse the QE identity response ({@code {"enclaveIdentity":..,"signature":..}})
     * @param qeChain its issuer chain
     * @param where where the TCB info and QE identity came from, for messages
     * @return the collateral
     * @throws IllegalArgumentException if a response is not the expected JSON
     */
    static Collateral fromPcs(byte[] pckCrl, String pckCrlChain, byte[] rootCrl, String tcbResponse, String tcbChain,
            String qeResponse, String qeChain, String where) {
        JsonObject tcbJson = Json.parseObject(tcbResponse, "the PCS TCB info response of " + where);
        JsonObject qeJson = Json.parseObject(qeResponse, "the PCS QE identity response of " + where);
        String tcbInfo = rawMember(tcbResponse, "tcbInfo");
        String qeIdentity = rawMember(qeResponse, "enclaveIdentity");
        return new Collateral(pckCrlChain, rootCrl, pckCrl, tcbChain, tcbInfo, signature(tcbJson,
                "the PCS TCB info response"), qeChain, qeIdentity, signature(qeJson, "the PCS QE identity response"));
    }

    private static byte[] signature(JsonObject response, String what) {
        try {
            return Json.hex(response, "signature", what, 64);
        } catch (Json.FormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The exact text of a top-level object member: the signature covers these bytes, not a re-serialization. */
    static String rawMember(String json, String name) {
        String key = "\"" + name + "\":";
        int start = json.indexOf(key);
        if (start < 0) {
            throw new IllegalArgumentException("PCS response has no member '" + name + "'");
        }
        int i = start + key.length();
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        if (i == json.length() || json.charAt(i) != '{') {
            throw new IllegalArgumentException("PCS response member '" + name + "' is not an object");
        }
        int depth = 0;
        boolean inString = false;
        for (int j = i; j < json.length(); j++) {
            char c = json.charAt(j);
            if (inString) {
                if (c == '\\') {
                    j++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return json.substring(i, j + 1);
            }
        }
        throw new IllegalArgumentException("PCS response member '" + name + "' is not a complete object");
    }
}
