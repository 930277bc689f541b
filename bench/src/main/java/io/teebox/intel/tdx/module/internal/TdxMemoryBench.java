package io.teebox.intel.tdx.module.internal;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * TDX private memory: a TD page store is XTS-AES-128 under the TD's HKID plus a 28-bit MAC for each of its 64
 * cache lines; a load checks the 64 MACs and decrypts. Baseline: the XTS encryption alone, so the ratios are what
 * integrity costs. (In this package because {@link MemoryKeys} is the TDX module bundle's private memory engine.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TdxMemoryBench {

    static final long HPA = 0x1_0002_0000L;

    MemoryKeys keys;
    byte[] page;
    byte[] ciphertext;
    int[] macs;

    /** Fresh keys and a random page. */
    @Setup
    public void setUp() {
        keys = MemoryKeys.random(new SecureRandom());
        page = new byte[4096];
        new SplittableRandom(7).nextBytes(page);
        ciphertext = keys.encrypt(HPA, page);
        macs = keys.macs(HPA, ciphertext);
    }

    /** @return the page under the TD's XTS-AES-128 key, no MACs */
    @Benchmark
    public byte[] baselineXtsEncrypt() {
        return keys.encrypt(HPA, page);
    }

    /** @return the 64 line MACs of a stored page, as the memory controller writes them */
    @Benchmark
    public int[] storeEncryptAndMac() {
        return keys.macs(HPA, keys.encrypt(HPA, page));
    }

    /** @return the page a TD load returns after every line's MAC matched */
    @Benchmark
    public byte[] loadCheckAndDecrypt() {
        if (MemoryKeys.firstMismatch(macs, keys.macs(HPA, ciphertext)) >= 0) {
            throw new IllegalStateException("integrity failure on an untouched page");
        }
        return keys.decrypt(HPA, ciphertext);
    }

    /** @return a copy of the plaintext page, for the benchmark's own test */
    public byte[] pageForTest() {
        return page.clone();
    }
}
