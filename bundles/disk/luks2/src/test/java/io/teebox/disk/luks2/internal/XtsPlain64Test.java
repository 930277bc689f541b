package io.teebox.disk.luks2.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.teebox.kit.hex.Hex;
import java.util.Arrays;
import java.util.Random;
import org.junit.Test;

public class XtsPlain64Test {

    private static byte[] repeat(int b, int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) b);
        return out;
    }

    @Test
    public void ieee1619Vector1AllZeroKeysAndData() {
        byte[] data = new byte[32];
        new XtsPlain64(new byte[32], 32).encrypt(data, 0, 32, 0);
        assertEquals("917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e", Hex.encode(data));
    }

    @Test
    public void ieee1619Vector2DataUnit3333333333() {
        byte[] key = new byte[32];
        Arrays.fill(key, 0, 16, (byte) 0x11);
        Arrays.fill(key, 16, 32, (byte) 0x22);
        byte[] data = repeat(0x44, 32);
        new XtsPlain64(key, 32).encrypt(data, 0, 32, 0x3333333333L);
        assertEquals("c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0", Hex.encode(data));
        new XtsPlain64(key, 32).decrypt(data, 0, 32, 0x3333333333L);
        assertArrayEquals(repeat(0x44, 32), data);
    }

    @Test
    public void sectorsRoundTripAndEachSectorHasItsOwnTweak() {
        byte[] key = new byte[64];
        new Random(1).nextBytes(key);
        byte[] plain = new byte[4 * 512];
        Arrays.fill(plain, (byte) 0x5a);
        byte[] data = plain.clone();
        XtsPlain64 xts = new XtsPlain64(key, 512);
        xts.encrypt(data, 0, data.length, 7);
        byte[] one = Arrays.copyOfRange(plain, 0, 512);
        xts.encrypt(one, 0, 512, 9);
        assertArrayEquals("sector 2 of a run from IV 7 is IV 9", one, Arrays.copyOfRange(data, 1024, 1536));
        xts.decrypt(data, 0, data.length, 7);
        assertArrayEquals(plain, data);
    }

    @Test
    public void largeSectorsCountTheirIvIn512ByteUnits() {
        byte[] key = new byte[64];
        new Random(2).nextBytes(key);
        byte[] two = new byte[8192];
        new XtsPlain64(key, 4096).encrypt(two, 0, two.length, 0);
        byte[] second = new byte[4096];
        new XtsPlain64(key, 4096).encrypt(second, 0, 4096, 8);
        assertArrayEquals(second, Arrays.copyOfRange(two, 4096, 8192));
    }

    @Test
    public void refusesWrongKeyAndPartialSectors() {
        assertThrows(IllegalArgumentException.class, () -> new XtsPlain64(new byte[48], 512));
        assertThrows(IllegalArgumentException.class, () -> new XtsPlain64(new byte[64], 512)
                .encrypt(new byte[700], 0, 700, 0));
    }
}
