package io.teebox.kbs.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

/** Responses wrapped to the TEE's key: flattened JWEs that only its private key opens. */
public class TeeKeysTest {

    private static final byte[] SECRET = "the disk key".getBytes(StandardCharsets.UTF_8);

    private static JsonObject header(JsonObject jwe) {
        return JsonParser.parseString(new String(Base64.getUrlDecoder().decode(jwe.get("protected").getAsString()),
                StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    public void ecKeysGetEcdhEsA256KwAndOnlyThePrivateKeyUnwraps() throws Exception {
        for (Curve c : new Curve[] {Curve.P_256, Curve.P_384, Curve.P_521}) {
            ECKey tee = new ECKeyGenerator(c).generate();
            JWK pub = TeeKeys.parse(JsonParser.parseString(tee.toPublicJWK().toJSONString()));
            JsonObject jwe = TeeKeys.wrap(pub, SECRET);
            assertEquals(Set5.MEMBERS, jwe.keySet());
            assertEquals("ECDH-ES+A256KW", header(jwe).get("alg").getAsString());
            assertEquals("A256GCM", header(jwe).get("enc").getAsString());
            assertArrayEquals(SECRET, TeeKeys.unwrap(jwe.toString(), tee));

            ECKey other = new ECKeyGenerator(c).generate();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TeeKeys.unwrap(
                    jwe.toString(), other));
            assertTrue(e.getMessage(), e.getMessage().contains("does not decrypt"));
        }
    }

    @Test
    public void rsaKeysGetRsaOaep256AndATamperedCiphertextFails() throws Exception {
        RSAKey tee = new RSAKeyGenerator(2048).generate();
        JsonObject jwe = TeeKeys.wrap(TeeKeys.parse(JsonParser.parseString(tee.toPublicJWK().toJSONString())),
                SECRET);
        assertEquals("RSA-OAEP-256", header(jwe).get("alg").getAsString());
        assertArrayEquals(SECRET, TeeKeys.unwrap(jwe.toString(), tee));

        byte[] ct = Base64.getUrlDecoder().decode(jwe.get("ciphertext").getAsString());
        ct[0] ^= 1;
        jwe.addProperty("ciphertext", Base64.getUrlEncoder().withoutPadding().encodeToString(ct));
        assertThrows(IllegalArgumentException.class, () -> TeeKeys.unwrap(jwe.toString(), tee));
        assertThrows(IllegalArgumentException.class, () -> TeeKeys.unwrap("{\"protected\": 1}", tee));
    }

    @Test
    public void privateSmallAndSymmetricKeysAreRefusedNamingTheField() throws Exception {
        ECKey priv = new ECKeyGenerator(Curve.P_256).generate();
        KbsProblem p = assertThrows(KbsProblem.class, () -> TeeKeys.parse(JsonParser.parseString(priv
                .toJSONString())));
        assertTrue(p.getMessage(), p.getMessage().contains("private"));
        RSAKey small = new RSAKeyGenerator(1024, true).generate();
        p = assertThrows(KbsProblem.class, () -> TeeKeys.parse(JsonParser.parseString(small.toPublicJWK()
                .toJSONString())));
        assertTrue(p.getMessage(), p.getMessage().contains("RSA-1024"));
        String oct = new OctetSequenceKeyGenerator(256).generate().toJSONString();
        p = assertThrows(KbsProblem.class, () -> TeeKeys.parse(JsonParser.parseString(oct)));
        assertTrue(p.getMessage(), p.getMessage().startsWith("runtime-data.tee-pubkey"));
        assertEquals(401, p.status);
    }

    /** The members of Trustee's response. */
    static final class Set5 {
        static final java.util.Set<String> MEMBERS = java.util.Set.of("protected", "encrypted_key", "iv",
                "ciphertext", "tag");
    }
}
