package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.net.ServerSocket;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.amd.abi.KdsRequest;
import io.teebox.amd.kds.testing.EmulatedKds;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.testing.ServletHost;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The KDS over HTTP: AMD's paths, 404 as nothing, every other answer, a timeout or no server as one line. */
public class KdsHttpSourceTest {

    private static AmdSecureProcessor sp;
    private static ServletHost kds;
    private static ServletHost broken;

    static KdsHttpConfig config(String url, int readTimeoutMs) {
        return new KdsHttpConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return KdsHttpConfig.class;
            }

            @Override
            public String url() {
                return url;
            }

            @Override
            public int connectTimeoutMs() {
                return 2000;
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

    @BeforeClass
    public static void start() throws Exception {
        sp = AmdPlatforms.processor(Map.of("chipSeed", "http-kds-chip"));
        kds = EmulatedKds.serve(sp);
        broken = new ServletHost().serve("/vcek/v1/*", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
                if (req.getRequestURI().endsWith("/crl")) {
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
        kds.close();
        broken.close();
    }

    @Test
    public void fetchesWhatTheKdsServesAtAmdsPaths() throws Exception {
        KdsHttpSource source = new KdsHttpSource(config(kds.baseUrl() + "/", 2000));
        assertEquals(kds.baseUrl(), source.describe());
        KdsRequest vcek = KdsRequest.vcek("Milan", sp.keys().chipId(), sp.snpTcb());
        assertArrayEquals(sp.keys().vcek(sp.snpTcb()).getEncoded(), source.fetch(vcek.kind(), vcek.key())
                .orElseThrow().value());
        assertTrue(new String(source.fetch("cert_chain", Map.of("product", "Milan")).orElseThrow().value())
                .contains("BEGIN CERTIFICATE"));
        assertTrue("404: this KDS has no Genoa", source.fetch("crl", Map.of("product", "Genoa")).isEmpty());
    }

    @Test
    public void otherAnswersTimeoutsAndNoServerAreOneLineErrors() throws Exception {
        KdsHttpSource source = new KdsHttpSource(config(broken.baseUrl(), 300));
        UncheckedIOException busy = assertThrows(UncheckedIOException.class, () -> source.fetch("cert_chain",
                Map.of("product", "Milan")));
        assertEquals("the KDS at " + broken.baseUrl() + " answered /vcek/v1/Milan/cert_chain with HTTP 429: Too many "
                + "requests retry later", busy.getMessage());
        UncheckedIOException slow = assertThrows(UncheckedIOException.class, () -> source.fetch("crl",
                Map.of("product", "Milan")));
        assertEquals("the KDS at " + broken.baseUrl() + " did not answer /vcek/v1/Milan/crl within 300 ms",
                slow.getMessage());
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        UncheckedIOException down = assertThrows(UncheckedIOException.class, () -> new KdsHttpSource(config(
                "http://127.0.0.1:" + port, 300)).fetch("crl", Map.of("product", "Milan")));
        assertTrue(down.getMessage(), down.getMessage().startsWith("the KDS at http://127.0.0.1:" + port
                + " cannot be reached for /vcek/v1/Milan/crl") && !down.getMessage().contains("\n"));
    }

    @Test
    public void aConfigurationThatIsNoKdsBaseUrlIsRefusedNamingTheField() {
        for (String bad : new String[] {"ftp://kdsintf.amd.com", "https://kdsintf.amd.com/vcek/v1", "kdsintf.amd.com",
            "", "https://kdsintf.amd.com?x=1", "http://[::1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new KdsHttpSource(config(bad, 1000)));
            assertTrue(bad + ": " + e.getMessage(), e.getMessage().startsWith("io.teebox.amd.kds.http: url '"));
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KdsHttpSource(config(
                "https://kdsintf.amd.com", 0))).getMessage().contains("readTimeoutMs must be 1..120000"));
    }
}
