package io.teebox.amd.verify.internal;

import java.util.List;

import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/** Builds the verifiers as DS would, with fixed collateral sources. */
public final class TestVerifiers {

    private TestVerifiers() {
    }

    public static EvidenceVerifier sev() {
        return new SevAttestationVerifier();
    }

    public static EvidenceVerifier snp(List<CollateralSource> sources) {
        return new SnpReportVerifier(new CollateralSources(sources));
    }
}
