package io.teebox.intel.tdx.module;

import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TcbVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the platform says about itself: the TDX module's version and TCB, the CPU's SVNs and FMSPC, its PPID and the
 * private HKID range. No secret: the report MAC key and the seeds of the PCK and attestation keys stay in the
 * module ({@link TdxModule#enclaveKey(String)} gives an enclave its keys).
 *
 * @param moduleVersion the TDX module version, for example {@code "1.5.06"}
 * @param teeTcbSvn TEE_TCB_SVN (16 bytes): byte 0 the module's SVN, byte 1 its major version
 * @param mrSeam MRSEAM (48 bytes)
 * @param cpuSvn CPUSVN (16 bytes), also the PCK certificate's SGX TCB components
 * @param pceSvn the PCE SVN
 * @param fmspc the FMSPC (6 bytes)
 * @param ppid the platform provisioning id (16 bytes)
 * @param firstHkid the first private HKID
 * @param lastHkid the last private HKID (inclusive)
 */
public record TdxPlatformInfo(String moduleVersion, Bytes teeTcbSvn, Bytes mrSeam, Bytes cpuSvn, int pceSvn,
        Bytes fmspc, Bytes ppid, int firstHkid, int lastHkid) {

    /** Checks that nothing is missing. */
    public TdxPlatformInfo {
        Objects.requireNonNull(moduleVersion, "moduleVersion");
        Objects.requireNonNull(teeTcbSvn, "teeTcbSvn");
        Objects.requireNonNull(mrSeam, "mrSeam");
        Objects.requireNonNull(cpuSvn, "cpuSvn");
        Objects.requireNonNull(fmspc, "fmspc");
        Objects.requireNonNull(ppid, "ppid");
    }

    /** @return the module version as the descriptor shows it */
    public FirmwareVersion firmware() {
        return FirmwareVersion.parse(moduleVersion);
    }

    /** @return the TCB as the descriptor shows it: the 16 bytes of TEE_TCB_SVN and its named parts */
    public TcbVersion tcb() {
        byte[] svn = teeTcbSvn.value();
        Map<String, Integer> parts = new LinkedHashMap<>();
        parts.put("TDX_MODULE_SVN", svn[0] & 0xFF);
        parts.put("TDX_MODULE_MAJOR", svn[1] & 0xFF);
        parts.put("TDX_LATE_MICROCODE", svn[2] & 0xFF);
        parts.put("PCE_SVN", pceSvn);
        return new TcbVersion(teeTcbSvn, parts);
    }
}
