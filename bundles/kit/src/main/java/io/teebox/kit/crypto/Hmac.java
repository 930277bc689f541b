package io.teebox.kit.crypto;

import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * HMAC-SHA256 and HMAC-SHA384 (RFC 2104). Keys of any length are accepted, including the empty key, which the
 * JDK's key spec refuses and which is handed to Bouncy Castle's HMAC instead.
 */
public final class Hmac {

    private Hmac() {
    }

    /**
     * HMAC-SHA256 over the concatenation of {@code parts}.
     *
     * @param key the key, any length
     * @param parts the message, in order
     * @return the 32-byte MAC
     */
    public static byte[] sha256(byte[] key, byte[]... parts) {
        return mac("HmacSHA256", key, parts);
    }

    /**
     * HMAC-SHA384 over the concatenation of {@code parts}.
     *
     * @param key the key, any length
     * @param parts the message, in order
     * @return the 48-byte MAC
     */
    public static byte[] sha384(byte[] key, byte[]... parts) {
        return mac("HmacSHA384", key, parts);
    }

    private static byte[] mac(String algorithm, byte[] key, byte[]... parts) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0) {
            Digest d = algorithm.endsWith("256") ? new SHA256Digest() : new SHA384Digest();
            HMac h = new HMac(d);
            h.init(new KeyParameter(key));
            for (byte[] p : parts) {
                h.update(p, 0, p.length);
            }
            byte[] out = new byte[h.getMacSize()];
            h.doFinal(out, 0);
            return out;
        }
        try {
            Mac m = Mac.getInstance(algorithm);
            m.init(new SecretKeySpec(key, algorithm));
            for (byte[] p : parts) {
                m.update(p);
            }
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot compute " + algorithm, e);
        }
    }
}
