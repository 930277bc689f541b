package io.teebox.shell.internal;

import java.util.Map;

import io.teebox.api.attestation.Evidence;
import io.teebox.kit.hex.HexDump;

/**
 * Evidence with its fields as the format's verifier decodes them.
 *
 * @param evidence the evidence
 * @param claims decoded fields (empty if no verifier for the format is present)
 * @param exported what was written to files, or null
 */
record EvidenceView(Evidence evidence, Map<String, String> claims, String exported) {

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(String.format("format %s, %d bytes, %d certificates%n", evidence.format(),
                evidence.report().length, evidence.certificates().size()));
        claims.forEach((k, v) -> b.append(String.format("  %-14s %s%n", k, v)));
        if (claims.isEmpty()) {
            b.append(HexDump.format(0, evidence.report()));
        }
        if (exported != null) {
            b.append(exported);
        }
        return b.toString().stripTrailing();
    }
}
