package io.teebox.nvidia.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Tier;
import io.teebox.api.testing.ServletHost;
import io.teebox.spi.collateral.CollateralSources;

/** The GPU verifier fetching RIMs and OCSP answers over HTTP from the emulated NVIDIA services. */
public class NvidiaHttpSourceTest {

    static NvidiaHttpConfig config(String rim, String ocsp, int connectMs) {
        return new NvidiaHttpConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return NvidiaHttpConfig.class;
            }

            @Override
            public String rimUrl() {
                return rim;
            }

            @Override
            public String ocspUrl() {
                return ocsp;
            }

            @Override
            public int connectTimeoutMs() {
                return connectMs;
            }

            @Override
            public int readTimeoutMs() {
                return 5000;
            }

            @Override
            public int service_ranking() {
                return 0;
            }
        };
    }

    @Test
    public void verifierFetchesRimsAndOcspOverHttp() throws Exception {
        GpuEvidenceVerifierRimTest.Gpu gpu = new GpuEvidenceVerifierRimTest.Gpu();
        gpu.publishMatchingRims(GpuEvidenceVerifierRimTest.GENUINE.response().blocks());
        try (ServletHost host = new ServletHost()) {
            host.serve("/nvidia/rim/v1/rim/*", gpu.nvidia).serve("/nvidia/ocsp", gpu.nvidia).start();
            NvidiaHttpSource http = new NvidiaHttpSource(config(host.baseUrl() + "/nvidia/rim/",
                    host.baseUrl() + "/nvidia/ocsp", 2000));
            Appraisal a = new GpuEvidenceVerifier(new CollateralSources(List.of(http))).verify(
                    gpu.evidence(gpu.report(GpuEvidenceVerifierRimTest.NONCE,
                            GpuEvidenceVerifierRimTest.GENUINE.response().blocks())),
                    gpu.options(GpuEvidenceVerifierRimTest.NONCE, Map.of()));
            assertEquals(a.checks().toString(), Tier.AFFIRMING, a.status());
            assertTrue(http.fetch("rim", Map.of("id", "NV_GPU_DRIVER_GH100_0.0")).isEmpty());
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> http.fetch("ocsp", Map.of("request", "*not base64*")));
            assertTrue(bad.getMessage(), bad.getMessage().contains("not base64"));
        }
    }

    @Test
    public void anUnreachableServiceIsAOneLineError() {
        NvidiaHttpSource http = new NvidiaHttpSource(config("http://127.0.0.1:9", "http://127.0.0.1:9/ocsp", 500));
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> http.fetch("rim", Map.of("id", "NV_GPU_DRIVER_GH100_550.90.07")));
        assertTrue(e.getMessage(), e.getMessage().contains("cannot be reached for RIM NV_GPU_DRIVER_GH100_550.90.07"));
        assertFalse(e.getMessage(), e.getMessage().contains("\n"));
    }

    @Test
    public void badConfigurationIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NvidiaHttpSource(config("ftp://rim", "https://ocsp.ndis.nvidia.com/", 500)));
        assertTrue(e.getMessage(), e.getMessage().contains("rimUrl 'ftp://rim'"));
        assertThrows(IllegalArgumentException.class,
                () -> new NvidiaHttpSource(config("https://rim.attestation.nvidia.com", "https://o", 0)));
    }
}
