package io.teebox.amd.verify.testing;

import java.util.List;

import io.teebox.amd.verify.internal.TestVerifiers;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.spi.collateral.CollateralSource;

/** The AMD verifiers for other modules' tests (this module's test-jar), through the API only. */
public final class AmdVerifiers {

    private AmdVerifiers() {
    }

    /** @return the verifier of {@code sev-attestation} evidence */
    public static EvidenceVerifier sev() {
        return TestVerifiers.sev();
    }

    /**
     * @param sources the AMD collateral sources, best first
     * @return the verifier of {@code sev-snp-report} evidence
     */
    public static EvidenceVerifier snp(CollateralSource... sources) {
        return TestVerifiers.snp(List.of(sources));
    }
}
