package io.teebox.nvidia.h100.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import javax.crypto.AEADBadTagException;

import org.junit.Test;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import io.teebox.spdm.Packet;

/** The work submission, completion and mailbox codecs bit for bit, and the channel's key and IV derivation. */
public class WireFormatsTest {

    private static final String SUBMISSION = "01" + "01" + "0000" + "78563412" + "0200000001000000"
            + "0040000000000000" + "0000002000000000" + "88130000" + "00000000";

    @Test
    public void aSubmissionEncodesLittleEndianFieldByField() {
        WorkSubmission w = new WorkSubmission(WorkSubmission.COPY_TO_DEVICE, 0, 0x12345678, 0x100000002L, 0x4000,
                0x20000000L, 5000);
        assertEquals(SUBMISSION, Hex.encode(w.encode()));
        assertEquals(40, w.encode().length);
        assertEquals(w, WorkSubmission.parse(Hex.decode(SUBMISSION)));
        assertEquals(5016, w.bounceBytes());
    }

    @Test
    public void aMalformedSubmissionNamesItsField() {
        byte[] b = Hex.decode(SUBMISSION);
        b[0] = 2;
        assertField("Version", b);
        b = Hex.decode(SUBMISSION);
        b[1] = 3;
        assertField("Opcode", b);
        b = Hex.decode(SUBMISSION);
        b[2] = 1;
        assertField("Channel", b);
        b = Hex.decode(SUBMISSION);
        b[0x24] = 1;
        assertField("Reserved", b);
        b = Hex.decode(SUBMISSION);
        b[0x20] = 0;
        b[0x21] = 0;
        assertField("Length", b);
        b = Hex.decode(SUBMISSION);
        b[0x23] = (byte) 0x80;
        assertField("Length", b);
        MalformedStructureException e = assertThrows(MalformedStructureException.class, () -> WorkSubmission.parse(
                new byte[39]));
        assertTrue(e.getMessage(), e.getMessage().contains("40 bytes, got 39"));
    }

    private static void assertField(String field, byte[] b) {
        MalformedStructureException e = assertThrows(MalformedStructureException.class, () -> WorkSubmission.parse(
                b));
        assertTrue(e.getMessage(), e.getMessage().contains(field));
    }

    @Test
    public void aCompletionEncodesLittleEndianAndRoundTrips() {
        WorkCompletion c = new WorkCompletion(2, 0, 7, 5016);
        String hex = "01" + "02" + "0000" + "00000000" + "0700000000000000" + "98130000" + "00000000";
        assertEquals(hex, Hex.encode(c.encode()));
        assertEquals(c, WorkCompletion.parse(Hex.decode(hex)));
        byte[] bad = Hex.decode(hex);
        bad[2] = 1;
        assertThrows(MalformedStructureException.class, () -> WorkCompletion.parse(bad));
        assertThrows(MalformedStructureException.class, () -> WorkCompletion.parse(new byte[23]));
    }

    @Test
    public void theMailboxIsNvidiasSpdmDescriptorHeader() {
        byte[] spdm = {0x10, (byte) 0x84, 0, 0};
        String plain = "00000000" + "04000000" + "10000000" + "10840000";
        assertEquals(plain, Hex.encode(Mailbox.frame(Packet.plain(spdm))));
        assertEquals("01000000" + "03000000" + "10000000" + "010203", Hex.encode(Mailbox.frame(new Packet(true,
                new byte[] {1, 2, 3}))));
        assertEquals(Packet.plain(spdm), Mailbox.unframe(Hex.decode(plain)));
        assertTrue(Mailbox.unframe(Hex.decode("01000000" + "01000000" + "10000000" + "aa")).secured());
        assertMailbox("msgType", "02000000" + "01000000" + "10000000" + "aa");
        assertMailbox("version", "00000000" + "01000000" + "11000000" + "aa");
        assertMailbox("msgSizeByte", "00000000" + "02000000" + "10000000" + "aa");
        assertMailbox("msgSizeByte", "00000000" + "00000000" + "10000000");
        assertThrows(MalformedStructureException.class, () -> Mailbox.unframe(new byte[11]));
        assertThrows(MalformedStructureException.class, () -> Mailbox.frame(Packet.plain(new byte[0x1200 - 11])));
        assertEquals(0x1200, Mailbox.frame(Packet.plain(new byte[0x1200 - 12])).length);
    }

    private static void assertMailbox(String field, String hex) {
        MalformedStructureException e = assertThrows(MalformedStructureException.class, () -> Mailbox.unframe(
                Hex.decode(hex)));
        assertTrue(e.getMessage(), e.getMessage().contains(field));
    }

    @Test
    public void hkdfExpandIsRfc5869WithSha256() {
        // RFC 5869 test case 1: PRK and info from the RFC, L = 42
        byte[] prk = Hex.decode("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        byte[] okm = ChannelCrypto.expand(prk, Hex.decode("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
                Hex.encode(okm));
        assertThrows(IllegalArgumentException.class, () -> ChannelCrypto.expand(prk, new byte[0], 0));
    }

    @Test
    public void theIvIsTheMessageCounterThenTheChannelCounterUnderTheMaskAsCcslBuildsIt() {
        assertEquals("01000000" + "0200000003000000", Hex.encode(ChannelCrypto.iv(new byte[12], 0x0000000300000002L,
                1)));
        assertEquals("ffffffff" + "0100000000000000", Hex.encode(ChannelCrypto.iv(new byte[12], 1, 0xFFFFFFFFL)));
        byte[] mask = Hex.decode("ffffffff00000000000000ff");
        assertEquals("feffffff" + "01000000000000ff", Hex.encode(ChannelCrypto.iv(mask, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> ChannelCrypto.iv(mask, 1, 0x100000000L));
    }

    @Test
    public void theTwoDirectionsHaveTheirOwnKeysAndATagFailureIsDetected() throws Exception {
        byte[] emk = new byte[48];
        emk[0] = 1;
        ChannelCrypto a = new ChannelCrypto(emk);
        ChannelCrypto b = new ChannelCrypto(emk);
        byte[] data = "bounce".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] sealed = a.seal(true, 1, data);
        assertEquals(data.length + 16, sealed.length);
        assertArrayEquals(data, b.open(true, 1, sealed));
        assertFalse(java.util.Arrays.equals(sealed, a.seal(false, 1, data)));
        assertFalse(java.util.Arrays.equals(sealed, a.seal(true, 2, data)));
        assertThrows(AEADBadTagException.class, () -> b.open(true, 2, sealed));
        assertThrows(AEADBadTagException.class, () -> b.open(false, 1, sealed));
        byte[] flipped = sealed.clone();
        flipped[0] ^= 1;
        assertThrows(AEADBadTagException.class, () -> b.open(true, 1, flipped));
        // the keys are HKDF-SHA256-Expand(EMK, key name) as the keystore derives them
        byte[] key = ChannelCrypto.expand(emk, "Lce0_h2d_user", 32);
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        c.init(javax.crypto.Cipher.DECRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "AES"),
                new javax.crypto.spec.GCMParameterSpec(128, ChannelCrypto.iv(ChannelCrypto.expand(emk,
                        "Lce0_h2d_user_iv_mask", 12), 1, 1)));
        assertArrayEquals(data, c.doFinal(sealed));
    }
}
