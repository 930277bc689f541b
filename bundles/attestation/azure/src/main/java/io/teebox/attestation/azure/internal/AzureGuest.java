package io.teebox.attestation.azure.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.security.interfaces.RSAPublicKey;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.tee.Bytes;
import io.teebox.attestation.api.CanonicalJson;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.guest.GuestTpm;

/**
 * The CVM's side of Azure's flow, as the guest attestation library and a secure-key-release client run it: the RSA key
 * {@value KeyVault#TEE_KEY_ID} held in the CVM's vTPM (its decryption key: the private half never leaves the vTPM), a
 * challenge of the attestation service, runtime data {@code {keys: [that key], nonce}} whose SHA-256 the SNP report
 * carries in REPORT_DATA, the MAA request, the key release with the token, and the unwrap, whose RSA-OAEP step is
 * TPM2_RSA_Decrypt inside the vTPM. Every call crosses HTTP.
 */
final class AzureGuest {

    /** One HTTP exchange failed: the step, the status and the service's message. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(String step, int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final HttpClient http;
    private final String base;
    private final GuestContext guest;
    private final GuestTpm tpm;
    private final RSAKey key;

    AzureGuest(HttpClient http, String base, GuestContext guest, GuestTpm tpm) {
        this.http = http;
        this.base = base;
        this.guest = guest;
        this.tpm = tpm;
        this.key = new RSAKey.Builder((RSAPublicKey) TpmtPublic.fromBytes(tpm.encryptionKeyPublic()).publicKey())
                .keyID(KeyVault.TEE_KEY_ID).keyUse(KeyUse.ENCRYPTION).build();
    }

    /** @return the guest's public key */
    RSAKey publicKey() {
        return key;
    }

    /** @return a nonce from {@code POST /as/v1/challenge} */
    String challenge() {
        return json(send("challenge", HttpRequest.newBuilder(URI.create(base + "/as/v1/challenge")).POST(
                HttpRequest.BodyPublishers.noBody()))).get("nonce").getAsString();
    }

    /** @return the runtime data, RFC 8785 canonical: {@code {keys: [the public key, key_ops encrypt], nonce}} */
    byte[] runtimeData(String nonce) {
        JsonObject jwk = JsonParser.parseString(key.toPublicJWK().toJSONString()).getAsJsonObject();
        jwk.remove("use");
        JsonArray ops = new JsonArray();
        ops.add("encrypt");
        jwk.add("key_ops", ops);
        JsonArray keys = new JsonArray();
        keys.add(jwk);
        JsonObject rd = new JsonObject();
        rd.add("keys", keys);
        rd.addProperty("nonce", nonce);
        return CanonicalJson.write(rd).getBytes(StandardCharsets.UTF_8);
    }

    /** @return the TEE's evidence with REPORT_DATA = SHA-256(runtime data) followed by 32 zero bytes */
    Evidence evidence(byte[] runtimeData) {
        return guest.evidence(Bytes.of(Arrays.copyOf(Maa.sha256(runtimeData), 64)));
    }

