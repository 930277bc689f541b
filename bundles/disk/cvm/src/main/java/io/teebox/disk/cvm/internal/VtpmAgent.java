package io.teebox.disk.cvm.internal;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.teebox.attestation.api.AttestationTokens;
import io.teebox.kbs.client.KbsClient;
import io.teebox.tpm.guest.GuestTpm;

/**
 * The initramfs's key-broker client in a CVM with a vTPM, as Azure's secure key release has it: the TEE key is the
 * vTPM's decryption key, whose private half never leaves the vTPM; the evidence is the vTPM's (the paravisor's HCL
 * report binding the AK, and a TPM quote whose qualifying data binds the broker's nonce and that key); the released
 * secret arrives as a JWE whose content key is wrapped RSA-OAEP-256 to the vTPM key, so only TPM2_RSA_Decrypt inside
 * this CVM's vTPM opens it. Trustee's RCAR over HTTP: {@code /auth}, {@code /attest}, {@code /resource}.
 */
final class VtpmAgent {

    /** What the broker answered. */
    record Released(byte[] secret, String token, String format) {
    }

    private final KbsClient client;
    private final AttestationTokens binding;

    VtpmAgent(HttpClient http, String baseUrl, AttestationTokens binding) {
        this.client = new KbsClient(http, baseUrl);
        this.binding = binding;
    }

    /**
     * @param tpm the guest's vTPM
     * @param teeType the guest's TEE type
     * @param pcrs the PCRs to quote
     * @param path the resource
     * @return the secret and the token
     * @throws IllegalStateException naming the step and the broker's answer when it refuses
     */
    Released fetch(GuestTpm tpm, String tee, int[] pcrs, String path) {
        KbsClient.Session session = client.auth(tee);
        JsonObject runtimeData = new JsonObject();
        runtimeData.addProperty("nonce", session.nonce());
        runtimeData.add("tee-pubkey", jwk(tpm));
        // the quote's qualifying data carries the binding (SHA-384 of the runtime data): a TPM2B_DATA holds 64 bytes
        byte[] reportData = binding.reportData(tee, session.nonce(), runtimeData.toString());
        String token = client.attest(session, runtimeData.toString(), tee, tpm.evidence(reportData, pcrs),
                List.of());
        return new Released(unwrap(client.resource(session, path), tpm), token, tee);
    }

    /** The vTPM's decryption key as the runtime claims carry it (HCLEkPub), as the plain RSA JWK the broker takes. */
    static JsonObject jwk(GuestTpm tpm) {
        JsonObject claims = JsonParser.parseString(new String(tpm.runtimeClaims(), StandardCharsets.UTF_8))
                .getAsJsonObject();
        for (var k : claims.getAsJsonArray("keys")) {
            JsonObject key = k.getAsJsonObject();
            if (key.get("kid").getAsString().equals("HCLEkPub")) {
                JsonObject jwk = new JsonObject();
                for (String m : new String[] {"e", "kty", "n"}) {
                    jwk.add(m, key.get(m));
                }
                return jwk;
            }
        }
        throw new IllegalStateException("the vTPM's runtime claims carry no HCLEkPub");
    }

    /**
     * Opens a flattened JWE ({@code RSA-OAEP-256}, {@code A256GCM}): the content key through the vTPM, the content
     * with it.
     */
    static byte[] unwrap(String flattened, GuestTpm tpm) {
        JsonObject jwe;
        try {
            jwe = JsonParser.parseString(flattened).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalStateException("the broker's resource is not a flattened JWE: " + flattened);
        }
        String protectedHeader = jwe.get("protected").getAsString();
        JsonObject header = JsonParser.parseString(new String(Base64.getUrlDecoder().decode(protectedHeader),
                StandardCharsets.UTF_8)).getAsJsonObject();
        String alg = header.get("alg").getAsString();
        String enc = header.get("enc").getAsString();
        if (!alg.equals("RSA-OAEP-256") || !enc.equals("A256GCM")) {
            throw new IllegalStateException("the resource's JWE is " + alg + "/" + enc + ", expected RSA-OAEP-256/"
                    + "A256GCM for a vTPM's RSA key");
        }
        byte[] cek = tpm.decrypt(Base64.getUrlDecoder().decode(jwe.get("encrypted_key").getAsString()));
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128,
                    Base64.getUrlDecoder().decode(jwe.get("iv").getAsString())));
            c.updateAAD(protectedHeader.getBytes(StandardCharsets.US_ASCII));
            c.update(Base64.getUrlDecoder().decode(jwe.get("ciphertext").getAsString()));
            return c.doFinal(Base64.getUrlDecoder().decode(jwe.get("tag").getAsString()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the resource's JWE does not open with the key the vTPM unwrapped: "
                    + e.getMessage(), e);
        } finally {
            Arrays.fill(cek, (byte) 0);
        }
    }
}
