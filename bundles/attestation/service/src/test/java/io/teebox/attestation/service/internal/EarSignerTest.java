package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;

/** The token signature made with Bouncy Castle is a JWS ES384 that the JDK's verifier (through Nimbus) accepts. */
public class EarSignerTest {

    private final EarSigner signer = new EarSigner(EarSigner.generate());

    @Test
    public void signsEs384WithRawRsThatAnIndependentVerifierAccepts() throws Exception {
        for (int i = 0; i < 20; i++) {
            String token = signer.sign(Map.of("iat", 1_700_000_000L + i, "eat_nonce", "n" + i));
            SignedJWT jwt = SignedJWT.parse(token);
            assertEquals(JWSAlgorithm.ES384, jwt.getHeader().getAlgorithm());
            assertEquals(signer.keyId(), jwt.getHeader().getKeyID());
            assertEquals(96, jwt.getSignature().decode().length);
            assertTrue(jwt.verify(new ECDSAVerifier(signer.publicKey().toECPublicKey())));
            assertTrue(EarSigner.verifies(token, signer.publicKey()));
        }
    }

    @Test
    public void aChangedByteOrAnotherKeyFails() {
        String token = signer.sign(Map.of("iat", 1_700_000_000L));
        int dot = token.lastIndexOf('.');
        for (int at : new int[] {3, dot - 2, dot + 5, token.length() - 3}) {
            char c = token.charAt(at);
            String bad = token.substring(0, at) + (c == 'A' ? 'B' : 'A') + token.substring(at + 1);
            assertFalse("changed at " + at, EarSigner.verifies(bad, signer.publicKey()));
        }
        assertFalse(EarSigner.verifies(token, new EarSigner(EarSigner.generate()).publicKey()));
    }
}
