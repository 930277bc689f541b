package io.teebox.intel.tdx.module.internal;

import io.teebox.intel.tdx.abi.IntelIdentities;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.Hmac;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * TDREPORTs: TEE_TCB_INFO of this module on this platform, TDINFO of the TD, and the REPORTMACSTRUCT MACed with the
 * platform's report key; and their check, the quoting enclave's EVERIFYREPORT2.
 */
final class ReportMac {

    /** TEE_TCB_INFO.VALID: VALID, TEE_TCB_SVN, MRSEAM and TEE_TCB_SVN2 are valid (bit i = field at 8*i). */
    static final long TEE_TCB_INFO_VALID = 0x301FFL;

    private final TdxPlatform platform;
    private final byte[] reportKey;
    private final TdTable tds;

    ReportMac(TdxPlatform platform, TdTable tds) {
        this.platform = platform;
        this.reportKey = platform.reportKey();
        this.tds = tds;
    }

    TdReport report(TdContext td, byte[] reportData) {
        Struct tcb = TdReport.TEE_TCB_INFO.create()
                .set("VALID", TEE_TCB_INFO_VALID)
                .set("TEE_TCB_SVN", platform.teeTcbSvn())
                .set("MRSEAM", platform.mrSeam())
                .set("MRSIGNERSEAM", IntelIdentities.mrSignerSeam())
                .set("ATTRIBUTES", IntelIdentities.SEAM_ATTRIBUTES)
                .set("TEE_TCB_SVN2", platform.teeTcbSvn());
        Struct info = TdReport.TDINFO.create()
                .set("ATTRIBUTES", td.params.attributes())
                .set("XFAM", td.params.xfam())
                .set("MRTD", td.mrtd)
                .set("MRCONFIGID", td.params.mrConfigId())
                .set("MROWNER", td.params.mrOwner())
                .set("MROWNERCONFIG", td.params.mrOwnerConfig());
        for (int i = 0; i < 4; i++) {
            info.set("RTMR" + i, td.rtmr[i]);
        }
        Struct mac = TdReport.REPORTMACSTRUCT.create()
                .set("REPORTTYPE.TYPE", TdReport.TYPE_TDX)
                .set("CPUSVN", platform.cpuSvn())
                .set("TEE_TCB_INFO_HASH", Digests.sha384(tcb.toBytes()))
                .set("TEE_INFO_HASH", Digests.sha384(info.toBytes()))
                .set("REPORTDATA", reportData);
        byte[] maced = java.util.Arrays.copyOf(mac.toBytes(), TdReport.MACED_LENGTH);
        mac.set("MAC", Hmac.sha256(reportKey, maced));
        return TdReport.of(mac, tcb, info);
    }

    /**
     * What the quoting enclave's EVERIFYREPORT2 does: checks the MAC with the platform's report key and the two
     * hashes.
     *
     * @return null if the report verifies, else why not
     */
    Optional<String> verifyReport(byte[] tdReport) {
        return Optional.ofNullable(verifyReport(TdReport.parse(tdReport)));
    }

    String verifyReport(TdReport report) {
        byte[] expected = Hmac.sha256(reportKey, report.macedBytes());
        if (!MessageDigest.isEqual(expected, report.mac())) {
            return "REPORTMACSTRUCT.MAC does not verify with this platform's report key";
        }
        if (!report.hashesMatch()) {
            return "TEE_TCB_INFO_HASH or TEE_INFO_HASH does not match TEE_TCB_INFO/TDINFO";
        }
        return null;
    }

    /** @return a fresh TDREPORT of a TD for the quoting enclave tests (no TDCALL logged) */
    byte[] reportFor(long handle, byte[] reportData) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            return report(td, reportData).toBytes();
        }
    }
}
