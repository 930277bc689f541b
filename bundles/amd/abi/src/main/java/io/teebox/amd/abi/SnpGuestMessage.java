package io.teebox.amd.abi;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;

/**
 * An SNP guest message (SNP_GUEST_REQUEST): a 0x60-byte header and an AES-256-GCM encrypted payload under a VMPCK
 * from the secrets page. IV = MSG_SEQNO as 8 little-endian bytes then 4 zero bytes; AAD = header bytes 0x30..0x5F;
 * the 16-byte tag sits in the first half of AUTHTAG.
 */
public final class SnpGuestMessage {

    /** The header layout. */
    public static final Layout HEADER = Layout.define("SNP_GUEST_MSG_HDR", 0x60).bytes("AUTHTAG", 0x00, 32)
            .u64("MSG_SEQNO", 0x20).reserved(0x28, 8).u8("ALGO", 0x30).u8("HDR_VERSION", 0x31).u16("HDR_SZ", 0x32)
            .u8("MSG_TYPE", 0x34).u8("MSG_VERSION", 0x35).u16("MSG_SZ", 0x36).reserved(0x38, 4)
            .u8("MSG_VMPCK", 0x3C).reserved(0x3D, 35).build();
    /** MSG_TYPE values. */
    public static final int KEY_REQ = 3;
    /** MSG_KEY_RSP. */
    public static final int KEY_RSP = 4;
    /** MSG_REPORT_REQ. */
    public static final int REPORT_REQ = 5;
    /** MSG_REPORT_RSP. */
    public static final int REPORT_RSP = 6;
    /** MSG_REPORT_REQ payload layout. */
    public static final Layout REPORT_REQ_LAYOUT = Layout.define("MSG_REPORT_REQ", 0x60).bytes("REPORT_DATA", 0, 64)
            .u32("VMPL", 0x40).u32("KEY_SEL", 0x44).reserved(0x48, 24).build();

    /** MSG_KEY_REQ payload layout (Linux uapi snp_derived_key_req). */
    public static final Layout KEY_REQ_LAYOUT = Layout.define("MSG_KEY_REQ", 0x20).u32("ROOT_KEY_SELECT", 0x00)
            .reserved(0x04, 4).u64("GUEST_FIELD_SELECT", 0x08).u32("VMPL", 0x10).u32("GUEST_SVN", 0x14)
            .u64("TCB_VERSION", 0x18).build();

    private SnpGuestMessage() {
    }

    /**
     * Seals a message.
     *
     * @param vmpck the 32-byte VMPCK
     * @param vmpckIndex 0..3
     * @param seqno the sequence number (not 0)
     * @param type the message type
     * @param payload the plaintext payload (at most 4000 bytes)
     * @return header followed by ciphertext
     */
    public static byte[] seal(byte[] vmpck, int vmpckIndex, long seqno, int type, byte[] payload) {
        if (seqno == 0) {
            throw new IllegalArgumentException("MSG_SEQNO 0 is not allowed");
        }
        if (payload.length > 4000) {
            throw new IllegalArgumentException("payload is " + payload.length + " bytes; at most 4000");
        }
        Struct h = HEADER.create().set("MSG_SEQNO", seqno).set("ALGO", 1).set("HDR_VERSION", 1).set("HDR_SZ", 0x60)
                .set("MSG_TYPE", type).set("MSG_VERSION", 1).set("MSG_SZ", payload.length).set("MSG_VMPCK", vmpckIndex);
        byte[] header = h.toBytes();
        byte[] sealed = gcm(Cipher.ENCRYPT_MODE, vmpck, seqno, Arrays.copyOfRange(header, 0x30, 0x60), payload);
        byte[] out = Arrays.copyOf(header, 0x60 + payload.length);
        System.arraycopy(sealed, 0, out, 0x60, payload.length);
        System.arraycopy(sealed, payload.length, out, 0, 16);
        return out;
    }

    /** @return the parsed header of a message */
    public static Struct header(byte[] message) {
        if (message.length < 0x60) {
            throw SevStatus.INVALID_LENGTH.error("guest message is " + message.length + " bytes, shorter than its "
                    + "0x60-byte header");
        }
        try {
            return HEADER.parse(Arrays.copyOf(message, 0x60));
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_PARAM.error(e.getMessage());
        }
    }

    /**
     * Opens a message, checking its tag.
     *
     * @param vmpck the VMPCK the header names
     * @param message header and ciphertext
     * @return the plaintext payload
     * @throws io.teebox.api.tee.TeeException INVALID_PARAM for a malformed header, BAD_SIGNATURE for a tag that
     *             does not verify
     */
    public static byte[] open(byte[] vmpck, byte[] message) {
        Struct h = header(message);
        int size = h.u16("MSG_SZ");
        if (h.u8("ALGO") != 1 || h.u16("HDR_SZ") != 0x60 || h.u8("HDR_VERSION") != 1 || 0x60 + size != message.length) {
            throw SevStatus.INVALID_PARAM.error(String.format("guest message header: ALGO %d, HDR_SZ 0x%X, "
                    + "HDR_VERSION %d, MSG_SZ %d for %d payload bytes", h.u8("ALGO"), h.u16("HDR_SZ"),
                    h.u8("HDR_VERSION"), size, message.length - 0x60));
        }
        byte[] ct = new byte[size + 16];
        System.arraycopy(message, 0x60, ct, 0, size);
        System.arraycopy(message, 0, ct, size, 16);
        try {
            return gcm(Cipher.DECRYPT_MODE, vmpck, h.u64("MSG_SEQNO"), Arrays.copyOfRange(message, 0x30, 0x60), ct);
        } catch (IllegalStateException e) {
            throw SevStatus.BAD_SIGNATURE.error("the guest message's AES-GCM tag does not verify: it was changed or "
                    + "sealed with another VMPCK or sequence number");
        }
    }

    private static byte[] gcm(int mode, byte[] key, long seqno, byte[] aad, byte[] data) {
        byte[] iv = new byte[12];
        for (int i = 0; i < 8; i++) {
            iv[i] = (byte) (seqno >>> (8 * i));
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            c.updateAAD(aad);
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }
}
