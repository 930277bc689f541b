package io.teebox.kbs.internal;

import java.text.ParseException;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * The TEE's key (the {@code tee-pubkey} of the runtime data) and the responses wrapped to it: JWEs in the flattened
 * JSON serialization Trustee returns, {@code ECDH-ES+A256KW} for an EC key (P-256, P-384, P-521) and
 * {@code RSA-OAEP-256} for an RSA key (2048 bits or more), content encrypted {@code A256GCM}.
 */
final class TeeKeys {

    private static final Set<Curve> CURVES = Set.of(Curve.P_256, Curve.P_384, Curve.P_521);

    private TeeKeys() {
    }

    /**
     * @param jwk the {@code tee-pubkey} JSON
     * @return the public key
     * @throws KbsProblem (401, InvalidRequest) for a key that is not a public EC or RSA JWK of the sizes accepted
     */
    static JWK parse(JsonElement jwk) {
        if (!(jwk instanceof JsonObject)) {
            throw KbsProblem.invalid("runtime-data.tee-pubkey is missing or not a JWK object");
        }
        JWK k;
        try {
            k = JWK.parse(jwk.toString());
        } catch (ParseException e) {
            throw KbsProblem.invalid("runtime-data.tee-pubkey is not a JWK: " + e.getMessage());
        }
        if (k.isPrivate()) {
            throw KbsProblem.invalid("runtime-data.tee-pubkey holds a private key; send the public key only");
        }
        if (k instanceof ECKey ec) {
            if (!CURVES.contains(ec.getCurve())) {
                throw KbsProblem.invalid("runtime-data.tee-pubkey is on curve " + ec.getCurve() + "; accepted: "
                        + "P-256, P-384, P-521");
            }
        } else if (k instanceof RSAKey rsa) {
            if (rsa.size() < 2048) {
                throw KbsProblem.invalid("runtime-data.tee-pubkey is RSA-" + rsa.size() + "; at least 2048 bits");
            }
        } else {
            throw KbsProblem.invalid("runtime-data.tee-pubkey is of kty " + k.getKeyType() + "; accepted: EC, RSA");
        }
        return k;
    }

    /**
     * @param key the TEE's public key
     * @param plaintext the secret
     * @return the JWE, flattened JSON {@code {protected, encrypted_key, iv, ciphertext, tag}}
     */
    static JsonObject wrap(JWK key, byte[] plaintext) {
        try {
            JWEObject jwe;
            if (key instanceof ECKey ec) {
                jwe = new JWEObject(new JWEHeader(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM),
                        new Payload(plaintext));
                jwe.encrypt(new ECDHEncrypter(ec));
            } else {
                jwe = new JWEObject(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM),
                        new Payload(plaintext));
                jwe.encrypt(new RSAEncrypter((RSAKey) key));
            }
            String[] p = jwe.serialize().split("\\.", -1);
            JsonObject o = new JsonObject();
            o.addProperty("protected", p[0]);
            o.addProperty("encrypted_key", p[1]);
            o.addProperty("iv", p[2]);
            o.addProperty("ciphertext", p[3]);
            o.addProperty("tag", p[4]);
            return o;
        } catch (JOSEException e) {
            throw new IllegalStateException("wrapping to the TEE key failed: " + e.getMessage(), e);
        }
    }

    /**
     * Unwraps a response inside the guest.
     *
     * @param flattened the JWE in flattened JSON
     * @param privateKey the TEE's private key
     * @return the secret
     * @throws IllegalArgumentException when the JWE is malformed or does not decrypt with this key
     */
    static byte[] unwrap(String flattened, JWK privateKey) {
        try {
            return unwrap(flattened, privateKey instanceof ECKey ec ? ec.toPrivateKey() : ((RSAKey) privateKey)
                    .toPrivateKey());
        } catch (JOSEException | ClassCastException e) {
            throw new IllegalArgumentException("the TEE key is not a private EC or RSA key: " + e.getMessage(), e);
        }
    }

    /**
     * @param flattened the JWE in flattened JSON
     * @param privateKey the TEE's private key, EC or RSA
     * @return the secret
     * @throws IllegalArgumentException when the JWE is malformed or does not decrypt with this key
     */
    static byte[] unwrap(String flattened, java.security.PrivateKey privateKey) {
        try {
            JsonObject o = JsonParser.parseString(flattened).getAsJsonObject();
            if (o.has("aad")) {
                throw new IllegalArgumentException("the JWE carries aad, which this client does not take");
            }
            String compact = String.join(".", member(o, "protected"), member(o, "encrypted_key"), member(o, "iv"),
                    member(o, "ciphertext"), member(o, "tag"));
            JWEObject jwe = JWEObject.parse(compact);
            if (!EncryptionMethod.A256GCM.equals(jwe.getHeader().getEncryptionMethod())) {
                throw new IllegalArgumentException("the JWE's enc is " + jwe.getHeader().getEncryptionMethod()
                        + ", not A256GCM");
            }
            if (privateKey instanceof java.security.interfaces.ECPrivateKey ec) {
                jwe.decrypt(new ECDHDecrypter(ec));
            } else {
                jwe.decrypt(new RSADecrypter(privateKey));
            }
            return jwe.getPayload().toBytes();
        } catch (ParseException | JsonParseException | IllegalStateException | ClassCastException e) {
            throw new IllegalArgumentException("the response is not a flattened JWE: " + e.getMessage(), e);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the JWE does not decrypt with the TEE key: " + e.getMessage(), e);
        }
    }

    private static String member(JsonObject o, String name) {
        if (!(o.get(name) instanceof com.google.gson.JsonPrimitive p) || !p.isString()) {
            throw new IllegalArgumentException("the JWE has no string member '" + name + "'");
        }
        return p.getAsString();
    }
}
