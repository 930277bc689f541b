package io.teebox.nvidia.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.kit.hex.Hex;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.testing.NvidiaVectors;

/** {@link GpuEvidenceVerifier#fields(Evidence)} of NVIDIA's genuine Hopper attestation report (4117 bytes). */
public class ReportFieldsTest {

    private static final byte[] GENUINE = NvidiaVectors.report();
    private final GpuEvidenceVerifier verifier = new GpuEvidenceVerifier();

    private static Evidence evidence(byte[] report) {
        return new Evidence(AttestationReport.EVIDENCE_FORMAT, report, List.of(), Map.of());
    }

    private static EvidenceField field(List<EvidenceField> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no field " + name + " in " + fields));
    }

    private static void assertAt(List<EvidenceField> fields, String name, int offset, int length, String value) {
        EvidenceField f = field(fields, name);
        assertEquals(name + " offset", offset, f.offset());
        assertEquals(name + " length", length, f.length());
        assertEquals(name + " value", value, f.value());
    }

    @Test
    public void genuineReportDecodesRequestBlocksOpaqueDataAndSignature() {
        List<EvidenceField> fields = verifier.fields(evidence(GENUINE));
        // request 6, response header 6, 64 blocks of 6, nonce and opaque length, 14 opaque fields of 3, signature
        assertEquals(6 + 6 + 64 * 6 + 2 + 14 * 3 + 1, fields.size());
        assertAt(fields, "request.SPDMVersion", 0, 1, "0x11");
        assertAt(fields, "request.RequestResponseCode", 1, 1, "0xE0");
        assertAt(fields, "request.Param2", 3, 1, "0xFF");
        assertAt(fields, "request.Nonce", 4, 32, NvidiaVectors.NONCE_HEX);
        assertAt(fields, "request.SlotID", 36, 1, "0x00");
        assertAt(fields, "response.SPDMVersion", 37, 1, "0x11");
        assertAt(fields, "response.RequestResponseCode", 38, 1, "0x60");
        assertAt(fields, "response.NumberOfBlocks", 41, 1, "0x40");
        assertAt(fields, "response.MeasurementRecordLength", 42, 3, "0x000DC0");
        assertAt(fields, "response.block[1].Index", 45, 1, "0x01");
        assertAt(fields, "response.block[1].MeasurementSpecification", 46, 1, "0x01");
        assertAt(fields, "response.block[1].MeasurementSize", 47, 2, "0x0033");
        assertAt(fields, "response.block[1].DMTFSpecMeasurementValueType", 49, 1, "0x01");
        assertAt(fields, "response.block[1].DMTFSpecMeasurementValueSize", 50, 2, "0x0030");
        assertAt(fields, "response.block[1].DMTFSpecMeasurementValue", 52, 48, "00".repeat(48));
        assertAt(fields, "response.block[2].Index", 100, 1, "0x02");
        assertAt(fields, "response.block[2].DMTFSpecMeasurementValue", 107, 48,
                "8048dfd18fe229bf16eb9d30cca0f11a24dafe6eb731de1462984645a0b189b77c4e4e17de727a5e19e3d07de51da338");
        assertAt(fields, "response.block[64].Index", 3510, 1, "0x40");
        assertAt(fields, "response.Nonce", 3565, 32,
                "b4b8a06aaaa35542839388e159d447a5d6f6194998fd86513e2d591ccf640985");
        assertAt(fields, "response.OpaqueLength", 3597, 2, "0x01A6");
        assertAt(fields, "response.OpaqueData.VBIOS_VERSION.type", 3599, 2, "0x0006");
        assertAt(fields, "response.OpaqueData.VBIOS_VERSION.size", 3601, 2, "0x0008");
        assertAt(fields, "response.OpaqueData.VBIOS_VERSION.value", 3603, 8, "009f009601000000");
        EvidenceField sig = fields.get(fields.size() - 1);
        assertEquals("response.Signature", sig.name());
        assertEquals(4021, sig.offset());
        assertEquals(96, sig.length());
        long end = 0;
        for (EvidenceField f : fields) {
            assertTrue(f + " starts before the previous field's end " + end, f.offset() >= end);
            end = (long) f.offset() + f.length();
            if (!f.value().startsWith("0x")) {
                assertEquals(f.name(), Hex.encode(Arrays.copyOfRange(GENUINE, f.offset(), f.offset() + f.length())),
                        f.value());
            }
        }
        // the fields tile the report: no gaps, nothing after the signature
        assertEquals(GENUINE.length, end);
        assertEquals(GENUINE.length, fields.stream().mapToInt(EvidenceField::length).sum());
    }

    @Test
    public void truncatedReportIsRefusedNamingTheField() {
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
                () -> verifier.fields(evidence(Arrays.copyOf(GENUINE, 4100))));
        assertTrue(cut.getMessage(), cut.getMessage().contains("MEASUREMENTS.Signature at offset 4021 needs 96 bytes, "
                + "but only 79 remain"));
        IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class,
                () -> verifier.fields(evidence(Arrays.copyOf(GENUINE, 20))));
        assertTrue(tiny.getMessage(), tiny.getMessage().contains("shorter than the 37-byte GET_MEASUREMENTS request"));
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> verifier.fields(new Evidence("tdx-quote-v4", GENUINE, List.of(), Map.of())));
        assertTrue(other.getMessage(), other.getMessage().contains("'tdx-quote-v4', expected "
                + AttestationReport.EVIDENCE_FORMAT));
    }
}
