package io.teebox.spdm.internal;

import io.teebox.spdm.Spdm;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SPDM 1.1 key schedule (DSP0274 1.1 "Key schedule"; libspdm {@code libspdm_secmes_session.c}) on HMAC-SHA-384:
 * HKDF-Extract / HKDF-Expand (RFC 5869) with info = BinConcat(Length u16 LE, "spdm1.1 ", Label, Context).
 */
public final class KeySchedule {

    /** BinConcat's version string for 1.1 (with its trailing space, no NUL). */
    public static final String VERSION_1_1 = "spdm1.1 ";

    private KeySchedule() {
    }

    /**
     * BinConcat(Length, Version, Label, Context).
     *
     * @param length the output length
     * @param label the label, e.g. "req hs data"
     * @param context the context (a transcript hash) or null
     * @return the info bytes
     */
    public static byte[] binConcat(int length, String label, byte[] context) {
        Writer w = new Writer().u16(length).bytes(VERSION_1_1.getBytes(StandardCharsets.US_ASCII))
                .bytes(label.getBytes(StandardCharsets.US_ASCII));
        if (context != null) {
            w.bytes(context);
        }
        return w.toByteArray();
    }

    /**
     * HMAC.
     *
     * @param algorithm "HmacSHA384" or "HmacSHA256"
     * @param key the key
     * @param data the data
     * @return the MAC
     */
    public static byte[] hmac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    /**
     * HKDF-Extract (RFC 5869 2.2).
     *
     * @param algorithm the HMAC
     * @param salt the salt
     * @param ikm the input keying material
     * @return the PRK
     */
    public static byte[] extract(String algorithm, byte[] salt, byte[] ikm) {
        return hmac(algorithm, salt, ikm);
    }

    /**
     * HKDF-Expand (RFC 5869 2.3).
     *
     * @param algorithm the HMAC
     * @param prk the pseudorandom key
     * @param info the info
     * @param length the output length
     * @return the OKM
     */
    public static byte[] expand(String algorithm, byte[] prk, byte[] info, int length) {
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            t = hmac(algorithm, prk, new Writer().bytes(t).bytes(info).u8(i).toByteArray());
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        return out;
    }

    /**
     * HKDF-Expand-SHA-384 with a BinConcat info.
     *
     * @param secret the secret
     * @param label the label
     * @param context the context or null
     * @param length the output length
     * @return the derived bytes
     */
    public static byte[] expandLabel(byte[] secret, String label, byte[] context, int length) {
        return expand("HmacSHA384", secret, binConcat(length, label, context), length);
    }

    /**
     * HandshakeSecret = HKDF-Extract(Salt_0 = H zero bytes, DHE secret).
     *
     * @param dheSecret the ECDHE shared secret (the X coordinate)
     * @return the handshake secret
     */
    public static byte[] handshakeSecret(byte[] dheSecret) {
        return extract("HmacSHA384", new byte[Spdm.HASH_SIZE], dheSecret);
    }

    /**
     * Master secret = HKDF-Extract(Salt_1 = HKDF-Expand(HandshakeSecret, "derived"), H zero bytes).
     *
     * @param handshakeSecret the handshake secret
     * @return the master secret
     */
    public static byte[] masterSecret(byte[] handshakeSecret) {
        byte[] salt1 = expandLabel(handshakeSecret, "derived", null, Spdm.HASH_SIZE);
        return extract("HmacSHA384", salt1, new byte[Spdm.HASH_SIZE]);
    }

    /**
     * finished_key = HKDF-Expand(secret, "finished").
     *
     * @param directionSecret a handshake secret
     * @return the finished key
     */
    public static byte[] finishedKey(byte[] directionSecret) {
        return expandLabel(directionSecret, "finished", null, Spdm.HASH_SIZE);
    }

    /**
     * The AEAD key and IV of a direction.
     *
     * @param directionSecret a handshake or data secret
     * @return {key (32 bytes), iv (12 bytes)}
     */
    public static byte[][] keyAndIv(byte[] directionSecret) {
        return new byte[][] {
            expandLabel(directionSecret, "key", null, Spdm.AEAD_KEY_SIZE),
            expandLabel(directionSecret, "iv", null, Spdm.AEAD_IV_SIZE)};
    }

    /**
     * The data-phase secrets, from TH2.
     *
     * @param sessionId the session ID
     * @param handshakeSecret the handshake secret
     * @param reqHs the request handshake secret
     * @param rspHs the response handshake secret
     * @param th2 the TH2 hash
     * @return all the session's secrets
     */
    public static io.teebox.spdm.SessionKeys sessionKeys(int sessionId, byte[] handshakeSecret, byte[] reqHs,
            byte[] rspHs, byte[] th2) {
        byte[] master = masterSecret(handshakeSecret);
        return new io.teebox.spdm.SessionKeys(sessionId, handshakeSecret, reqHs, rspHs, master,
                expandLabel(master, "req app data", th2, Spdm.HASH_SIZE),
                expandLabel(master, "rsp app data", th2, Spdm.HASH_SIZE),
                expandLabel(master, "exp master", th2, Spdm.HASH_SIZE));
    }
}
