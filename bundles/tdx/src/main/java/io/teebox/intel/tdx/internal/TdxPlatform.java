package io.teebox.intel.tdx.internal;

import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The emulated platform's identity: the TDX module's version and TCB, the CPU and PCE SVNs, FMSPC, the private
 * HKID range, and the platform secrets derived from its seed (the CPU's report MAC key, the PPID, the PCK key and
 * the quoting enclave's attestation key).
 *
 * @param moduleVersion the TDX module version, for example {@code "1.5.06"}
 * @param teeTcbSvn TEE_TCB_SVN (16 bytes): byte 0 the module's SVN, byte 1 its major version
 * @param cpuSvn CPUSVN (16 bytes), which is also the PCK certificate's SGX TCB components
 * @param pceSvn the PCE SVN
 * @param fmspc the FMSPC (6 bytes)
 * @param firstHkid the first private HKID
 * @param lastHkid the last private HKID (inclusive)
 * @param qeSvn the TD quoting enclave's ISVSVN
 * @param seed the platform seed
 */
record TdxPlatform(String moduleVersion, byte[] teeTcbSvn, byte[] cpuSvn, int pceSvn, byte[] fmspc, int firstHkid,
        int lastHkid, int qeSvn, String seed) {

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
        if (qeSvn < 0 || qeSvn > 0xFFFF) {
            throw new IllegalArgumentException("qeSvn must be 0..65535, got " + qeSvn);
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
                Hex.decode("03030202040100050000000000000000"), 13, Hex.decode("00806F050000"), 32, 63, 4,
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

    FirmwareVersion firmware() {
        return FirmwareVersion.parse(moduleVersion);
    }

    /** @return the TCB as the descriptor shows it: the 16 bytes of TEE_TCB_SVN and its named parts */
    TcbVersion tcb() {
        Map<String, Integer> parts = new LinkedHashMap<>();
        parts.put("TDX_MODULE_SVN", teeTcbSvn[0] & 0xFF);
        parts.put("TDX_MODULE_MAJOR", teeTcbSvn[1] & 0xFF);
        parts.put("TDX_LATE_MICROCODE", teeTcbSvn[2] & 0xFF);
        parts.put("PCE_SVN", pceSvn);
        return new TcbVersion(io.teebox.api.tee.Bytes.of(teeTcbSvn), parts);
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

    /** @return the QE id the quote header's USER_DATA starts with (16 bytes) */
    byte[] qeId() {
        return Arrays.copyOf(derive("qe-id"), 16);
    }

    /** @return the PCK key pair (P-256), as the platform derives it from its fused secrets */
    KeyPair pckKey() {
        return EcKeys.fromSeed("P-256", derive("pck"));
    }

    /** @return the quoting enclave's attestation key pair (P-256) */
    KeyPair attestationKey() {
        return EcKeys.fromSeed("P-256", derive("qe-attestation-key"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TdxPlatform p && p.moduleVersion.equals(moduleVersion)
                && Arrays.equals(p.teeTcbSvn, teeTcbSvn) && Arrays.equals(p.cpuSvn, cpuSvn) && p.pceSvn == pceSvn
                && Arrays.equals(p.fmspc, fmspc) && p.firstHkid == firstHkid && p.lastHkid == lastHkid
                && p.qeSvn == qeSvn && p.seed.equals(seed);
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
