package io.teebox.bench;

import io.teebox.amd.abi.SnpLaunchDigest;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.x86.CpuModels;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Launch measurements of the built-in 128 KiB firmware as a guest owner computes them before a launch: the SEV
 * digest (one SHA-256), the SNP PAGE_INFO chain (a SHA-384 per page plus one per PAGE_INFO) and the TDX MRTD
 * (a SHA-384 block per TDH.MEM.PAGE.ADD and per 256-byte TDH.MR.EXTEND). Baseline: one SHA-384 over the image.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LaunchDigestBench {

    OvmfImage firmware;
    long milan;

    /** Parses the built-in firmware once. */
    @Setup
    public void setUp() {
        firmware = DefaultFirmware.parsed();
        milan = CpuModels.signature("EPYC-Milan");
    }

    /** @return SHA-384 of the image */
    @Benchmark
    public byte[] baselineSha384() {
        return Digests.sha384(firmware.bytes());
    }

    /** @return the SEV launch digest (SHA-256 of the image) */
    @Benchmark
    public byte[] sevDigest() {
        return Digests.sha256(firmware.bytes());
    }

    /** @return the SNP launch digest of one Milan vCPU */
    @Benchmark
    public byte[] snpLaunchDigest() {
        return SnpLaunchDigest.forOvmf(firmware, 1, milan, 0x1, null);
    }

    /** @return the MRTD */
    @Benchmark
    public byte[] tdxMrtd() {
        return TdMeasurement.mrtd(firmware);
    }
}
