package io.teebox.spdm.internal;

import io.teebox.spdm.Spdm;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * DSP0277 secured messages with AES-256-GCM: SessionID u32, SequenceNumber (0..8 bytes, LE, the transport binding
 * decides the size), Length u16 (of what follows: ciphertext and MAC), then the encrypted {ApplicationDataLength u16,
 * application data, random padding} and the 16-byte MAC. AAD = SessionID || SequenceNumber || Length. The IV is the
 * direction's IV with the 64-bit sequence number XORed into its first 8 bytes, little-endian (libspdm's default,
 * {@code LIBSPDM_DATA_SESSION_SEQ_NUM_ENC_LITTLE_DEC_LITTLE}).
 */
public final class SecuredMessages {

    /** Why a secured message was refused. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** One direction's keys and sequence number. Not thread-safe. */
    public static final class Direction {
        private final byte[] key;
        private final byte[] iv;
        private long sequence;

        /**
         * Keys for a direction.
         *
         * @param secret the direction's handshake or data secret
         */
        public Direction(byte[] secret) {
            byte[][] k = KeySchedule.keyAndIv(secret);
            this.key = k[0];
            this.iv = k[1];
        }

        /** @return the next sequence number to use */
        public long sequence() {
            return sequence;
        }

        private byte[] ivFor(long seq) {
            byte[] out = iv.clone();
            for (int i = 0; i < 8; i++) {
                out[i] ^= (byte) (seq >>> (8 * i));
            }
            return out;
        }
    }

    private SecuredMessages() {
    }

    /**
     * Encrypts an application message and advances the sequence number.
     *
     * @param sessionId the session ID
     * @param sequenceSize bytes of the sequence number in the header (0..8)
     * @param d the sending direction
     * @param app the application data (an SPDM message)
     * @return the secured message
     */
    public static byte[] encode(int sessionId, int sequenceSize, Direction d, byte[] app) {
        long seq = d.sequence++;
        byte[] plain = new Writer().u16(Writer.fit("ApplicationDataLength", app.length, 16)).bytes(app).toByteArray();
        int length = Writer.fit("Length", plain.length + Spdm.AEAD_TAG_SIZE, 16);
        byte[] aad = header(sessionId, sequenceSize, seq, length);
        byte[] sealed = gcm(Cipher.ENCRYPT_MODE, d, seq, aad, plain);
        return new Writer().bytes(aad).bytes(sealed).toByteArray();
    }

    /**
     * The session ID of a secured message.
     *
     * @param message the secured message
     * @return the session ID
     * @throws Refused if the message is shorter than a session ID
     */
    public static int sessionId(byte[] message) throws Refused {
        if (message.length < 4) {
            throw new Refused("secured message is " + message.length + " bytes, shorter than its SessionID");
        }
        return new Reader("SECURED_MESSAGE", message).u32("SessionID");
    }

    /**
     * Authenticates and decrypts a secured message and advances the sequence number.
     *
     * @param sessionId the expected session ID
     * @param sequenceSize bytes of the sequence number in the header (0..8)
     * @param d the receiving direction
     * @param message the secured message
     * @return the application data
     * @throws Refused if the message is malformed, from another session, out of sequence, or does not authenticate
     */
    public static byte[] decode(int sessionId, int sequenceSize, Direction d, byte[] message) throws Refused {
        int headerSize = 4 + sequenceSize + 2;
        if (message.length < headerSize + Spdm.AEAD_TAG_SIZE + 2) {
            throw new Refused("secured message is " + message.length + " bytes, shorter than its header, "
                    + "ApplicationDataLength and MAC (" + (headerSize + Spdm.AEAD_TAG_SIZE + 2) + ")");
        }
        Reader r = new Reader("SECURED_MESSAGE", message);
        int sid = r.u32("SessionID");
        long seq = 0;
        for (int i = 0; i < sequenceSize; i++) {
            seq |= (long) r.u8("SequenceNumber") << (8 * i);
        }
        int length = r.u16("Length");
        if (sid != sessionId) {
            throw new Refused("secured message SessionID is 0x" + Integer.toHexString(sid) + ", expected 0x"
                    + Integer.toHexString(sessionId));
        }
        if (length != message.length - headerSize) {
            throw new Refused("secured message Length is " + length + ", but " + (message.length - headerSize)
                    + " bytes follow the header");
        }
        long expected = d.sequence;
        if (sequenceSize > 0 && seq != (sequenceSize == 8 ? expected : expected & ((1L << (8 * sequenceSize)) - 1))) {
            throw new Refused("secured message SequenceNumber is " + seq + ", expected " + expected);
        }
        byte[] aad = Arrays.copyOf(message, headerSize);
        byte[] plain;
        try {
            plain = gcm(Cipher.DECRYPT_MODE, d, expected, aad, Arrays.copyOfRange(message, headerSize, message.length));
        } catch (IllegalStateException e) {
            throw new Refused("secured message does not authenticate (AES-256-GCM tag mismatch)");
        }
        d.sequence++;
        Reader p = new Reader("SECURED_MESSAGE", plain);
        int appLength = p.u16("ApplicationDataLength");
        if (appLength > p.remaining()) {
            throw new Refused("secured message ApplicationDataLength is " + appLength + ", only " + p.remaining()
                    + " bytes were encrypted");
        }
        return p.bytes("ApplicationData", appLength);
    }

    private static byte[] header(int sessionId, int sequenceSize, long seq, int length) {
        Writer w = new Writer().u32(sessionId);
        for (int i = 0; i < sequenceSize; i++) {
            w.u8((int) (seq >>> (8 * i)));
        }
        return w.u16(length).toByteArray();
    }

    private static byte[] gcm(int mode, Direction d, long seq, byte[] aad, byte[] data) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(d.key, "AES"), new GCMParameterSpec(128, d.ivFor(seq)));
            c.updateAAD(aad);
            return c.doFinal(data);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("tag mismatch", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM failed: " + e.getMessage(), e);
        }
    }
}
