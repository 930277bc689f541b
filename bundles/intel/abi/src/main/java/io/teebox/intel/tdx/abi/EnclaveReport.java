package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.Layout;

/**
 * The SGX report body (384 bytes, {@code sgx_report_body_t} of Intel's {@code sgx_report.h}), which a Quote v4
 * carries as the quoting enclave's report. Reserved ranges are must-be-zero.
 */
public final class EnclaveReport {

    /** The structure's size. */
    public static final int SIZE = 384;
    /** ATTRIBUTES.FLAGS bit 1: the enclave is a debug enclave. */
    public static final long FLAG_DEBUG = 0x2;
    /** The layout, with the field names of {@code sgx_report_body_t}. */
    public static final Layout LAYOUT = Layout.define("SGX_REPORT_BODY", SIZE)
            .bytes("CPUSVN", 0x000, 16)
            .u32("MISCSELECT", 0x010)
            .reserved(0x014, 12)
            .bytes("ISVEXTPRODID", 0x020, 16)
            .u64("ATTRIBUTES.FLAGS", 0x030)
            .u64("ATTRIBUTES.XFRM", 0x038)
            .bytes("MRENCLAVE", 0x040, 32)
            .reserved(0x060, 32)
            .bytes("MRSIGNER", 0x080, 32)
            .reserved(0x0A0, 32)
            .bytes("CONFIGID", 0x0C0, 64)
            .u16("ISVPRODID", 0x100)
            .u16("ISVSVN", 0x102)
            .u16("CONFIGSVN", 0x104)
            .reserved(0x106, 42)
            .bytes("ISVFAMILYID", 0x130, 16)
            .bytes("REPORTDATA", 0x140, 64)
            .build();

    /** Offset of the 16-byte ATTRIBUTES (FLAGS then XFRM) as collateral masks address it. */
    public static final int ATTRIBUTES_OFFSET = 0x030;

    private EnclaveReport() {
    }
}
