package io.teebox.bench;

import io.teebox.kit.crypto.PageCipher;
import java.security.GeneralSecurityException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
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
 * baseline of the same JDK AES doing plain ECB over the same 4 KiB: the ratio is what the address tweak costs. The
 * {@code ...Into} variants write into a buffer the caller keeps (as the ECB/CBC bounds do), the others return a new
 * page; {@code aes...Into} are the JDK's raw AES paths XTS is built on, the bounds of its two directions.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PageCipherBench {

    static final long HPA = 0x1_2345_6000L;

    byte[] page;
    Cipher ecb;
    Cipher ecbDecrypt;
    Cipher cbcDecrypt;
    byte[] out;
    PageCipher xts128;
    PageCipher xts256;
    byte[] ciphertext128;

    /** Random page and keys, fixed by a seed so runs compare. */
    @Setup
    public void setUp() throws GeneralSecurityException {
        SplittableRandom random = new SplittableRandom(42);
        page = bytes(random, PageCipher.PAGE_SIZE);
        ecb = Cipher.getInstance("AES/ECB/NoPadding");
        SecretKeySpec key = new SecretKeySpec(bytes(random, 16), "AES");
        ecb.init(Cipher.ENCRYPT_MODE, key);
        ecbDecrypt = Cipher.getInstance("AES/ECB/NoPadding");
        ecbDecrypt.init(Cipher.DECRYPT_MODE, key);
        cbcDecrypt = Cipher.getInstance("AES/CBC/NoPadding");
        cbcDecrypt.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(new byte[16]));
        out = new byte[PageCipher.PAGE_SIZE];
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

    /** @return AES-128-ECB of the page into a kept buffer */
    @Benchmark
    public byte[] aesEcb128Into() throws GeneralSecurityException {
        ecb.doFinal(page, 0, PageCipher.PAGE_SIZE, out, 0);
        return out;
    }

    /** @return AES-128-ECB decryption of the page into a kept buffer */
    @Benchmark
    public byte[] aesEcb128DecryptInto() throws GeneralSecurityException {
        ecbDecrypt.doFinal(page, 0, PageCipher.PAGE_SIZE, out, 0);
        return out;
    }

    /** @return AES-128-CBC decryption (IV 0) of the page into a kept buffer: the pipelined decrypt path */
    @Benchmark
    public byte[] aesCbc128DecryptInto() throws GeneralSecurityException {
        cbcDecrypt.doFinal(page, 0, PageCipher.PAGE_SIZE, out, 0);
        return out;
    }

    /** @return the page under XTS-AES-128 into a kept buffer */
    @Benchmark
    public byte[] xts128EncryptInto() {
        xts128.encrypt(HPA, page, out);
        return out;
    }

    /** @return the page decrypted under XTS-AES-128 into a kept buffer */
    @Benchmark
    public byte[] xts128DecryptInto() {
        xts128.decrypt(HPA, ciphertext128, out);
        return out;
    }
}
