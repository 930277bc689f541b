package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.teebox.amd.abi.SevAttestationReport;
import io.teebox.amd.testing.AmdVectors;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.kit.hex.Hex;

/** {@code fields()} of the AMD verifiers: the genuine Milan SNP report and a self-made SEV attestation report. */
public class EvidenceFieldsTest {

    private static EvidenceField field(List<EvidenceField> fields, String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no field " + name + " in " + fields));
    }

    /** Offsets ascend, fields do not overlap and stay inside the report. */
    static void assertOrderedAndDisjoint(List<EvidenceField> fields, int size) {
        long end = 0;
        for (EvidenceField f : fields) {
            assertTrue(f + " starts before the previous field's end " + end, f.offset() >= end);
            end = (long) f.offset() + f.length();
        }
        assertTrue("last field ends at " + end + ", past the report's " + size + " bytes", end <= size);
    }

    private static void assertAt(List<EvidenceField> fields, String name, int offset, int length) {
        EvidenceField f = field(fields, name);
        assertEquals(name + " offset", offset, f.offset());
        assertEquals(name + " length", length, f.length());
    }

    @Test
    public void genuineSnpReportDecodesAtTheAbiOffsets() {
        byte[] report = AmdVectors.milanReport();
        List<EvidenceField> fields = new SnpReportVerifier().fields(GenuineSnpEvidenceTest.genuine());
        assertOrderedAndDisjoint(fields, report.length);
        assertEquals("VERSION", fields.get(0).name());
        assertAt(fields, "VERSION", 0x000, 4);
        assertAt(fields, "POLICY", 0x008, 8);
        assertAt(fields, "REPORT_DATA", 0x050, 64);
        assertAt(fields, "MEASUREMENT", 0x090, 48);
        assertAt(fields, "CHIP_ID", 0x1A0, 64);
        assertAt(fields, "SIGNATURE_R", 0x2A0, 72);
        assertAt(fields, "SIGNATURE_S", 0x2E8, 72);
        assertEquals("SIGNATURE_S", fields.get(fields.size() - 1).name());
        assertEquals("0x00000002", field(fields, "VERSION").value());
        // the genuine report's policy: SMT allowed, reserved bit 17, DEBUG
        assertEquals("0x00000000000B0000", field(fields, "POLICY").value());
        assertEquals("0x4405000000000002", field(fields, "REPORTED_TCB").value());
        assertEquals(Hex.encode(Arrays.copyOf(AmdVectors.GENUINE_REPORT_DATA, 64)),
                field(fields, "REPORT_DATA").value());
        assertEquals("b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01",
                field(fields, "MEASUREMENT").value());
        for (EvidenceField f : fields) {
            byte[] raw = Arrays.copyOfRange(report, f.offset(), f.offset() + f.length());
            if (!f.value().startsWith("0x")) {
                assertEquals(f.name(), Hex.encode(raw), f.value());
            }
        }
    }

    @Test
    public void truncatedSnpReportIsRefusedNamingTheSize() {
        byte[] report = Arrays.copyOf(AmdVectors.milanReport(), 0x2A0);
        Evidence e = new Evidence(SnpReportVerifier.FORMAT, report, List.of(), Map.of());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> new SnpReportVerifier().fields(e));
        assertTrue(x.getMessage(), x.getMessage().contains("ATTESTATION_REPORT is 672 bytes, expected 1184"));
    }

    @Test
    public void snpReportOfAnotherVersionOrFormatIsRefused() {
        byte[] report = AmdVectors.milanReport();
        report[0] = 9;
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class, () -> new SnpReportVerifier()
                .fields(new Evidence(SnpReportVerifier.FORMAT, report, List.of(), Map.of())));
        assertTrue(v.getMessage(), v.getMessage().contains("VERSION is 9"));
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> new SnpReportVerifier()
                .fields(new Evidence("tdx-quote-v4", AmdVectors.milanReport(), List.of(), Map.of())));
        assertTrue(f.getMessage(), f.getMessage().contains("'tdx-quote-v4', expected sev-snp-report"));
    }

    private static byte[] sevReport() {
        byte[] mnonce = "challenge-0001!!".getBytes(StandardCharsets.US_ASCII);
        byte[] digest = Hex.decode("5a".repeat(32));
        return SevAttestationReport.sign(mnonce, digest, 0x3, b -> new BigInteger[] {BigInteger.valueOf(0x1234),
            BigInteger.valueOf(0x5678)}).bytes();
    }

    @Test
    public void sevAttestationReportDecodesAtTheApiOffsets() {
        byte[] report = sevReport();
        List<EvidenceField> fields = new SevAttestationVerifier().fields(new Evidence(SevAttestationVerifier.FORMAT,
                report, List.of(), Map.of()));
        assertOrderedAndDisjoint(fields, report.length);
        assertEquals(List.of("MNONCE", "LAUNCH_DIGEST", "POLICY", "SIG_USAGE", "SIG_ALGO", "SIG_R", "SIG_S"),
                fields.stream().map(EvidenceField::name).toList());
        assertAt(fields, "MNONCE", 0x00, 16);
        assertAt(fields, "LAUNCH_DIGEST", 0x10, 32);
        assertAt(fields, "POLICY", 0x30, 4);
        assertAt(fields, "SIG_R", 0x40, 72);
        assertAt(fields, "SIG_S", 0x88, 72);
        assertEquals(Hex.encode("challenge-0001!!".getBytes(StandardCharsets.US_ASCII)),
                field(fields, "MNONCE").value());
        assertEquals("5a".repeat(32), field(fields, "LAUNCH_DIGEST").value());
        assertEquals("0x00000003", field(fields, "POLICY").value());
        // R is a 72-byte little-endian integer
        assertTrue(field(fields, "SIG_R").value(), field(fields, "SIG_R").value().startsWith("3412000000"));
    }

    @Test
    public void truncatedSevAttestationReportIsRefusedNamingTheSize() {
        byte[] report = Arrays.copyOf(sevReport(), 0x40);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> new SevAttestationVerifier()
                .fields(new Evidence(SevAttestationVerifier.FORMAT, report, List.of(), Map.of())));
        assertTrue(x.getMessage(), x.getMessage().contains("SEV_ATTESTATION_REPORT is 64 bytes, expected 208"));
    }
}
