package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.testing.ServletHost;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.pcs.internal.EmulatedPcs;
import io.teebox.intel.tdx.abi.PcsRequest;
import io.teebox.spi.collateral.CollateralSource;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * An Intel PCS over HTTP: the bytes the emulated PCS answers in-process, at Intel's v4 paths and headers; 404 as
 * nothing; every other answer, a timeout or no server as one line; a configuration that is no PCS refused by the
 * activator naming the field.
 */
public class PcsHttpSourceTest {

    private static final String FMSPC = "00806f050000";
    private static IntelPcs pcs;
    private static ServletHost broken;

    static PcsHttpConfig config(String url, String rootCaCrlUrl, int connectTimeoutMs, int readTimeoutMs) {
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
                return connectTimeoutMs;
            }

            @Override
            public int readTimeoutMs() {
                return readTimeoutMs;
            }

            @Override
            public int service_ranking() {
                return 0;
            }
        };
    }

    static PcsHttpConfig config(String url, int readTimeoutMs) {
        return config(url, "", 2000, readTimeoutMs);
    }

    @BeforeClass
    public static void start() throws Exception {
        pcs = EmulatedPcs.serve("pcs-http-test", List.of(), Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"),
                ZoneOffset.UTC));
        broken = new ServletHost().serve("/tdx/certification/v4/*", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
                if (req.getRequestURI().endsWith("/identity")) {
                    try {
                        Thread.sleep(1500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                rsp.setStatus(429);
                rsp.getWriter().write("Too many requests\nretry later");
            }
        }).start();
    }

    @AfterClass
    public static void stop() throws Exception {
        EmulatedPcs.stop(pcs);
        broken.close();
    }

    @Test
    public void fetchesTheBytesThePcsServesAtIntelsPathsAndHeaders() {
        PcsHttpSource http = new PcsHttpSource(config(pcs.baseUrl() + "/sgx/certification/v4/", 5000));
        CollateralSource local = EmulatedPcs.source(pcs);
        assertEquals("the base URL without the API path", pcs.baseUrl().toString(), http.describe());
        Map<String, Map<String, String>> requests = Map.of("pckcrl", Map.of("ca", "platform"), "tcb",
                Map.of("fmspc", FMSPC), "qe_identity", Map.of(), "rootcacrl", Map.of());
        for (Map.Entry<String, Map<String, String>> e : requests.entrySet()) {
            assertArrayEquals(e.getKey(), local.fetch(e.getKey(), e.getValue()).orElseThrow().value(),
                    http.fetch(e.getKey(), e.getValue()).orElseThrow().value());
            if (!e.getKey().equals("rootcacrl")) {
                String chain = e.getKey() + PcsRequest.ISSUER_CHAIN;
                byte[] pem = http.fetch(chain, e.getValue()).orElseThrow().value();
                assertArrayEquals(chain + ": the header, URL-decoded", local.fetch(chain, e.getValue())
                        .orElseThrow().value(), pem);
            }
        }
        assertTrue("404: a PCK certificate this PCS never issued", http.fetch("pckcert", Map.of("ppid", "ff".repeat(16),
                "cpusvn", "00".repeat(16), "pcesvn", "0b00", "pceid", "0000")).isEmpty());
        // the root CA CRL from its own URL when one is configured
        PcsHttpSource elsewhere = new PcsHttpSource(config(pcs.baseUrl().toString(), broken.baseUrl()
                + "/tdx/certification/v4/root.crl", 2000, 2000));
        UncheckedIOException crl = assertThrows(UncheckedIOException.class, () -> elsewhere.fetch("rootcacrl",
                Map.of()));
        assertTrue(crl.getMessage(), crl.getMessage().contains("answered /tdx/certification/v4/root.crl with HTTP 429"));
    }

    @Test
    public void otherAnswersTimeoutsAndNoServerAreOneLineErrors() throws Exception {
        // a generous timeout for the answer, a short one for the servlet that sleeps 1.5 s
        PcsHttpSource source = new PcsHttpSource(config(broken.baseUrl(), 5000));
        PcsHttpSource impatient = new PcsHttpSource(config(broken.baseUrl(), 300));
        UncheckedIOException busy = assertThrows(UncheckedIOException.class, () -> source.fetch("tcb",
                Map.of("fmspc", FMSPC)));
        assertEquals("the PCS at " + broken.baseUrl() + " answered /tdx/certification/v4/tcb with HTTP 429: Too many "
                + "requests retry later", busy.getMessage());
        UncheckedIOException slow = assertThrows(UncheckedIOException.class, () -> impatient.fetch("qe_identity",
                Map.of()));
        assertEquals("the PCS at " + broken.baseUrl() + " did not answer /tdx/certification/v4/qe/identity within "
                + "300 ms", slow.getMessage());
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        UncheckedIOException down = assertThrows(UncheckedIOException.class, () -> new PcsHttpSource(config(
                "http://127.0.0.1:" + port, 300)).fetch("pckcrl", Map.of("ca", "platform")));
        assertTrue(down.getMessage(), down.getMessage().startsWith("the PCS at http://127.0.0.1:" + port
                + " cannot be reached for /sgx/certification/v4/pckcrl") && !down.getMessage().contains("\n"));
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> source.fetch("vcek",
                Map.of()));
        assertTrue(kind.getMessage().startsWith("PCS request kind 'vcek'"));
    }

    @Test
    public void aConfigurationThatIsNoPcsIsRefusedNamingTheField() {
        for (String bad : new String[] {"ftp://api.trustedservices.intel.com", "api.trustedservices.intel.com", "",
            "https://api.trustedservices.intel.com/sgx/certification/v3", "https://api.trustedservices.intel.com?x=1",
            "http://[::1", "https://api.trustedservices.intel.com/pcs"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new PcsHttpSource(config(bad, 1000)));
            assertTrue(bad + ": " + e.getMessage(), e.getMessage().startsWith("io.teebox.intel.pcs.http: url '"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PcsHttpSource(config(null, 1000)))
                .getMessage().startsWith("io.teebox.intel.pcs.http: url 'null'"));
        for (String bad : new String[] {"ftp://certificates.trustedservices.intel.com/IntelSGXRootCA.der",
            "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der?x=1", "IntelSGXRootCA.der"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PcsHttpSource(
                    config("https://api.trustedservices.intel.com", bad, 1000, 1000)));
            assertTrue(bad + ": " + e.getMessage(), e.getMessage().startsWith("io.teebox.intel.pcs.http: rootCaCrlUrl '"
                    + bad + "'"));
        }
        assertEquals("io.teebox.intel.pcs.http: readTimeoutMs must be 1..120000, got 0", assertThrows(
                IllegalArgumentException.class, () -> new PcsHttpSource(config("https://api.trustedservices.intel.com",
                        0))).getMessage());
        assertEquals("io.teebox.intel.pcs.http: connectTimeoutMs must be 1..60000, got 60001", assertThrows(
                IllegalArgumentException.class, () -> new PcsHttpSource(config("https://api.trustedservices.intel.com",
                        "", 60_001, 1000))).getMessage());
    }
}
