package io.teebox.amd.kds.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

/** The KDS emulation answers at AMD's URL paths over real HTTP on loopback. */
public class KdsServerTest {

    private static AmdSecureProcessor sp;
    private static KdsServer kds;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static io.teebox.api.testing.ServletHost host;

    @BeforeClass
    public static void start() throws Exception {
        sp = AmdPlatforms.processor(Map.of("chipSeed", "kds-chip"));
        host = new io.teebox.api.testing.ServletHost();
        kds = new KdsServer(sp, host);
        host.serve("/vcek/v1/*", kds).serve("/vlek/v1/*", kds).start();
    }

    @AfterClass
    public static void stop() throws Exception {
        host.close();
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
    public void servesTheCertificatesTheEvidenceCarriesInAmdsShape() throws Exception {
        TcbVersion tcb = sp.snpTcb();
        Map<String, Integer> c = tcb.components();
        String q = String.format("?blSPL=%d&teeSPL=%d&snpSPL=%d&ucodeSPL=%d", c.get("BOOT_LOADER"), c.get("TEE"),
                c.get("SNP"), c.get("MICROCODE"));
        byte[] served = get("/vcek/v1/Milan/" + Hex.encode(sp.keys().chipId()) + q).body();
        assertArrayEquals("the KDS serves the VCEK it issued, byte for byte", sp.keys().vcek(tcb).getEncoded(),
                served);
        var vcek = X509Authority.certificateFromDer(served);
        assertEquals(java.math.BigInteger.ZERO, vcek.getSerialNumber());
        assertEquals(-1, vcek.getBasicConstraints());
        assertArrayEquals("the hwID is the raw CHIP_ID", sp.keys().chipId(), org.bouncycastle.asn1.ASN1OctetString
                .getInstance(vcek.getExtensionValue("1.3.6.1.4.1.3704.1.4")).getOctets());
        var crl = X509Authority.crlFromDer(get("/vcek/v1/Milan/crl").body());
        assertEquals("1.2.840.113549.1.1.10", crl.getSigAlgOID());
        var chain = X509Authority.certificatesFromPem(new String(get("/vcek/v1/Milan/cert_chain").body()));
        var valid = io.teebox.kit.x509.CertificateChainValidator.builder().trustAnchors(List.of(chain.get(1)))
                .crls(List.of(crl)).build().validate(List.of(vcek, chain.get(0), chain.get(1)));
        assertTrue(valid.problems().toString(), valid.valid());
        assertTrue(valid.revocationCheckedBy(chain.get(1)));
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

    @Test
    public void servesTheVlekTreeAtTheVlekPaths() throws Exception {
        var chain = X509Authority.certificatesFromPem(new String(get("/vlek/v1/Milan/cert_chain").body()));
        assertEquals(List.of(sp.keys().asvk().certificate(), sp.keys().ark()), chain);
        HttpResponse<byte[]> crl = get("/vlek/v1/Milan/crl");
        assertEquals(200, crl.statusCode());
        X509Authority.crlFromDer(crl.body()).verify(sp.keys().ark().getPublicKey());
        HttpResponse<byte[]> noVlek = get("/vlek/v1/Milan/cert?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115");
        assertEquals("the platform signs with its VCEK: no VLEK is loaded", 404, noVlek.statusCode());
        assertTrue(new String(noVlek.body()), new String(noVlek.body()).contains("VLEK"));

        io.teebox.amd.sp.AmdSecureProcessor vlekSp = AmdPlatforms.processor(Map.of("chipSeed", "kds-chip",
                "signingKey", "VLEK"));
        KdsResources vlek = new KdsResources(vlekSp);
        TcbVersion tcb = vlekSp.snpTcb();
        byte[] served = vlek.answer(io.teebox.amd.abi.KdsRequest.parse("/vlek/v1/Milan/cert", name -> Map.of(
                "blSPL", "3", "teeSPL", "0", "snpSPL", "8", "ucodeSPL", "115").get(name))).body();
        assertArrayEquals(vlekSp.keys().vlek(tcb, vlekSp.vlekCspId()).getEncoded(), served);
        assertEquals(404, get("/vlek/v1/Milan/" + Hex.encode(sp.keys().chipId())).statusCode());
    }

    @Test
    public void theCollateralSourceAnswersWhatTheHttpKdsServes() throws Exception {
        KdsCollateralSource source = new KdsCollateralSource(sp, host);
        assertEquals(host.baseUrl(), source.describe());
        TcbVersion tcb = sp.snpTcb();
        io.teebox.amd.abi.KdsRequest vcek = io.teebox.amd.abi.KdsRequest.vcek("Milan", sp.keys().chipId(), tcb);
        assertArrayEquals(get(vcek.path()).body(), source.fetch(vcek.kind(), vcek.key()).orElseThrow().value());
        assertArrayEquals(get("/vcek/v1/Milan/cert_chain").body(), source.fetch("cert_chain",
                Map.of("product", "Milan")).orElseThrow().value());
        X509Authority.crlFromDer(source.fetch("crl", Map.of("product", "Milan")).orElseThrow().value())
                .verify(sp.keys().ark().getPublicKey());
        assertTrue("another chip's VCEK is not here", source.fetch("vcek", Map.of("product", "Milan", "hwid",
                "00".repeat(64), "blSPL", "3", "teeSPL", "0", "snpSPL", "8", "ucodeSPL", "115")).isEmpty());
        assertTrue("nor another product's chain", source.fetch("cert_chain", Map.of("product", "Genoa")).isEmpty());
        String anchors = new String(source.fetch(io.teebox.spi.collateral.CollateralSource.TRUST_ANCHORS, Map.of())
                .orElseThrow().value(), java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals("the ARK of the one product line served", 1, anchors.split("-----BEGIN CERTIFICATE-----",
                -1).length - 1);
        assertArrayEquals(sp.keys().ark().getEncoded(), java.util.Base64.getMimeDecoder().decode(anchors
                .replaceAll("-----[A-Z ]+-----", "")));
        IllegalArgumentException missing = org.junit.Assert.assertThrows(IllegalArgumentException.class,
                () -> source.fetch("vcek", Map.of("product", "Milan", "hwid", Hex.encode(sp.keys().chipId()))));
        assertTrue(missing.getMessage(), missing.getMessage().contains("blSPL is missing"));
    }
}
