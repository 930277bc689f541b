package io.teebox.tpm.abi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.teebox.kit.crypto.Digests;

/**
 * The attestation report an Azure-style paravisor (HCL, OpenHCL) leaves in its vTPM's NV index
 * {@value #NV_INDEX}: the IGVM attestation request of version 1 that it also sends to the host's attestation agent.
 * Little-endian, unlike the TPM's own structures:
 *
 * <pre>
 * 0x000  header: signature "HCLA" (0x414C4348), version 2, report_size (the whole structure), request_type 2
 *        (AK certificate request), status 0, 12 reserved bytes
 * 0x020  the hardware report, in a 0x4A0-byte slot: an SNP ATTESTATION_REPORT (1184 bytes) or a TDX TDREPORT
 *        (1024 bytes), zero-padded
 * 0x4C0  request data: data_size (20 + the runtime claims), version 1, report_type (2 SNP, 4 TDX),
 *        report_data_hash_type (1 SHA-256), variable_data_size
 * 0x4D4  the runtime claims (JSON), whose SHA-256 is the first half of the hardware report's REPORT_DATA
 * </pre>
 *
 * (openvmm's {@code IgvmAttestRequestBase} for NV index 0x01400001; parsed the same way by Azure's
 * {@code az-cvm-vtpm} crate.)
 *
 * @param reportType {@link #SNP_VM_REPORT} or {@link #TDX_VM_REPORT}
 * @param hardwareReport the hardware report, of the size of its type
 * @param runtimeClaims the runtime claims
 */
public record HclReport(int reportType, byte[] hardwareReport, byte[] runtimeClaims) {

    /** The vTPM NV index that holds the report. */
    public static final int NV_INDEX = 0x01400001;
    /** The header's signature, "HCLA" read as a little-endian integer. */
    public static final int SIGNATURE = 0x414C4348;
    /** The header's version. */
    public static final int VERSION = 2;
    /** The request type: an AK certificate request. */
    public static final int REQUEST_TYPE_AK_CERT = 2;
    /** An SEV-SNP ATTESTATION_REPORT. */
    public static final int SNP_VM_REPORT = 2;
    /** A TDX TDREPORT_STRUCT. */
    public static final int TDX_VM_REPORT = 4;
    /** The hash of the runtime claims in REPORT_DATA: SHA-256. */
    public static final int HASH_SHA256 = 1;
    /** The hardware report's slot. */
    public static final int REPORT_SLOT = 0x4A0;
    /** The offset of the hardware report. */
    public static final int REPORT_OFFSET = 0x20;
    /** The offset of the request data. */
    public static final int REQUEST_DATA_OFFSET = REPORT_OFFSET + REPORT_SLOT;
    /** The size of the request data before the claims. */
    public static final int REQUEST_DATA_SIZE = 20;
    /** The offset of the runtime claims. */
    public static final int CLAIMS_OFFSET = REQUEST_DATA_OFFSET + REQUEST_DATA_SIZE;

    /**
     * @param reportType {@link #SNP_VM_REPORT} or {@link #TDX_VM_REPORT}
     * @param hardwareReport the hardware report, of the size of its type
     * @param runtimeClaims the runtime claims
     * @throws IllegalArgumentException for another type or a report of another size
     */
    public HclReport {
        int size = reportSize(reportType);
        if (hardwareReport.length != size) {
            throw new IllegalArgumentException("the " + typeName(reportType) + " hardware report is "
                    + hardwareReport.length + " bytes, expected " + size);
        }
        hardwareReport = hardwareReport.clone();
        runtimeClaims = runtimeClaims.clone();
    }

    /** @return the size of a hardware report of the type */
    private static int reportSize(int reportType) {
        return switch (reportType) {
            case SNP_VM_REPORT -> 1184;
            case TDX_VM_REPORT -> 1024;
            default -> throw new IllegalArgumentException("HCL report type " + reportType + " is neither SNP ("
                    + SNP_VM_REPORT + ") nor TDX (" + TDX_VM_REPORT + ")");
        };
    }

    private static String typeName(int reportType) {
        return reportType == SNP_VM_REPORT ? "SNP" : "TDX";
    }

    /** @return the REPORT_DATA that binds the runtime claims: their SHA-256, then 32 zero bytes */
    public byte[] expectedReportData() {
        return Arrays.copyOf(Digests.sha256(runtimeClaims), 64);
    }

