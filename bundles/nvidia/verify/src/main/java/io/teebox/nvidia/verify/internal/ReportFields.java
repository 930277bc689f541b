package io.teebox.nvidia.verify.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.kit.hex.Hex;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.abi.GetMeasurementsRequest;
import io.teebox.nvidia.abi.MeasurementBlock;
import io.teebox.nvidia.abi.MeasurementsResponse;
import io.teebox.nvidia.abi.OpaqueField;

/**
 * The H100's attestation report decoded into its SPDM 1.1 fields (DSP0274 1.1 §10.11) with their offsets, for
 * {@link GpuEvidenceVerifier#fields(Evidence)}: the GET_MEASUREMENTS request ({@code request.}), then the
 * MEASUREMENTS response ({@code response.}): its header, each measurement block ({@code response.block[<index>].})
 * with its DMTF measurement, the responder's nonce, the opaque data field by field
 * ({@code response.OpaqueData.<NVIDIA's field name>.}) and the signature. The report is parsed first
 * ({@link AttestationReport#parse}), so every length walked here has been checked against the bytes; the field names
 * are those of DSP0274 and of the parser's errors. Integers are little-endian, as SPDM encodes them.
 */
final class ReportFields {

    private static final String RQ = "request.";
    private static final String RS = "response.";
    private final byte[] report;
    private final List<EvidenceField> out = new ArrayList<>();
    private int p;

    private ReportFields(byte[] report) {
        this.report = report;
    }

    /**
     * @param evidence evidence of format {@value AttestationReport#EVIDENCE_FORMAT}
     * @return the report's fields in offset order
     * @throws IllegalArgumentException if the evidence is of another format or the report does not parse; the
     *         parser's message names the field and its offset
     */
    static List<EvidenceField> of(Evidence evidence) {
        if (!AttestationReport.EVIDENCE_FORMAT.equals(evidence.format())) {
            throw new IllegalArgumentException("evidence format is '" + evidence.format() + "', expected "
                    + AttestationReport.EVIDENCE_FORMAT);
        }
        byte[] bytes = evidence.report();
        return new ReportFields(bytes).decode(AttestationReport.parse(bytes));
    }

    private List<EvidenceField> decode(AttestationReport r) {
        number(RQ + "SPDMVersion", 1);
        number(RQ + "RequestResponseCode", 1);
        number(RQ + "Param1", 1);
        number(RQ + "Param2", 1);
        bytes(RQ + "Nonce", GetMeasurementsRequest.NONCE_LENGTH);
        number(RQ + "SlotID", 1);
        MeasurementsResponse resp = r.response();
        number(RS + "SPDMVersion", 1);
        number(RS + "RequestResponseCode", 1);
        number(RS + "Param1", 1);
        number(RS + "Param2", 1);
        number(RS + "NumberOfBlocks", 1);
        number(RS + "MeasurementRecordLength", 3);
        for (MeasurementBlock b : resp.blocks()) {
            String at = RS + "block[" + b.index() + "].";
            number(at + "Index", 1);
            number(at + "MeasurementSpecification", 1);
            number(at + "MeasurementSize", 2);
            number(at + "DMTFSpecMeasurementValueType", 1);
            number(at + "DMTFSpecMeasurementValueSize", 2);
            bytes(at + "DMTFSpecMeasurementValue", b.value().length);
        }
        bytes(RS + "Nonce", MeasurementsResponse.NONCE_LENGTH);
        number(RS + "OpaqueLength", 2);
        Map<String, Integer> seen = new HashMap<>();
        for (OpaqueField f : resp.opaqueData().fields()) {
            int n = seen.merge(f.name(), 1, Integer::sum);
            String at = RS + "OpaqueData." + f.name() + (n > 1 ? "[" + n + "]" : "") + ".";
            number(at + "type", 2);
            number(at + "size", 2);
            bytes(at + "value", f.value().length);
        }
        bytes(RS + "Signature", MeasurementsResponse.SIGNATURE_LENGTH);
        if (p != report.length) {
            throw new IllegalStateException("decoded " + p + " of the report's " + report.length + " bytes");
        }
        return List.copyOf(out);
    }

    /** A little-endian unsigned integer of 1 to 3 bytes at the current offset. */
    private void number(String name, int width) {
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = (v << 8) | (report[p + i] & 0xFF);
        }
        out.add(new EvidenceField(name, p, width, String.format("0x%0" + (2 * width) + "X", v)));
        p += width;
    }

    private void bytes(String name, int length) {
        out.add(new EvidenceField(name, p, length, Hex.encode(Arrays.copyOfRange(report, p, p + length))));
        p += length;
    }
}