    /** @return the MAA request body of the evidence and runtime data */
    static String maaRequest(Evidence e, byte[] runtimeData, String nonce) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        StringBuilder pem = new StringBuilder();
        for (byte[] c : e.certificates()) {
            pem.append("-----BEGIN CERTIFICATE-----\n").append(Base64.getMimeEncoder(64, new byte[] {'\n'})
                    .encodeToString(c)).append("\n-----END CERTIFICATE-----\n");
        }
        JsonObject report = new JsonObject();
        report.addProperty("SnpReport", b.encodeToString(e.report()));
        report.addProperty("VcekCertChain", b.encodeToString(pem.toString().getBytes(StandardCharsets.UTF_8)));
        JsonObject rd = new JsonObject();
        rd.addProperty("data", b.encodeToString(runtimeData));
        rd.addProperty("dataType", "JSON");
        JsonObject r = new JsonObject();
        r.addProperty("report", b.encodeToString(report.toString().getBytes(StandardCharsets.UTF_8)));
        r.add("runtimeData", rd);
        if (nonce != null) {
            r.addProperty("nonce", nonce);
        }
        return r.toString();
    }

    /** @return the MAA token */
    String attest(String maaRequest) {
        return json(send("attest", HttpRequest.newBuilder(URI.create(base + Maa.PREFIX
                + "/attest/SevSnpVm?api-version=2022-08-01")).header("Content-Type", "application/json").POST(
                        HttpRequest.BodyPublishers.ofString(maaRequest)))).get("token").getAsString();
    }

    /** @return the release's JWS */
    String release(String name, String version, String token, String enc) {
        JsonObject r = new JsonObject();
        r.addProperty("target", token);
        r.addProperty("enc", enc);
        return json(send("release", HttpRequest.newBuilder(URI.create(base + KeyVault.PREFIX + "/keys/" + name + "/"
                + version + "/release?api-version=7.3")).header("Content-Type", "application/json").POST(
                        HttpRequest.BodyPublishers.ofString(r.toString())))).get("value").getAsString();
    }

    /** What the guest found in the release. */
    record Unwrapped(byte[] key, String kid, String enc) {
    }

    /**
     * Opens the release inside the guest: the JWS's signature with the vault's key in its header, then
     * {@code response.key.key.key_hsm}'s ciphertext with the guest's private key.
     */
    @SuppressWarnings("unchecked")
    Unwrapped unwrap(String jws) {
        try {
            SignedJWT jwt = SignedJWT.parse(jws);
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !(jwt.getHeader().getJWK()
                    instanceof RSAKey vault) || !jwt.verify(new RSASSAVerifier(vault))) {
                throw new IllegalStateException("the release is not a JWS the vault's key signed");
            }
            Map<String, Object> p = jwt.getJWTClaimsSet().toJSONObject();
            Map<String, Object> k = (Map<String, Object>) ReleasePolicy.lookup(p, "response.key.key");
            String hsmText = new String(Base64.getUrlDecoder().decode((String) k.get("key_hsm")),
                    StandardCharsets.UTF_8);
            JsonObject hsm = JsonParser.parseString(hsmText).getAsJsonObject();
            JsonObject h = hsm.getAsJsonObject("header");
            String enc = h.get("enc").getAsString();
            byte[] ct = Base64.getUrlDecoder().decode(hsm.get("ciphertext").getAsString());
            return new Unwrapped(RsaAesKeyWrap.unwrap(RsaAesKeyWrap.Variant.of(enc), tpm::decrypt,
                    (key.getModulus().decodeToBigInteger().bitLength() + 7) / 8, ct), h.get("kid").getAsString(), enc);
        } catch (ParseException | JOSEException | ClassCastException | NullPointerException e) {
            throw new IllegalStateException("the release does not open: " + e, e);
        }
    }

    private HttpResponse<String> send(String step, HttpRequest.Builder b) {
        HttpResponse<String> r;
        try {
            r = http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(step + ": " + base + " cannot be reached: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(step + ": interrupted", e);
        }
        if (r.statusCode() != 200) {
            String message = r.body().trim();
            try {
                JsonObject o = JsonParser.parseString(message).getAsJsonObject();
                if (o.get("error") instanceof JsonObject err) {
                    message = err.get("code").getAsString() + ": " + err.get("message").getAsString();
                } else if (o.has("detail")) {
                    message = o.get("detail").getAsString();
                }
            } catch (RuntimeException ignored) {
                // not a JSON error body: keep it as it came
            }
            throw new Refused(step, r.statusCode(), message);
        }
        return r;
    }

    private static JsonObject json(HttpResponse<String> r) {
        try {
            return JsonParser.parseString(r.body()).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the answer is not a JSON object: " + r.body());
        }
    }
}
