package io.teebox.amd.verify.internal;

import java.util.ArrayList;
import java.util.List;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;

/** The fields of a parsed fixed-layout report, for {@link io.teebox.api.attestation.EvidenceVerifier#fields}. */
final class LayoutFields {

    private LayoutFields() {
    }

    /**
     * @param evidence the evidence
     * @param format the format the verifier decodes
     * @return the report's bytes
     * @throws IllegalArgumentException if the evidence is of another format
     */
    static byte[] report(Evidence evidence, String format) {
        if (!format.equals(evidence.format())) {
            throw new IllegalArgumentException("evidence format is '" + evidence.format() + "', expected " + format);
        }
        return evidence.report();
    }

    /**
     * @param s a parsed structure
     * @param base where it starts in the report
     * @return every named field of its layout in offset order, with offsets in the report
     */
    static List<EvidenceField> of(Struct s, int base) {
        Layout layout = s.layout();
        List<EvidenceField> out = new ArrayList<>();
        for (String name : layout.fields()) {
            out.add(new EvidenceField(name, base + layout.offset(name), layout.length(name), s.render(name)));
        }
        return out;
    }
}
