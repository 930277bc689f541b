package io.teebox.bench;

import io.teebox.kit.crypto.PageCipher;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The page cipher every AMD guest page goes through (XTS-AES-128 for SEV/SEV-ES, XTS-AES-256 for SNP) against the
 * baseline of the same JDK AES doing plain ECB over the same 4 KiB: the ratio is what the address tweak costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PageCipherBench {

    static final long HPA = 0x1_2345_6000L;

    byte[] page;
    Cipher ecb;
    PageCipher xts128;
    PageCipher xts256;
    byte[] ciphertext128;

    /** Random page and keys, fixed by a seed so runs compare. */
    @Setup
    public void setUp() throws GeneralSecurityException {
        SplittableRandom random = new SplittableRandom(42);
        page = bytes(random, PageCipher.PAGE_SIZE);
        ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(bytes(random, 16), "AES"));
        xts128 = PageCipher.xts(bytes(random, 16), bytes(random, 16));
        xts256 = PageCipher.xts(bytes(random, 32), bytes(random, 32));
        ciphertext128 = xts128.encrypt(HPA, page);
    }

    static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** @return AES-128-ECB of the page: the raw block-cipher cost */
    @Benchmark
    public byte[] baselineAesEcb128() throws GeneralSecurityException {
        return ecb.doFinal(page);
    }

    /** @return the page under XTS-AES-128 (SEV, SEV-ES) */
    @Benchmark
    public byte[] xts128Encrypt() {
        return xts128.encrypt(HPA, page);
    }

    /** @return the page decrypted under XTS-AES-128 */
    @Benchmark
    public byte[] xts128Decrypt() {
        return xts128.decrypt(HPA, ciphertext128);
    }

    /** @return the page under XTS-AES-256 (SEV-SNP) */
    @Benchmark
    public byte[] xts256Encrypt() {
        return xts256.encrypt(HPA, page);
    }
}
