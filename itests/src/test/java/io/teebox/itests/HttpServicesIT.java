package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.teebox.api.platform.HttpEndpoint;

/**
 * The emulated vendor services on the platform's HTTP server (Felix HTTP on Jetty): reachable at their vendor
 * paths, and still answering while hundreds of half-open connections are held, which the server closes after its
 * idle timeout.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HttpServicesIT extends TeeboxTestSupport {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void theKdsAnswersWhile200HalfOpenConnectionsAreHeld() throws Exception {
        String base = service(HttpEndpoint.class, null).baseUrl();
        assertTrue(base, base.startsWith("http://127.0.0.1:"));
        URI uri = URI.create(base);
        String chain = base + "/vcek/v1/Milan/cert_chain";
        assertEquals(200, get(chain).statusCode());
        HttpResponse<String> qe = get(base + "/tdx/certification/v4/qe/identity");
        assertEquals("the Intel PCS on the same server", 200, qe.statusCode());
        assertTrue(qe.headers().firstValue("SGX-Enclave-Identity-Issuer-Chain").isPresent());

        List<Socket> halfOpen = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
                OutputStream out = s.getOutputStream();
                // a request line and one header, never the empty line that ends the headers
                out.write("GET /vcek/v1/Milan/cert_chain HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                halfOpen.add(s);
            }
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(chain);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("BEGIN CERTIFICATE"));
            assertTrue("answered in " + (System.nanoTime() - t0) / 1_000_000 + " ms",
                    System.nanoTime() - t0 < 3_000_000_000L);

            // the server drops them after its idle timeout (2 s here)
            Socket first = halfOpen.get(0);
            first.setSoTimeout(10_000);
            InputStream in = first.getInputStream();
            long t1 = System.nanoTime();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // a 408 response may come first; then the close
            }
            assertTrue("closed after " + (System.nanoTime() - t1) / 1_000_000 + " ms",
                    System.nanoTime() - t1 < 9_000_000_000L);
        } finally {
            for (Socket s : halfOpen) {
                s.close();
            }
        }
    }
}
