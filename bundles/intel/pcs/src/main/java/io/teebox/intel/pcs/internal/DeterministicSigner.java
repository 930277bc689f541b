package io.teebox.intel.pcs.internal;

import io.teebox.kit.crypto.BouncyCastle;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentSigner;

/**
 * ECDSA P-256 with SHA-256 and deterministic nonces (RFC 6979, Bouncy Castle's {@code SHA256withECDDSA}), encoded
 * as ordinary ecdsa-with-SHA256: certificates issued from the same seed are the same bytes on every start, so a
 * verifier given the root certificate keeps working across restarts.
 */
final class DeterministicSigner implements ContentSigner {

    private final PrivateKey key;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    DeterministicSigner(PrivateKey key) {
        this.key = key;
    }

    static byte[] signDer(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance("SHA256withECDDSA", BouncyCastle.provider());
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("deterministic ECDSA failed: " + e.getMessage(), e);
        }
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    }

    @Override
    public OutputStream getOutputStream() {
        return buffer;
    }

    @Override
    public byte[] getSignature() {
        return signDer(key, buffer.toByteArray());
    }
}
