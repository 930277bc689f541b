package io.teebox.amd.snp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.amd.sp.internal.AmdSecureProcessorImpl;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

/** The KDS emulation answers at AMD's URL paths over real HTTP on loopback. */
public class KdsServerTest {

    private static AmdSecureProcessorImpl sp;
    private static KdsServer kds;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeClass
    public static void start() throws Exception {
        sp = SnpBackendTest.processor(Map.of("chipSeed", "kds-chip"));
        kds = new KdsServer(sp, new KdsServer.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return KdsServer.Config.class;
            }

            @Override
            public int port() {
                return 0;
            }
        });
    }

    @AfterClass
    public static void stop() {
        kds.stop();
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(kds.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    public void servesChainVcekAndCrlAtKdsPaths() throws Exception {
        HttpResponse<byte[]> chain = get("/vcek/v1/Milan/cert_chain");
        assertEquals(200, chain.statusCode());
        var certs = X509Authority.certificatesFromPem(new String(chain.body()));
        assertEquals(List.of(sp.keys().ask(), sp.keys().ark()), certs);

        TcbVersion tcb = sp.snpTcb();
        Map<String, Integer> c = tcb.components();
        String q = String.format("?blSPL=%02d&teeSPL=%02d&snpSPL=%02d&ucodeSPL=%02d", c.get("BOOT_LOADER"),
                c.get("TEE"), c.get("SNP"), c.get("MICROCODE"));
        HttpResponse<byte[]> vcek = get("/vcek/v1/Milan/" + Hex.encode(sp.keys().chipId()) + q);
        assertEquals(200, vcek.statusCode());
        assertEquals(sp.keys().vcekKeys(tcb).getPublic(), X509Authority.certificateFromDer(vcek.body())
                .getPublicKey());
        X509Authority.certificateFromDer(vcek.body()).verify(sp.keys().ask().getPublicKey());

        HttpResponse<byte[]> crl = get("/vcek/v1/Milan/crl");
        assertEquals(200, crl.statusCode());
        X509Authority.crlFromDer(crl.body()).verify(sp.keys().ark().getPublicKey());
    }

    @Test
    public void badRequestsAreAnsweredWithAReason() throws Exception {
        assertEquals(404, get("/vcek/v1/Genoa/cert_chain").statusCode());
        assertEquals(404, get("/vcek/v1/Milan/" + "00".repeat(64) + "?blSPL=1&teeSPL=0&snpSPL=8&ucodeSPL=1")
                .statusCode());
        HttpResponse<byte[]> missing = get("/vcek/v1/Milan/" + Hex.encode(sp.keys().chipId()) + "?blSPL=3");
        assertEquals(400, missing.statusCode());
        assertTrue(new String(missing.body()).contains("teeSPL is missing"));
        assertEquals(404, get("/vcek/v1/Milan").statusCode());
    }
}
