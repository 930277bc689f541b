package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.pcs.internal.EmulatedPcs;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;
import java.lang.annotation.Annotation;
import java.util.List;

/** The DCAP verifier of a test platform for other modules' tests (this module's test-jar). */
public final class IntelVerifiers {

    private IntelVerifiers() {
    }

    /** @return a DCAP verifier with no collateral source: it appraises what the evidence carries */
    public static EvidenceVerifier dcap() {
        return new TdxQuoteVerifier();
    }

    /**
     * @param pcs an emulated PCS
     * @return a DCAP verifier whose collateral source is the PCS's in-process one, as on the platform
     */
    public static EvidenceVerifier dcap(IntelPcs pcs) {
        return dcap(EmulatedPcs.source(pcs));
    }

    /**
     * @param sources collateral sources, best first
     * @return a DCAP verifier asking them in that order
     */
    public static EvidenceVerifier dcap(CollateralSource... sources) {
        return new TdxQuoteVerifier(new CollateralSources(List.of(sources)));
    }

    /**
     * @param url a PCS base URL
     * @param readTimeoutMs the read timeout
     * @return the HTTP collateral source of a configuration of {@code io.teebox.intel.pcs.http} with that URL
     */
    public static CollateralSource httpSource(String url, int readTimeoutMs) {
        return new PcsHttpSource(config(url, "", 2000, readTimeoutMs));
    }

    static PcsHttpConfig config(String url, String rootCaCrlUrl, int connectMs, int readMs) {
        return new PcsHttpConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PcsHttpConfig.class;
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public String rootCaCrlUrl() {
                return rootCaCrlUrl;
            }

            @Override
            public int connectTimeoutMs() {
                return connectMs;
            }

            @Override
            public int readTimeoutMs() {
                return readMs;
            }

            @Override
            public int service_ranking() {
                return 0;
            }
        };
    }
}
