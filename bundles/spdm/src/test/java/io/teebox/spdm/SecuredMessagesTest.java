package io.teebox.spdm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import io.teebox.spdm.internal.KeySchedule;
import io.teebox.spdm.internal.SecuredMessages;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.Test;

public class SecuredMessagesTest {

    private static final byte[] SECRET = new byte[48];

    static {
        Arrays.fill(SECRET, (byte) 0x33);
    }

    /** Opens a secured message with the JDK alone, as DSP0277 and libspdm lay it out, to check the layout. */
    private static byte[] openByHand(byte[] msg, int sequenceSize, long seq) throws Exception {
        byte[][] keyIv = KeySchedule.keyAndIv(SECRET);
        byte[] iv = keyIv[1].clone();
        for (int i = 0; i < 8; i++) {
            iv[i] ^= (byte) (seq >>> (8 * i));
        }
        int header = 4 + sequenceSize + 2;
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keyIv[0], "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(Arrays.copyOf(msg, header));
        byte[] plain = c.doFinal(Arrays.copyOfRange(msg, header, msg.length));
        int len = (plain[0] & 0xFF) | (plain[1] & 0xFF) << 8;
        return Arrays.copyOfRange(plain, 2, 2 + len);
    }

    @Test
    public void layoutIsSessionIdSequenceLengthCiphertextTagAndTheSequenceGoesLittleEndianIntoTheIv()
            throws Exception {
        SecuredMessages.Direction d = new SecuredMessages.Direction(SECRET);
        byte[] app = {0x11, (byte) 0xE0, 0, 0};
        byte[] first = SecuredMessages.encode(0xCAFE1234, 2, d, app);
        byte[] second = SecuredMessages.encode(0xCAFE1234, 2, d, app);
        assertArrayEquals(new byte[] {0x34, 0x12, (byte) 0xFE, (byte) 0xCA, 0, 0, 22, 0}, Arrays.copyOf(first, 8));
        assertArrayEquals(new byte[] {1, 0}, Arrays.copyOfRange(second, 4, 6));
        assertEquals(8 + 2 + app.length + 16, first.length);
        assertArrayEquals(app, openByHand(first, 2, 0));
        assertArrayEquals(app, openByHand(second, 2, 1));
        try {
            openByHand(second, 2, 1L << 56); // the big-endian placement of DSP0277 1.2 would not open it
            fail("opened with the wrong IV");
        } catch (javax.crypto.AEADBadTagException expected) {
            // as it should
        }
    }

    @Test
    public void withoutATransmittedSequenceNumberAReplayFailsTheTag() throws Exception {
        SecuredMessages.Direction send = new SecuredMessages.Direction(SECRET);
        SecuredMessages.Direction receive = new SecuredMessages.Direction(SECRET);
        byte[] m = SecuredMessages.encode(7, 0, send, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, SecuredMessages.decode(7, 0, receive, m));
        try {
            SecuredMessages.decode(7, 0, receive, m);
            fail("replay accepted");
        } catch (SecuredMessages.Refused expected) {
            assertEquals(1, receive.sequence());
        }
    }
}