    /** @return the REPORT_DATA of the hardware report (SNP offset 0x50, TDREPORT offset 0x80) */
    public byte[] hardwareReportData() {
        int at = reportType == SNP_VM_REPORT ? 0x50 : 0x80;
        return Arrays.copyOfRange(hardwareReport, at, at + 64);
    }

    /** @return the report's bytes */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(CLAIMS_OFFSET + runtimeClaims.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(SIGNATURE).putInt(VERSION).putInt(b.capacity()).putInt(REQUEST_TYPE_AK_CERT).putInt(0);
        b.position(REPORT_OFFSET);
        b.put(hardwareReport);
        b.position(REQUEST_DATA_OFFSET);
        b.putInt(REQUEST_DATA_SIZE + runtimeClaims.length).putInt(1).putInt(reportType).putInt(HASH_SHA256)
                .putInt(runtimeClaims.length);
        b.put(runtimeClaims);
        return b.array();
    }

    /**
     * @param bytes a report, possibly followed by the rest of its NV index
     * @return the report
     * @throws IllegalArgumentException naming the first field that is wrong
     */
    public static HclReport parse(byte[] bytes) {
        if (bytes.length < CLAIMS_OFFSET) {
            throw new IllegalArgumentException("the HCL report is " + bytes.length + " bytes, shorter than its "
                    + CLAIMS_OFFSET + "-byte fixed part");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int signature = b.getInt(0);
        if (signature != SIGNATURE) {
            throw new IllegalArgumentException(String.format("the HCL report's signature is 0x%08X, expected "
                    + "0x%08X (HCLA)", signature, SIGNATURE));
        }
        int type = b.getInt(REQUEST_DATA_OFFSET + 8);
        int size = reportSize(type);
        for (int i = REPORT_OFFSET + size; i < REQUEST_DATA_OFFSET; i++) {
            if (bytes[i] != 0) {
                throw new IllegalArgumentException("the HCL report's hardware slot has a non-zero byte at 0x"
                        + Integer.toHexString(i) + ", after the " + size + "-byte " + typeName(type) + " report");
            }
        }
        int hash = b.getInt(REQUEST_DATA_OFFSET + 12);
        if (hash != HASH_SHA256) {
            throw new IllegalArgumentException("the HCL report's report_data_hash_type is " + hash
                    + ", expected 1 (SHA-256)");
        }
        long claims = Integer.toUnsignedLong(b.getInt(REQUEST_DATA_OFFSET + 16));
        if (claims > bytes.length - CLAIMS_OFFSET) {
            throw new IllegalArgumentException("the HCL report's variable_data_size " + claims + " runs past its "
                    + bytes.length + " bytes");
        }
        long reportSize = Integer.toUnsignedLong(b.getInt(8));
        if (reportSize != CLAIMS_OFFSET + claims) {
            throw new IllegalArgumentException("the HCL report's report_size is " + reportSize + ", expected "
                    + (CLAIMS_OFFSET + claims) + " (the fixed part and variable_data_size)");
        }
        long dataSize = Integer.toUnsignedLong(b.getInt(REQUEST_DATA_OFFSET));
        if (dataSize != REQUEST_DATA_SIZE + claims) {
            throw new IllegalArgumentException("the HCL report's data_size is " + dataSize + ", expected "
                    + (REQUEST_DATA_SIZE + claims) + " (20 + variable_data_size)");
        }
        return new HclReport(type, Arrays.copyOfRange(bytes, REPORT_OFFSET, REPORT_OFFSET + size),
                Arrays.copyOfRange(bytes, CLAIMS_OFFSET, CLAIMS_OFFSET + (int) claims));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HclReport r && r.reportType == reportType && Arrays.equals(r.hardwareReport,
                hardwareReport) && Arrays.equals(r.runtimeClaims, runtimeClaims);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * reportType + Arrays.hashCode(hardwareReport)) + Arrays.hashCode(runtimeClaims);
    }

    @Override
    public String toString() {
        return "HclReport[" + typeName(reportType) + ", " + hardwareReport.length + "-byte report, "
                + runtimeClaims.length + " bytes of runtime claims]";
    }

    /** @return a copy of the hardware report */
    @Override
    public byte[] hardwareReport() {
        return hardwareReport.clone();
    }

    /** @return a copy of the runtime claims */
    @Override
    public byte[] runtimeClaims() {
        return runtimeClaims.clone();
    }
}
