package io.teebox.nvidia.rim.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.api.testing.ServletHost;
import io.teebox.kit.crypto.BouncyCastle;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.rim.GoldenMeasurement;
import io.teebox.nvidia.rim.Rim;
import io.teebox.nvidia.rim.RimContent;

public class NvidiaServicesImplTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    static MemoryKeeper keeper;
    static Path dir;
    static ServletHost host;
    static NvidiaServicesImpl services;

    @BeforeClass
    public static void start() throws Exception {
        keeper = new MemoryKeeper();
        dir = Files.createTempDirectory("nvidia-state");
        host = new ServletHost();
        services = new NvidiaServicesImpl(keeper, dir, host::baseUrl, Clock.fixed(NOW, java.time.ZoneOffset.UTC));
        host.serve("/nvidia/rim/v1/rim/*", services).serve("/nvidia/ocsp", services).serve("/nvidia/ocsp/*", services)
                .start();
    }

    @AfterClass
    public static void stop() throws Exception {
        host.close();
    }

    static RimContent content(String id, String version) {
        List<GoldenMeasurement> m = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            m.add(new GoldenMeasurement(i, "Measurement_" + i, i < 4,
                    List.of(Digests.sha384((id + i).getBytes(StandardCharsets.UTF_8)))));
        }
        return new RimContent(id, RimContent.Kind.DRIVER, version, m);
    }

    static HttpResponse<byte[]> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    public void publishedRimIsServedAsNvidiasServiceServesIt() throws Exception {
        RimContent c = content("NV_GPU_DRIVER_GH100_550.90.07", "550.90.07");
        byte[] xml = services.publish(c);
        assertArrayEquals(xml, services.publish(c));
        assertTrue(services.rimServiceUrl().endsWith("/nvidia/rim"));
        HttpResponse<byte[]> r = get(services.rimServiceUrl() + "/v1/rim/NV_GPU_DRIVER_GH100_550.90.07");
        assertEquals(200, r.statusCode());
        String json = new String(r.body(), StandardCharsets.UTF_8);
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
        assertEquals("NV_GPU_DRIVER_GH100_550.90.07", o.get("id").getAsString());
        byte[] rim = Base64.getDecoder().decode(o.get("rim").getAsString());
        assertArrayEquals(xml, rim);
        assertEquals(Hex.encode(Digests.sha256(rim)), o.get("sha256").getAsString());
        assertNotNull(o.get("last_updated"));
        Rim parsed = Rim.parse(rim);
        parsed.verify(services.rimRoot(), NOW);
        assertEquals("550.90.07", parsed.colloquialVersion());
        assertTrue(Files.exists(dir.resolve("rims/NV_GPU_DRIVER_GH100_550.90.07.swidtag")));
    }

    @Test
    public void unknownIdIs404WithAReason() throws Exception {
        HttpResponse<byte[]> r = get(services.rimServiceUrl() + "/v1/rim/NV_GPU_DRIVER_GH100_1.2.3");
        assertEquals(404, r.statusCode());
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertTrue(body, body.contains("no RIM with id NV_GPU_DRIVER_GH100_1.2.3"));
        assertEquals(400, get(services.rimServiceUrl() + "/v1/rim/%3Cscript%3E").statusCode());
        assertThrows(IllegalArgumentException.class, () -> services.publish(content("bad id", "1")));
    }

    @Test
    public void restartKeepsTheRootsAndThePublishedRims() throws Exception {
        RimContent c = content("NV_GPU_VBIOS_1010_0200_882_96009F0001", "96.00.9F.00.01");
        byte[] xml = services.publish(c);
        NvidiaServicesImpl again = new NvidiaServicesImpl(keeper, dir, host::baseUrl, Clock.systemUTC());
        assertEquals(services.rimRoot(), again.rimRoot());
        assertEquals(services.deviceRoot(), again.deviceRoot());
        assertArrayEquals(xml, again.publish(c));
        String json = new String(again.fetch("rim", Map.of("id", c.id())).orElseThrow().value(),
                StandardCharsets.UTF_8);
        assertTrue(json.contains(Base64.getEncoder().encodeToString(xml)));
        assertTrue(again.fetch("rim", Map.of("id", "NV_GPU_NOTHING")).isEmpty());
        assertTrue("another vendor's kind: none here", again.fetch("vcek", Map.of()).isEmpty());
        String anchors = new String(again.fetch("trust_anchors", Map.of()).orElseThrow().value(),
                StandardCharsets.US_ASCII);
        assertEquals(List.of(again.deviceRoot(), again.rimRoot()), X509Authority.certificatesFromPem(anchors));
    }

    @Test
    public void provisionedChainIsShapedLikeNvidias() {
        KeyPair gpu = EcKeys.generate("P-384");
        BigInteger serial = new BigInteger("41431D480FE5E87274", 16);
        List<X509Certificate> chain = services.provision(gpu.getPublic(), serial);
        assertEquals(chain, services.provision(gpu.getPublic(), serial));
        assertEquals(4, chain.size());
        // the genuine Hopper chain: FMC leaf, BROM (serialNumber 41431D480FE5E87274), provisioner, identity, root
        List<X509Certificate> genuine = io.teebox.nvidia.testing.NvidiaVectors.chain();
        for (int i = 0; i < 4; i++) {
            assertArrayEquals("subject " + i, genuine.get(i + 1).getSubjectX500Principal().getEncoded(),
                    chain.get(i).getSubjectX500Principal().getEncoded());
            assertArrayEquals("issuer " + i, genuine.get(i + 1).getIssuerX500Principal().getEncoded(),
                    chain.get(i).getIssuerX500Principal().getEncoded());
            assertEquals("key usage " + i, java.util.Arrays.toString(genuine.get(i + 1).getKeyUsage()),
                    java.util.Arrays.toString(chain.get(i).getKeyUsage()));
            assertEquals("extensions " + i, genuine.get(i + 1).getCriticalExtensionOIDs(),
                    chain.get(i).getCriticalExtensionOIDs());
            assertEquals("extensions " + i, genuine.get(i + 1).getNonCriticalExtensionOIDs(),
                    chain.get(i).getNonCriticalExtensionOIDs());
        }
        assertEquals(serial, chain.get(0).getSerialNumber());
        assertEquals(gpu.getPublic(), chain.get(0).getPublicKey());
        for (X509Certificate c : chain) {
            assertEquals("SHA384withECDSA", c.getSigAlgName());
            assertEquals("P-384", EcKeys.curveOf(c.getPublicKey()));
            assertEquals(Instant.parse("9999-12-31T23:59:59Z"), c.getNotAfter().toInstant());
            assertTrue(c.getBasicConstraints() >= 0);
        }
        assertEquals(List.of(), CertificateChainValidator.builder().trustAnchors(List.of(services.deviceRoot()))
                .at(NOW).build().validate(chain).problems());
        boolean[] ku = chain.get(0).getKeyUsage();
        assertTrue(ku[5]);
        assertFalse(ku[6]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> services.provision(EcKeys.generate("P-256").getPublic(), serial));
        assertTrue(e.getMessage(), e.getMessage().contains("P-384"));
    }

    @Test
    public void rimChainIsShapedLikeNvidias() {
        List<X509Certificate> chain = services.pki().rimChain();
        assertEquals("CN=HCC RIM L4 Signer,O=NVIDIA Corporation,L=Santa Clara,ST=CA,C=US",
                chain.get(0).getSubjectX500Principal().getName());
        assertEquals("C=US,O=NVIDIA Corporation,CN=NVIDIA Reference Value L3 GH100 001",
                chain.get(1).getSubjectX500Principal().getName());
        assertEquals("C=US,O=NVIDIA Corporation,CN=NVIDIA Reference Value GH100 CA",
                chain.get(2).getSubjectX500Principal().getName());
        assertEquals("CN=NVIDIA CoRIM signing Root CA,O=NVIDIA,C=US", chain.get(3).getSubjectX500Principal().getName());
        assertEquals(-1, chain.get(0).getBasicConstraints());
        assertEquals(0, chain.get(1).getBasicConstraints());
        assertEquals(List.of(), CertificateChainValidator.builder().trustAnchors(List.of(services.rimRoot()))
                .at(NOW).build().validate(chain).problems());
    }

    // ---------------------------------------------------------------- OCSP

    static byte[] request(X509Certificate cert, X509Certificate issuer, byte[] nonce) throws Exception {
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().setProvider(
                BouncyCastle.provider()).build().get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384)),
                new JcaX509CertificateHolder(issuer), cert.getSerialNumber());
        OCSPReqBuilder b = new OCSPReqBuilder().addRequest(id);
        if (nonce != null) {
            // extnValue holds the DER OCTET STRING of the nonce (RFC 8954), as Python cryptography's OCSPNonce does
            b.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, true,
                    new DEROctetString(nonce).getEncoded())));
        }
        return b.build().getEncoded();
    }

    static BasicOCSPResp post(byte[] request) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(services.ocspUrl()))
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        OCSPResp resp = new OCSPResp(r.body());
        assertEquals(OCSPResp.SUCCESSFUL, resp.getStatus());
        return (BasicOCSPResp) resp.getResponseObject();
    }

    static X509Certificate responderOf(BasicOCSPResp r) throws Exception {
        X509CertificateHolder[] certs = r.getCerts();
        assertTrue(certs.length >= 1);
        X509Certificate c = new JcaX509CertificateConverter().getCertificate(certs[0]);
        assertTrue(r.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BouncyCastle.provider())
                .build(certs[0])));
        assertEquals("1.2.840.10045.4.3.3", r.getSignatureAlgOID().getId());
        return c;
    }

    @Test
    public void ocspAnswersGoodForEveryCertificateOfTheDeviceChain() throws Exception {
        List<X509Certificate> chain = services.provision(EcKeys.generate("P-384").getPublic(), BigInteger.valueOf(77));
        for (int i = 0; i < chain.size() - 1; i++) {
            byte[] nonce = Digests.sha256(new byte[] {(byte) i});
            BasicOCSPResp r = post(request(chain.get(i), chain.get(i + 1), nonce));
            X509Certificate responder = responderOf(r);
            // a delegated responder of the certificate's issuer (RFC 6960 4.2.2.2), chaining to the root
            assertEquals(chain.get(i + 1).getSubjectX500Principal(), responder.getIssuerX500Principal());
            assertTrue(responder.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.9"));
            List<X509Certificate> path = new ArrayList<>(List.of(responder));
            path.addAll(chain.subList(i + 1, chain.size()));
            assertEquals(List.of(), CertificateChainValidator.builder().trustAnchors(List.of(services.deviceRoot()))
                    .at(NOW).build().validate(path).problems());
            assertArrayEquals(new DEROctetString(nonce).getEncoded(),
                    r.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getExtnValue().getOctets());
            SingleResp s = r.getResponses()[0];
            assertNull("good", s.getCertStatus());
            assertEquals(chain.get(i).getSerialNumber(), s.getCertID().getSerialNumber());
        }
    }

    @Test
    public void ocspAnswersForTheRimChainUnderTheRimRoot() throws Exception {
        List<X509Certificate> chain = services.pki().rimChain();
        BasicOCSPResp r = post(request(chain.get(0), chain.get(1), new byte[32]));
        assertNull(r.getResponses()[0].getCertStatus());
        X509Certificate responder = responderOf(r);
        assertEquals(chain.get(1).getSubjectX500Principal(), responder.getIssuerX500Principal());
        assertEquals("C=US,O=NVIDIA Corporation,CN=NVIDIA Reference Value L3 GH100 001 OCSP Responder",
                responder.getSubjectX500Principal().getName());
    }

    @Test
    public void revokedCertificateIsRevokedAndUnknownIsUnknown() throws Exception {
        List<X509Certificate> chain = services.provision(EcKeys.generate("P-384").getPublic(), BigInteger.valueOf(99));
        services.revoke(BigInteger.valueOf(99));
        BasicOCSPResp r = post(request(chain.get(0), chain.get(1), new byte[32]));
        assertTrue(r.getResponses()[0].getCertStatus() instanceof RevokedStatus);
        X509Authority stranger = X509Authority.builder().subject("CN=stranger").keyPair(EcKeys.generate("P-384"))
                .ca().selfSigned();
        // a serial the Provisioner ICA never issued: unknown
        X509Certificate neverIssued = stranger.issue().subject("CN=never issued").keyPair(EcKeys.generate("P-384"))
                .serial(BigInteger.valueOf(0x5EED)).buildCertificate();
        BasicOCSPResp u = post(request(neverIssued, chain.get(1), null));
        assertTrue(u.getResponses()[0].getCertStatus() instanceof UnknownStatus);
        // a certificate of an issuer none of its CAs is (genuine NVIDIA's, for example): the responder is not
        // authoritative for it and says so unsigned (RFC 6960 2.3) instead of signing an answer no client could trust
        OCSPResp unauthorized = new OCSPResp(services.fetch("ocsp", Map.of("request", Base64.getEncoder()
                .encodeToString(request(stranger.certificate(), stranger.certificate(), null)))).orElseThrow().value());
        assertEquals(OCSPResp.UNAUTHORIZED, unauthorized.getStatus());
        // a restart keeps the revocation, and knows the GPU's BROM certificate before it is provisioned again
        NvidiaServicesImpl again = new NvidiaServicesImpl(keeper, dir, host::baseUrl, Clock.systemUTC());
        OCSPResp after = new OCSPResp(again.fetch("ocsp", Map.of("request", Base64.getEncoder().encodeToString(
                request(chain.get(0), chain.get(1), new byte[32])))).orElseThrow().value());
        assertTrue(((BasicOCSPResp) after.getResponseObject()).getResponses()[0].getCertStatus()
                instanceof RevokedStatus);
    }

    @Test
    public void ocspGetWithBase64PathAnswersToo() throws Exception {
        List<X509Certificate> chain = services.provision(EcKeys.generate("P-384").getPublic(), BigInteger.TEN);
        // base64url: Jetty 12 refuses an encoded '/' (%2F) in a path as an ambiguous separator
        String b64 = Base64.getUrlEncoder().encodeToString(request(chain.get(1), chain.get(2), new byte[32]));
        HttpResponse<byte[]> r = get(services.ocspUrl() + "/" + URLEncoder.encode(b64, StandardCharsets.UTF_8));
        assertEquals(new String(r.body(), StandardCharsets.ISO_8859_1), 200, r.statusCode());
        assertEquals(OCSPResp.SUCCESSFUL, new OCSPResp(r.body()).getStatus());
        HttpResponse<byte[]> bad = get(services.ocspUrl() + "/not*base64");
        assertEquals(400, bad.statusCode());
        assertTrue(new String(bad.body(), StandardCharsets.UTF_8).contains("not base64"));
    }

    @Test
    public void malformedOcspRequestGetsMalformedRequest() throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(services.ocspUrl()))
                .header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x30, 0x03, 1})).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(OCSPResp.MALFORMED_REQUEST, new OCSPResp(r.body()).getStatus());
        HttpResponse<byte[]> wrongType = HTTP.send(HttpRequest.newBuilder(URI.create(services.ocspUrl()))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(415, wrongType.statusCode());
    }
}
