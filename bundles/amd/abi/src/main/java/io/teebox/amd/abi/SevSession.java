package io.teebox.amd.abi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;

/**
 * The LAUNCH_START session blob (0x80 bytes): NONCE, WRAP_TK = AES-128-CTR(KEK, WRAP_IV, TEK||TIK), WRAP_IV,
 * WRAP_MAC = HMAC-SHA256(KIK, WRAP_TK), POLICY_MAC = HMAC-SHA256(TIK, policy).
 *
 * @param nonce 16 bytes
 * @param wrapTk 32 bytes
 * @param wrapIv 16 bytes
 * @param wrapMac 32 bytes
 * @param policyMac 32 bytes
 */
public record SevSession(byte[] nonce, byte[] wrapTk, byte[] wrapIv, byte[] wrapMac, byte[] policyMac) {

    /** The named-offset layout. */
    public static final Layout LAYOUT = Layout.define("SEV_SESSION", 0x80).bytes("NONCE", 0x00, 16)
            .bytes("WRAP_TK", 0x10, 32).bytes("WRAP_IV", 0x30, 16).bytes("WRAP_MAC", 0x40, 32)
            .bytes("POLICY_MAC", 0x60, 32).build();

    /**
     * @param bytes 0x80 bytes
     * @return the session
     * @throws io.teebox.api.tee.TeeException INVALID_LENGTH for a blob of the wrong size
     */
    public static SevSession parse(byte[] bytes) {
        Struct s;
        try {
            s = LAYOUT.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_LENGTH.error(e.getMessage());
        }
        return new SevSession(s.bytes("NONCE"), s.bytes("WRAP_TK"), s.bytes("WRAP_IV"), s.bytes("WRAP_MAC"),
                s.bytes("POLICY_MAC"));
    }

    /** @return the 0x80 bytes */
    public byte[] bytes() {
        return LAYOUT.create().set("NONCE", nonce).set("WRAP_TK", wrapTk).set("WRAP_IV", wrapIv)
                .set("WRAP_MAC", wrapMac).set("POLICY_MAC", policyMac).toBytes();
    }
}
