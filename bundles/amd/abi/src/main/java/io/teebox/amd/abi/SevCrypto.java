package io.teebox.amd.abi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.AesCtr;
import io.teebox.kit.crypto.Hmac;
import io.teebox.kit.crypto.Kdf;

/** The SEV launch formulas shared by the firmware and the guest owner (SEV API; spec sections 1.6 to 1.8). */
public final class SevCrypto {

    /** Context byte of the LAUNCH_MEASURE HMAC. */
    public static final byte MEASURE_CONTEXT = 0x04;
    /** Context byte of the LAUNCH_SECRET MAC. */
    public static final byte SECRET_CONTEXT = 0x01;

    private SevCrypto() {
    }

    /** @return master_secret = KDF(Z, "sev-master-secret", NONCE, 16) */
    public static byte[] masterSecret(byte[] sharedSecret, byte[] nonce) {
        return Kdf.counterHmacSha256(sharedSecret, ascii("sev-master-secret"), nonce, 16);
    }

    /** @return KEK = KDF(master, "sev-kek", empty, 16) */
    public static byte[] kek(byte[] master) {
        return Kdf.counterHmacSha256(master, ascii("sev-kek"), new byte[0], 16);
    }

    /** @return KIK = KDF(master, "sev-kik", empty, 16) */
    public static byte[] kik(byte[] master) {
        return Kdf.counterHmacSha256(master, ascii("sev-kik"), new byte[0], 16);
    }

    /** @return WRAP_TK = AES-128-CTR(KEK, IV, TEK || TIK); the same call unwraps */
    public static byte[] wrap(byte[] kek, byte[] iv, byte[] tekTik) {
        return AesCtr.apply(kek, iv, tekTik);
    }

    /** @return WRAP_MAC = HMAC-SHA256(KIK, WRAP_TK) */
    public static byte[] wrapMac(byte[] kik, byte[] wrapTk) {
        return Hmac.sha256(kik, wrapTk);
    }

    /** @return POLICY_MAC = HMAC-SHA256(TIK, policy as 4 little-endian bytes) */
    public static byte[] policyMac(byte[] tik, SevPolicy policy) {
        return Hmac.sha256(tik, policy.bytes());
    }

    /**
     * MEASURE = HMAC-SHA256(TIK, 0x04 || API_MAJOR || API_MINOR || BUILD || POLICY || LD || MNONCE) for API 0.17
     * and later; HMAC-SHA256(TIK, LD || MNONCE) before.
     */
    public static byte[] measure(byte[] tik, int apiMajor, int apiMinor, int build, SevPolicy policy, byte[] digest,
            byte[] mnonce) {
        if (apiMajor == 0 && apiMinor < 17) {
            return Hmac.sha256(tik, digest, mnonce);
        }
        return Hmac.sha256(tik, new byte[] {MEASURE_CONTEXT, (byte) apiMajor, (byte) apiMinor, (byte) build},
                policy.bytes(), digest, mnonce);
    }

    /**
     * MAC = HMAC-SHA256(TIK, 0x01 || FLAGS || IV || GUEST_LEN || TRANS_LEN || TRANS || MEASURE) for API 0.17 and
     * later (MEASURE omitted before).
     */
    public static byte[] secretMac(byte[] tik, long flags, byte[] iv, int guestLength, byte[] trans, byte[] measure,
            int apiMajor, int apiMinor) {
        byte[] f = new byte[4];
        LittleEndian.put32(f, 0, flags);
        byte[] lens = new byte[8];
        LittleEndian.put32(lens, 0, guestLength);
        LittleEndian.put32(lens, 4, trans.length);
        byte[] m = apiMajor == 0 && apiMinor < 17 ? new byte[0] : measure;
        return Hmac.sha256(tik, new byte[] {SECRET_CONTEXT}, f, iv, lens, trans, m);
    }

    /** @return whether two MACs are equal, in constant time */
    public static boolean macEquals(byte[] a, byte[] b) {
        return java.security.MessageDigest.isEqual(a, b);
    }

    /** @return the first 16 bytes (TEK) and last 16 bytes (TIK) of an unwrapped TEK||TIK */
    public static byte[][] split(byte[] tekTik) {
        return new byte[][] {Arrays.copyOf(tekTik, 16), Arrays.copyOfRange(tekTik, 16, 32)};
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
