package org.example.cca.rmm.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.Test;

/** The MEC's AES-XTS against IEEE 1619's published vectors, and what a changed address or byte does. */
public class MecTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    public void ieee1619Vector1() {
        // XTS-AES-128, Key1 = Key2 = 0, data unit sequence number 0, 32 zero bytes (IEEE Std 1619-2007, B.1)
        Mec mec = new Mec(new byte[32]);
        assertArrayEquals(HEX.parseHex("917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e"),
                mec.encrypt(0, new byte[32]));
    }

    @Test
    public void ieee1619Vector2() {
        byte[] key = new byte[32];
        Arrays.fill(key, 0, 16, (byte) 0x11);
        Arrays.fill(key, 16, 32, (byte) 0x22);
        byte[] p = new byte[32];
        Arrays.fill(p, (byte) 0x44);
        assertArrayEquals(HEX.parseHex("c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0"),
                new Mec(key).encrypt(0x3333333333L, p));
    }

    @Test
    public void aGranuleRoundTripsAndDependsOnItsAddress() {
        byte[] key = new byte[64];
        for (int i = 0; i < 64; i++) {
            key[i] = (byte) i;
        }
        Mec mec = new Mec(key);
        byte[] page = new byte[4096];
        Arrays.fill(page, (byte) 'r');
        byte[] c = mec.encrypt(0x1_0000_0000L, page);
        assertArrayEquals(page, mec.decrypt(0x1_0000_0000L, c));
        assertFalse("ciphertext is not the plaintext", Arrays.equals(page, c));
        assertFalse("the same plaintext at another address is other ciphertext",
                Arrays.equals(c, mec.encrypt(0x1_0000_1000L, page)));
        assertFalse("a moved granule decrypts to garbage", Arrays.equals(page, mec.decrypt(0x1_0000_1000L, c)));
    }
}
