package io.teebox.bench;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import io.teebox.amd.abi.SnpLaunchDigest;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import java.util.Arrays;
import org.junit.Test;

/**
 * The benchmarks measure the real operations: what each benchmark method returns is checked against the same
 * result computed another way, so a benchmark that silently stopped doing its work would fail here.
 */
public class BenchmarksDoRealWorkTest {

    @Test
    public void pageCipherBenchmarksEncryptAndDecryptTheirPage() throws Exception {
        PageCipherBench b = new PageCipherBench();
        b.setUp();
        byte[] ct = b.xts128Encrypt();
        assertFalse(Arrays.equals(b.page, ct));
        assertArrayEquals(ct, b.ciphertext128);
        assertArrayEquals(b.page, b.xts128Decrypt());
        assertFalse(Arrays.equals(ct, b.xts256Encrypt()));
        assertEquals(4096, b.baselineAesEcb128().length);
        assertArrayEquals(ct, b.xts128EncryptInto().clone());
        assertArrayEquals(b.page, b.xts128DecryptInto().clone());
        byte[] ecb = b.baselineAesEcb128();
        assertArrayEquals(ecb, b.aesEcb128Into().clone());
        // ECB and CBC decryption of the same blocks differ exactly by the CBC chaining XOR (IV 0)
        byte[] e = b.aesEcb128DecryptInto().clone();
        byte[] c = b.aesCbc128DecryptInto().clone();
        assertArrayEquals(Arrays.copyOf(e, 16), Arrays.copyOf(c, 16));
        for (int i = 16; i < 4096; i++) {
            assertEquals(e[i] ^ b.page[i - 16], c[i]);
        }
    }

    @Test
    public void launchDigestBenchmarksComputeTheMeasurements() {
        LaunchDigestBench b = new LaunchDigestBench();
        b.setUp();
        assertArrayEquals(Digests.sha384(DefaultFirmware.image()), b.baselineSha384());
        assertArrayEquals(Digests.sha256(DefaultFirmware.image()), b.sevDigest());
        assertArrayEquals(SnpLaunchDigest.forOvmf(DefaultFirmware.parsed(), 1, b.milan, 0x1, null),
                b.snpLaunchDigest());
        assertEquals(48, b.tdxMrtd().length);
        // bench/run counts the SNP launch digest in 4 KiB pages of this image
        assertEquals(32 * 4096, DefaultFirmware.image().length);
        assertFalse(Arrays.equals(b.tdxMrtd(), b.snpLaunchDigest()));
    }
}
