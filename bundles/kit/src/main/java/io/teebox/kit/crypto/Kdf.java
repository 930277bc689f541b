package io.teebox.kit.crypto;

import io.teebox.kit.codec.LittleEndian;
import java.util.Arrays;
import java.util.Objects;

/** Key derivation functions used by the vendor protocols. */
public final class Kdf {

    private Kdf() {
    }

    /**
     * NIST SP 800-108 KDF in counter mode with HMAC-SHA256 as PRF, in the form AMD's SEV uses for the transport
     * keys (master secret, KEK, KIK): {@code K(i) = HMAC-SHA256(key, LE32(i) || label || 0x00 || context ||
     * LE32(L_bits))} for i = 1, 2, ..., concatenated and truncated to {@code lengthBytes}.
     *
     * @param key the key-derivation key
     * @param label the label, e.g. "sev-master-secret" in ASCII
     * @param context the context, e.g. the session nonce; may be empty
     * @param lengthBytes the output length L in bytes, at least 1
     * @return L bytes of derived key
     * @throws IllegalArgumentException if {@code lengthBytes} is not positive or too large for a 32-bit bit count
     */
    public static byte[] counterHmacSha256(byte[] key, byte[] label, byte[] context, int lengthBytes) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(context, "context");
        if (lengthBytes <= 0 || lengthBytes > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException("KDF output length is " + lengthBytes + " bytes, expected 1.."
                    + Integer.MAX_VALUE / 8);
        }
        byte[] lBits = new byte[4];
        LittleEndian.put32(lBits, 0, (long) lengthBytes * 8);
        byte[] out = new byte[lengthBytes];
        int done = 0;
        for (int i = 1; done < lengthBytes; i++) {
            byte[] counter = new byte[4];
            LittleEndian.put32(counter, 0, i);
            byte[] k = Hmac.sha256(key, counter, label, new byte[] {0}, context, lBits);
            int n = Math.min(k.length, lengthBytes - done);
            System.arraycopy(k, 0, out, done, n);
            Arrays.fill(k, (byte) 0);
            done += n;
        }
        return out;
    }
}
