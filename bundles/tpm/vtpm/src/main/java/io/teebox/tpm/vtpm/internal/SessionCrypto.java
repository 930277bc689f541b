package io.teebox.tpm.vtpm.internal;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmWriter;

/** The session arithmetic of Part 1, 19 and 21: KDFa, HMACs with possibly empty keys, CFB parameter encryption. */
final class SessionCrypto {

    private SessionCrypto() {
    }

    private static Digest digest(TpmAlgId alg) {
        return switch (alg) {
            case SHA1 -> new SHA1Digest();
            case SHA256 -> new SHA256Digest();
            case SHA384 -> new SHA384Digest();
            case SHA512 -> new SHA512Digest();
            default -> throw new IllegalArgumentException("TPM_ALG_" + alg.name() + " is not a hash");
        };
    }

    /** HMAC that accepts an empty key, which JCA refuses and unbound unsalted sessions use. */
    static byte[] hmac(TpmAlgId alg, byte[] key, byte[]... parts) {
        HMac mac = new HMac(digest(alg));
        mac.init(new KeyParameter(key));
        for (byte[] p : parts) {
            mac.update(p, 0, p.length);
        }
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return out;
    }

    /** KDFa (Part 1, 11.4.10.2): HMAC(key, counter || label || 0 || contextU || contextV || bits), counter from 1. */
    static byte[] kdfa(TpmAlgId alg, byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
        int bytes = (bits + 7) / 8;
        byte[] out = new byte[bytes];
        byte[] l = (label + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] b = new TpmWriter().u32(bits).toByteArray();
        for (int i = 1, done = 0; done < bytes; i++) {
            byte[] block = hmac(alg, key, new TpmWriter().u32(i).toByteArray(), l, contextU, contextV, b);
            int n = Math.min(block.length, bytes - done);
            System.arraycopy(block, 0, out, done, n);
            done += n;
        }
        return out;
    }

    /** AES-CFB of a parameter, key and IV from KDFa(hmacKey, "CFB", nonceNewer, nonceOlder). */
    static byte[] cfb(boolean encrypt, TpmAlgId alg, int keyBits, byte[] key, byte[] nonceNewer, byte[] nonceOlder,
            byte[] data) {
        byte[] kiv = kdfa(alg, key, "CFB", nonceNewer, nonceOlder, keyBits + 128);
        try {
            Cipher c = Cipher.getInstance("AES/CFB/NoPadding");
            c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE,
                    new SecretKeySpec(Arrays.copyOf(kiv, keyBits / 8), "AES"),
                    new IvParameterSpec(Arrays.copyOfRange(kiv, keyBits / 8, kiv.length)));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CFB is not available", e);
        }
    }

    /** XOR obfuscation (Part 1, 21.2): data XOR KDFa(hmacKey, "XOR", nonceNewer, nonceOlder). */
    static byte[] xor(TpmAlgId alg, byte[] key, byte[] nonceNewer, byte[] nonceOlder, byte[] data) {
        byte[] mask = kdfa(alg, key, "XOR", nonceNewer, nonceOlder, data.length * 8);
        byte[] out = data.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] ^= mask[i];
        }
        return out;
    }
}
