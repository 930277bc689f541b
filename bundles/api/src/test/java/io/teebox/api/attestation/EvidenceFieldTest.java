package io.teebox.api.attestation;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class EvidenceFieldTest {

    @Test
    public void keepsItsParts() {
        EvidenceField f = new EvidenceField("REPORT_DATA", 0x50, 64, "00ff");
        assertEquals("REPORT_DATA", f.name());
        assertEquals(0x50, f.offset());
        assertEquals(64, f.length());
        assertEquals("00ff", f.value());
        assertEquals(0, new EvidenceField("QE_AUTH_DATA", 10, 0, "").length());
    }

    private static void refused(String expected, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(expected, e.getMessage());
    }

    @Test
    public void refusesMissingPartsAndNegativeOffsetsOrLengths() {
        refused("evidence field name is null", () -> new EvidenceField(null, 0, 1, "0x00"));
        refused("evidence field name is blank", () -> new EvidenceField(" ", 0, 1, "0x00"));
        refused("evidence field VERSION: value is null", () -> new EvidenceField("VERSION", 0, 4, null));
        refused("evidence field VERSION: offset is -1, expected at least 0",
                () -> new EvidenceField("VERSION", -1, 4, "0x2"));
        refused("evidence field VERSION: length is -4, expected at least 0",
                () -> new EvidenceField("VERSION", 0, -4, "0x2"));
    }

    @Test
    public void aVerifierThatDoesNotDecodeItsFormatGivesNoFields() {
        EvidenceVerifier v = new EvidenceVerifier() {
            @Override
            public String format() {
                return "x";
            }

            @Override
            public io.teebox.api.appraisal.Appraisal verify(Evidence evidence, VerificationOptions options) {
                throw new UnsupportedOperationException();
            }
        };
        assertTrue(v.fields(new Evidence("x", new byte[] {1}, List.of(), Map.of())).isEmpty());
    }
}
