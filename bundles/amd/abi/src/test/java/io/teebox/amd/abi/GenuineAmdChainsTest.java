package io.teebox.amd.abi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

import org.junit.Test;

import io.teebox.amd.testing.AmdVectors;
import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.kit.x509.CertificateChainValidator.Check;
import io.teebox.kit.x509.CertificateChainValidator.Problem;
import io.teebox.kit.x509.CertificateChainValidator.Result;

/** AMD's genuine KDS chains (VCEK and VLEK side, Milan, Genoa, Turin) through teebox's one chain validator. */
public class GenuineAmdChainsTest {

    private static final Instant AT = Instant.parse("2024-06-01T00:00:00Z");
    private static final List<String> CHAINS = List.of("ask_ark_milan.pem", "ask_ark_milan_vlek.pem",
            "ask_ark_genoa.pem", "ask_ark_genoa_vlek.pem", "ask_ark_turin_vcek.pem", "ask_ark_turin_vlek.pem");

    private static Result validate(List<X509Certificate> chain, X509Certificate anchor, Instant at) {
        return CertificateChainValidator.builder().trustAnchors(List.of(anchor)).at(at).build().validate(chain);
    }

    @Test
    public void everyGenuineAskAndAsvkChainValidates() {
        for (String name : CHAINS) {
            List<X509Certificate> c = AmdVectors.chain(name);
            Result r = validate(c, c.get(1), AT);
            assertTrue(name + ": " + r.problems(), r.valid());
        }
    }

    @Test
    public void theGenuineVcekChainValidatesInsideTheVcekValidityOnly() {
        List<X509Certificate> askArk = AmdVectors.chain("ask_ark_milan.pem");
        List<X509Certificate> chain = List.of(AmdVectors.milanVcek(), askArk.get(0), askArk.get(1));
        Result ok = validate(chain, askArk.get(1), Instant.parse("2023-01-01T00:00:00Z"));
        assertTrue(ok.problems().toString(), ok.valid());
        Result late = validate(chain, askArk.get(1), Instant.parse("2030-01-01T00:00:00Z"));
        assertEquals(List.of(Check.VALIDITY), late.problems().stream().map(Problem::check).toList());
        assertTrue(late.problems().get(0).message().contains("'SEV-VCEK'"));
    }

    @Test
    public void anotherProductsArkDoesNotCertifyTheAsk() {
        X509Certificate milanAsk = AmdVectors.chain("ask_ark_milan.pem").get(0);
        X509Certificate genoaArk = AmdVectors.chain("ask_ark_genoa.pem").get(1);
        Result r = validate(List.of(milanAsk, genoaArk), genoaArk, AT);
        assertEquals(List.of(Check.ISSUER, Check.SIGNATURE), r.problems().stream().map(Problem::check).toList());
        X509Certificate milanArk = AmdVectors.chain("ask_ark_milan.pem").get(1);
        Result untrusted = validate(List.of(milanAsk, milanArk), genoaArk, AT);
        assertEquals(List.of(Check.TRUST), untrusted.problems().stream().map(Problem::check).toList());
    }

    @Test
    public void teeboxChainsValidateWithTheSameCode() {
        AmdKeyHierarchy k = new AmdKeyHierarchy("Genoa", "genuine-chains".getBytes(StandardCharsets.UTF_8));
        var tcb = TcbVersions.encode("Genoa", 0, 7, 0, 14, 72);
        Result vcek = validate(k.chain(tcb), k.ark(), Instant.now());
        assertTrue(vcek.problems().toString(), vcek.valid());
        Result vlek = validate(List.of(k.vlek(tcb, "csp"), k.asvk().certificate(), k.ark()), k.ark(), Instant.now());
        assertTrue(vlek.problems().toString(), vlek.valid());
        Result genuineRoot = validate(k.chain(tcb), AmdVectors.chain("ask_ark_genoa.pem").get(1), Instant.now());
        assertEquals(List.of(Check.TRUST), genuineRoot.problems().stream().map(Problem::check).toList());
    }
}
