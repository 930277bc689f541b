package io.teebox.disk.luks2.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import io.teebox.kit.crypto.Digests;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.Test;

public class AfSplitterTest {

    @Test
    public void splitThenMergeGivesTheKeyBack() {
        byte[] key = new byte[64];
        new SecureRandom().nextBytes(key);
        byte[] m = AfSplitter.split(key, 4000, new SecureRandom());
        assertEquals(256000, m.length);
        assertArrayEquals(key, AfSplitter.merge(m, 64, 4000));
    }

    @Test
    public void oneFlippedStripeByteLosesTheKey() {
        byte[] key = new byte[64];
        byte[] m = AfSplitter.split(key, 4000, new SecureRandom());
        m[12345] ^= 1;
        assertFalse(Arrays.equals(key, AfSplitter.merge(m, 64, 4000)));
    }

    @Test
    public void twoStripesFollowTheDiffuseDefinition() {
        // with stripes s0, s1: key = diffuse(s0) XOR s1, diffuse hashing be32(j) || chunk j of 32 bytes
        byte[] s0 = new byte[40];
        for (int i = 0; i < 40; i++) {
            s0[i] = (byte) i;
        }
        byte[] s1 = new byte[40];
        Arrays.fill(s1, (byte) 0xff);
        byte[] m = new byte[80];
        System.arraycopy(s0, 0, m, 0, 40);
        System.arraycopy(s1, 0, m, 40, 40);
        byte[] d0 = Digests.sha256(ByteBuffer.allocate(4).putInt(0).array(), Arrays.copyOfRange(s0, 0, 32));
        byte[] d1 = Digests.sha256(ByteBuffer.allocate(4).putInt(1).array(), Arrays.copyOfRange(s0, 32, 40));
        byte[] want = new byte[40];
        for (int i = 0; i < 40; i++) {
            want[i] = (byte) ((i < 32 ? d0[i] : d1[i - 32]) ^ 0xff);
        }
        assertArrayEquals(want, AfSplitter.merge(m, 40, 2));
    }

    @Test
    public void splitSizeRoundsToSectorsAndShortMaterialIsRefused() {
        assertEquals(256000, AfSplitter.splitSize(64, 4000));
        assertEquals(128000, AfSplitter.splitSize(32, 4000));
        assertEquals(512, AfSplitter.splitSize(32, 1));
        assertThrows(IllegalArgumentException.class, () -> AfSplitter.merge(new byte[100], 64, 4000));
    }
}
