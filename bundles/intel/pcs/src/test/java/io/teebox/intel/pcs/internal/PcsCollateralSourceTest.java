package io.teebox.intel.pcs.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.abi.PcsRequest;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;
import io.teebox.spi.collateral.CollateralSource;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The emulated PCS's in-process collateral source answers with the bytes its servlet serves at the PCS v4 paths
 * (issuer chains: the URL-decoded header); what the PCS does not have is empty (its servlet's 404), a request it
 * cannot read a one-line refusal.
 */
public class PcsCollateralSourceTest {

    private static final String FMSPC = "00806f050000";
    private static final byte[] PPID = Hex.decode("0102030405060708090a0b0c0d0e0f10");
    private static final byte[] CPUSVN = Hex.decode("05050505050500000000000000000000");
    private static final byte[] PCEID = {0, 0};
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static IntelPcs pcs;
    private static CollateralSource source;

    @BeforeClass
    public static void serve() {
        // a fixed clock: the CRLs and documents are dated by it, so every answer has the same bytes
        pcs = EmulatedPcs.serve("pcs-source-test", List.of(), Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"),
                ZoneOffset.UTC));
        pcs.certifyPck(PPID, CPUSVN, 11, PCEID, Hex.decode(FMSPC), EcKeys.generate("P-256").getPublic());
        source = EmulatedPcs.source(pcs);
    }

    @AfterClass
    public static void stop() {
        EmulatedPcs.stop(pcs);
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pcs.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] fetch(String kind, Map<String, String> key) {
        return source.fetch(kind, key).orElseThrow(() -> new AssertionError("no " + kind)).value();
    }

    @Test
    public void answersWithTheBytesTheServletServes() throws Exception {
        Map<String, Map<String, String>> requests = Map.of("pckcrl", Map.of("ca", "platform"), "tcb",
                Map.of("fmspc", FMSPC), "qe_identity", Map.of(), "rootcacrl", Map.of(), "pckcert", Map.of("ppid",
                        Hex.encode(PPID), "cpusvn", Hex.encode(CPUSVN), "pcesvn", "0b00", "pceid", "0000"));
        for (Map.Entry<String, Map<String, String>> e : requests.entrySet()) {
            PcsRequest r = new PcsRequest(e.getKey(), e.getValue());
            HttpResponse<byte[]> rsp = get(r.path());
            assertEquals(r.path(), 200, rsp.statusCode());
            assertArrayEquals(r.path(), rsp.body(), fetch(e.getKey(), e.getValue()));
            if (!e.getKey().equals("rootcacrl")) {
                PcsRequest chain = new PcsRequest(e.getKey() + PcsRequest.ISSUER_CHAIN, e.getValue());
                String header = URLDecoder.decode(rsp.headers().firstValue(chain.issuerChainHeader().orElseThrow())
                        .orElseThrow(), StandardCharsets.UTF_8);
                assertEquals(chain.kind(), header, new String(fetch(chain.kind(), chain.key()),
                        StandardCharsets.US_ASCII));
                assertTrue(header.startsWith("-----BEGIN CERTIFICATE-----"));
            }
        }
        assertTrue(source.describe().equals(pcs.baseUrl().toString()));
    }

    @Test
    public void itsTrustAnchorIsIntelsSgxRootCa() throws Exception {
        String pem = new String(fetch(CollateralSource.TRUST_ANCHORS, Map.of()), StandardCharsets.US_ASCII);
        assertEquals("one certificate", 1, pem.split("-----BEGIN CERTIFICATE-----", -1).length - 1);
        byte[] der = java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        assertArrayEquals(pcs.rootCaCertificate(), der);
    }

    @Test
    public void whatThePcsDoesNotHaveIsEmptyAsItsServletsNotFound() throws Exception {
        Map<String, String> unknown = Map.of("ppid", "ff".repeat(16), "cpusvn", Hex.encode(CPUSVN), "pcesvn",
                "0b00", "pceid", "0000");
        assertEquals(404, get(new PcsRequest("pckcert", unknown).path()).statusCode());
        assertTrue(source.fetch("pckcert", unknown).isEmpty());
        assertTrue(source.fetch("pckcert_issuer_chain", unknown).isEmpty());
    }

    @Test
    public void aRequestThePcsCannotReadIsRefusedInOneLine() {
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> source.fetch("vcek",
                Map.of()));
        assertTrue(kind.getMessage(), kind.getMessage().startsWith("the emulated PCS refuses the vcek request: PCS "
                + "request kind 'vcek'"));
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> source.fetch("tcb",
                Map.of("fmspc", "zz")));
        assertEquals("the emulated PCS refuses the tcb request: PCS request: fmspc is 'zz', expected 12 hex digits",
                key.getMessage());
    }
}
