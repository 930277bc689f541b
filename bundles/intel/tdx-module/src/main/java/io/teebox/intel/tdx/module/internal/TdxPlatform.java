package io.teebox.intel.tdx.module.internal;

import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.intel.tdx.abi.IntelIdentities;
import io.teebox.intel.tdx.module.TdxPlatformInfo;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The emulated platform's identity: the TDX module's version and TCB, the CPU and PCE SVNs, FMSPC, the private
 * HKID range, and the platform secrets derived from its seed (the CPU's report MAC key, the PPID, and the keys
 * EGETKEY gives the PCE and the quoting enclave).
 *
 * @param moduleVersion the TDX module version, for example {@code "1.5.06"}
 * @param teeTcbSvn TEE_TCB_SVN (16 bytes): byte 0 the module's SVN, byte 1 its major version
 * @param cpuSvn CPUSVN (16 bytes), which is also the PCK certificate's SGX TCB components
 * @param pceSvn the PCE SVN
 * @param fmspc the FMSPC (6 bytes)
 * @param firstHkid the first private HKID
 * @param lastHkid the last private HKID (inclusive)
 * @param seed the platform seed
 */
record TdxPlatform(String moduleVersion, byte[] teeTcbSvn, byte[] cpuSvn, int pceSvn, byte[] fmspc, int firstHkid,
        int lastHkid, String seed) {

    TdxPlatform {
        FirmwareVersion.parse(moduleVersion);
        check(teeTcbSvn, 16, "teeTcbSvn");
        check(cpuSvn, 16, "cpuSvn");
        check(fmspc, 6, "fmspc");
        if (pceSvn < 0 || pceSvn > 0xFFFF) {
            throw new IllegalArgumentException("pceSvn must be 0..65535, got " + pceSvn);
        }
        if (firstHkid < 1 || lastHkid < firstHkid || lastHkid > 1023) {
            throw new IllegalArgumentException("private HKIDs must be a range in 1..1023, got " + firstHkid + ".."
                    + lastHkid);
        }
        if (seed == null || seed.isBlank()) {
            throw new IllegalArgumentException("the platform seed must not be blank");
        }
        teeTcbSvn = teeTcbSvn.clone();
        cpuSvn = cpuSvn.clone();
        fmspc = fmspc.clone();
    }

    private static void check(byte[] b, int n, String what) {
        if (b == null || b.length != n) {
            throw new IllegalArgumentException(what + " must be " + n + " bytes, got " + (b == null ? "none"
                    : b.length));
        }
    }

    /** @return the platform teebox configures by default */
    static TdxPlatform defaults() {
        return new TdxPlatform("1.5.06", Hex.decode("05010300000000000000000000000000"),
                Hex.decode("03030202040100050000000000000000"), 13, Hex.decode("00806F050000"), 32, 63,
                "teebox-intel-platform-0");
    }

    @Override
    public byte[] teeTcbSvn() {
        return teeTcbSvn.clone();
    }

    @Override
    public byte[] cpuSvn() {
        return cpuSvn.clone();
    }

    @Override
    public byte[] fmspc() {
        return fmspc.clone();
    }

    /** @return what the platform says about itself, without its secrets */
    TdxPlatformInfo info() {
        return new TdxPlatformInfo(moduleVersion, Bytes.of(teeTcbSvn), Bytes.of(mrSeam()), Bytes.of(cpuSvn), pceSvn,
                Bytes.of(fmspc), Bytes.of(ppid()), firstHkid, lastHkid);
    }

    /** The names EGETKEY derives keys for. */
    static final java.util.Set<String> ENCLAVE_KEYS = java.util.Set.of("pck", "qe-attestation-key", "qe-id");

    /**
     * @param name one of {@link #ENCLAVE_KEYS}
     * @return the key EGETKEY gives an enclave of this platform
     */
    byte[] enclaveKey(String name) {
        if (!ENCLAVE_KEYS.contains(name)) {
            throw new IllegalArgumentException("EGETKEY: no key '" + name + "'; known: " + ENCLAVE_KEYS);
        }
        return derive(name);
    }

    byte[] mrSeam() {
        return IntelIdentities.mrSeam(moduleVersion);
    }

    private byte[] derive(String label) {
        return Digests.sha256(seed.getBytes(StandardCharsets.UTF_8),
                ("teebox-tdx-platform-" + label).getBytes(StandardCharsets.US_ASCII));
    }

    /** @return the CPU's key for TDREPORT MACs (never leaves the module and the quoting enclave) */
    byte[] reportKey() {
        return derive("report-mac-key");
    }

    /** @return the platform provisioning id (16 bytes) */
    byte[] ppid() {
        return Arrays.copyOf(derive("ppid"), 16);
    }


    @Override
    public boolean equals(Object o) {
        return o instanceof TdxPlatform p && p.moduleVersion.equals(moduleVersion)
                && Arrays.equals(p.teeTcbSvn, teeTcbSvn) && Arrays.equals(p.cpuSvn, cpuSvn) && p.pceSvn == pceSvn
                && Arrays.equals(p.fmspc, fmspc) && p.firstHkid == firstHkid && p.lastHkid == lastHkid
                && p.seed.equals(seed);
    }

    @Override
    public int hashCode() {
        return moduleVersion.hashCode() * 31 + Arrays.hashCode(teeTcbSvn);
    }

    @Override
    public String toString() {
        return "TdxPlatform[module " + moduleVersion + ", TEE_TCB_SVN " + Hex.encode(teeTcbSvn) + ", FMSPC "
                + Hex.encode(fmspc) + ", HKIDs " + firstHkid + ".." + lastHkid + "]";
    }
}
