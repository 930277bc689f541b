package io.teebox.intel.tdx.verify.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.teebox.kit.hex.Hex;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * DCAP collateral for a TDX quote: the PCK CRL and its issuer chain, the root CA CRL, TCB info and the QE identity,
 * each JSON document exactly as signed, with its r||s signature and issuer chain. Read from the JSON form of
 * {@link io.teebox.intel.tdx.Tdx#ATTACHMENT_COLLATERAL} (DCAP-QVL's field names; CRLs and signatures as hex strings
 * or arrays of byte values) or fetched from a PCS.
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
     * Fetches collateral from a PCS at the v4 paths.
     *
     * @param base the PCS base URL
     * @param fmspc the FMSPC, hex
     * @return the collateral
     * @throws IllegalArgumentException if a request fails or a response lacks its issuer chain
     */
    static Collateral fetch(URI base, String fmspc) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<byte[]> pckCrl = get(http, base, "/sgx/certification/v4/pckcrl?ca=platform&encoding=der");
        HttpResponse<byte[]> tcb = get(http, base, "/tdx/certification/v4/tcb?fmspc=" + fmspc);
        HttpResponse<byte[]> qe = get(http, base, "/tdx/certification/v4/qe/identity");
        HttpResponse<byte[]> root = get(http, base, "/sgx/certification/v4/rootcacrl");
        String tcbText = new String(tcb.body(), StandardCharsets.UTF_8);
        String qeText = new String(qe.body(), StandardCharsets.UTF_8);
        JsonObject tcbJson = Json.parseObject(tcbText, "the PCS TCB info response of " + tcb.uri());
        JsonObject qeJson = Json.parseObject(qeText, "the PCS QE identity response of " + qe.uri());
        String tcbInfo = rawMember(tcbText, "tcbInfo");
        String qeIdentity = rawMember(qeText, "enclaveIdentity");
        byte[] rootCrl;
        try {
            rootCrl = Hex.decode(new String(root.body(), StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PCS root CA CRL of " + root.uri() + " is not hex: "
                    + e.getMessage(), e);
        }
        return new Collateral(header(pckCrl, "SGX-PCK-CRL-Issuer-Chain"), rootCrl, pckCrl.body(),
                header(tcb, "TCB-Info-Issuer-Chain"), tcbInfo, signature(tcbJson, "the PCS TCB info response"),
                header(qe, "SGX-Enclave-Identity-Issuer-Chain"), qeIdentity,
                signature(qeJson, "the PCS QE identity response"));
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

    private static HttpResponse<byte[]> get(HttpClient http, URI base, String path) {
        URI uri = URI.create(base.toString().replaceAll("/$", "") + path);
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalArgumentException("PCS " + uri + " answered HTTP " + r.statusCode());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot reach the PCS at " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("interrupted while fetching " + uri, e);
        }
    }

    private static String header(HttpResponse<?> r, String name) {
        String v = r.headers().firstValue(name).orElseThrow(() -> new IllegalArgumentException("PCS response of "
                + r.uri() + " has no " + name + " header"));
        return URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
