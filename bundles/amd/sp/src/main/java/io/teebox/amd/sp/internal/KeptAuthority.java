package io.teebox.amd.sp.internal;

import java.nio.ByteBuffer;

import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.x509.X509Authority;

/**
 * How a root authority is kept in the state directory: one file, so certificate and key are always written
 * together: u32 length of the certificate's DER (big-endian), the DER, then the private key's PKCS#8.
 */
final class KeptAuthority {

    private KeptAuthority() {
    }

    static byte[] encode(X509Authority a) {
        byte[] cert = X509Authority.toDer(a.certificate());
        byte[] key = a.privateKey().getEncoded();
        return ByteBuffer.allocate(4 + cert.length + key.length).putInt(cert.length).put(cert).put(key).array();
    }

    static X509Authority decode(byte[] kept) {
        try {
            ByteBuffer b = ByteBuffer.wrap(kept);
            int n = b.getInt();
            if (n <= 0 || n > kept.length - 4) {
                throw new IllegalStateException("kept authority: certificate length " + n + " does not fit the "
                        + kept.length + "-byte file");
            }
            byte[] cert = new byte[n];
            b.get(cert);
            byte[] key = new byte[b.remaining()];
            b.get(key);
            return X509Authority.of(X509Authority.certificateFromDer(cert), RsaKeys.fromPkcs8(key).getPrivate());
        } catch (RuntimeException e) {
            throw new IllegalStateException("a kept AMD root authority is damaged (" + e.getMessage()
                    + "); restore it, or re-provision the platform: ./teebox reprovision amd", e);
        }
    }
}
