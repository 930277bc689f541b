package io.teebox.nvidia.h100.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.teebox.kit.crypto.Hmac;

/**
 * The keys and IVs of one copy-engine channel pair, derived from an SPDM session's export master secret as
 * open-gpu-kernel-modules derives them ({@code conf_compute_keystore_gh100.c}): each key is
 * HKDF-SHA256-Expand(export master secret, info = the key's name, 32 bytes), the names being the keystore's
 * ({@code "Lce0_h2d_user"} for the copy engine LCE0 host-to-device, {@code "Lce0_d2h_user"} device-to-host). The IV
 * is built as the RM's CCSL builds it ({@code ccsl.c}: {@code ccslEncrypt}, {@code ccslIncrementCounter}): 12 bytes,
 * bytes 0..3 the 32-bit message counter (little-endian, incremented before each message, so the first is 1), bytes
 * 4..11 the 64-bit channel counter the keystore set when it handed out the channel's keys (1 for the first
 * retrieval), XOR the channel's IV mask. On the GPU the IV masks come from the GSP
 * ({@code confComputeKeyStoreDepositIvMask}); how the GSP makes them is not public, so teebox derives each mask as
 * HKDF-SHA256-Expand(export master secret, the key's name followed by {@code "_iv_mask"}, 12 bytes) (teebox's
 * choice). Bounce buffers hold the AES-256-GCM ciphertext followed by its 16-byte tag, no associated data.
 * Stateless: the message counters are the caller's.
 */
final class ChannelCrypto {

    /** The host-to-device key of the copy engine LCE0, as the keystore names it. */
    static final String H2D = "Lce0_h2d_user";
    /** The device-to-host key of the copy engine LCE0. */
    static final String D2H = "Lce0_d2h_user";
    /** The channel counter of a channel whose keys the keystore handed out once. */
    static final long CHANNEL_COUNTER = 1;
    /** The largest message counter of a channel (CCSL's 32-bit message counter). */
    static final long MAX_MESSAGE_COUNTER = 0xFFFF_FFFFL;
    /** The tag's length. */
    static final int TAG = 16;
    static final int KEY_SIZE = 32;
    static final int IV_SIZE = 12;

    private final byte[] h2dKey;
    private final byte[] h2dMask;
    private final byte[] d2hKey;
    private final byte[] d2hMask;

    /** @param exportMasterSecret the SPDM session's export master secret */
    ChannelCrypto(byte[] exportMasterSecret) {
        h2dKey = expand(exportMasterSecret, H2D, KEY_SIZE);
        h2dMask = expand(exportMasterSecret, H2D + "_iv_mask", IV_SIZE);
        d2hKey = expand(exportMasterSecret, D2H, KEY_SIZE);
        d2hMask = expand(exportMasterSecret, D2H + "_iv_mask", IV_SIZE);
    }

    /**
     * HKDF-Expand (RFC 5869) with HMAC-SHA256.
     *
     * @param prk the pseudorandom key
     * @param info the info string
     * @param length bytes, at most 255 × 32
     * @return the output keying material
     */
    static byte[] expand(byte[] prk, String info, int length) {
        return expand(prk, info.getBytes(StandardCharsets.US_ASCII), length);
    }

    /**
     * HKDF-Expand (RFC 5869) with HMAC-SHA256.
     *
     * @param prk the pseudorandom key
     * @param in the info
     * @param length bytes, at most 255 × 32
     * @return the output keying material
     */
    static byte[] expand(byte[] prk, byte[] in, int length) {
        if (length < 1 || length > 255 * 32) {
            throw new IllegalArgumentException("HKDF-Expand length is " + length + ", expected 1..8160");
        }
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            t = Hmac.sha256(prk, t, in, new byte[] {(byte) i});
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        return out;
    }

    /**
     * @param mask the channel's IV mask
     * @param channelCounter the keystore's channel counter
     * @param messageCounter the message counter, 1..2^32-1
     * @return the IV: message counter (u32 LE), channel counter (u64 LE), XOR the mask
     */
    static byte[] iv(byte[] mask, long channelCounter, long messageCounter) {
        if (messageCounter < 0 || messageCounter > MAX_MESSAGE_COUNTER) {
            throw new IllegalArgumentException("message counter " + messageCounter + " is outside 0..2^32-1");
        }
        byte[] iv = new byte[IV_SIZE];
        for (int i = 0; i < 4; i++) {
            iv[i] = (byte) (messageCounter >>> (8 * i));
        }
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (channelCounter >>> (8 * i));
        }
        for (int i = 0; i < IV_SIZE; i++) {
            iv[i] ^= mask[i];
        }
        return iv;
    }

    /**
     * @param toDevice true for the host-to-device channel
     * @param counter the IV counter
     * @param plaintext the data
     * @return ciphertext ‖ tag
     */
    byte[] seal(boolean toDevice, long counter, byte[] plaintext) {
        try {
            return cipher(Cipher.ENCRYPT_MODE, toDevice, counter).doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * @param toDevice true for the host-to-device channel
     * @param counter the IV counter
     * @param sealed ciphertext ‖ tag
     * @return the plaintext
     * @throws AEADBadTagException if the tag does not verify
     */
    byte[] open(boolean toDevice, long counter, byte[] sealed) throws AEADBadTagException {
        try {
            return cipher(Cipher.DECRYPT_MODE, toDevice, counter).doFinal(sealed);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM decryption failed: " + e.getMessage(), e);
        }
    }

    private Cipher cipher(int op, boolean toDevice, long counter) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(op, new SecretKeySpec(toDevice ? h2dKey : d2hKey, "AES"), new GCMParameterSpec(TAG * 8,
                iv(toDevice ? h2dMask : d2hMask, CHANNEL_COUNTER, counter)));
        return c;
    }

    /** Overwrites the keys. */
    void destroy() {
        Arrays.fill(h2dKey, (byte) 0);
        Arrays.fill(d2hKey, (byte) 0);
        Arrays.fill(h2dMask, (byte) 0);
        Arrays.fill(d2hMask, (byte) 0);
    }
}
