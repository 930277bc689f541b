package io.teebox.kit.x509;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.x509.CertificateChainValidator.Check;
import io.teebox.kit.x509.CertificateChainValidator.Problem;
import io.teebox.kit.x509.CertificateChainValidator.Result;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.Test;

/** Chain validation: every certificate's validity, names, signatures (RSASSA-PSS and ECDSA), CA rules, CRLs. */
public class CertificateChainValidatorTest {

    private static final String DN = "OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN=";
    private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2049-01-01T00:00:00Z");
    private static final Instant AT = Instant.parse("2026-06-01T00:00:00Z");

    private static KeyPair rootKeys;
    private static KeyPair caKeys;
    private static X509Authority root;
    private static X509Authority ca;
    private static X509Certificate leaf;

    @BeforeClass
    public static void chain() {
        rootKeys = RsaKeys.fromSeed(2048, Digests.sha384("chain-validator-root".getBytes(StandardCharsets.UTF_8)));
        caKeys = RsaKeys.fromSeed(2048, Digests.sha384("chain-validator-ca".getBytes(StandardCharsets.UTF_8)));
        root = X509Authority.builder().subject(DN + "ARK-Test").keyPair(rootKeys).serial(BigInteger.valueOf(0x10000))
                .validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).subjectKeyId().ca().selfSigned();
        ca = root.issue().subject(DN + "SEV-Test").keyPair(caKeys).serial(BigInteger.valueOf(0x10001))
                .validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT).subjectKeyId()
                .authorityKeyId().ca(0).keyUsage(KeyUsageBit.KEY_CERT_SIGN).build();
        leaf = ca.issue().subject(DN + "SEV-VCEK").publicKey(EcKeys.generate("P-384").getPublic())
                .serial(BigInteger.ZERO).validity(FROM, FROM.plusSeconds(7L * 365 * 86_400))
                .signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT).buildCertificate();
    }

    private static CertificateChainValidator.Builder at(Instant t) {
        return CertificateChainValidator.builder().trustAnchors(List.of(root.certificate())).at(t);
    }

    private static List<Check> checks(Result r) {
        return r.problems().stream().map(Problem::check).toList();
    }

    @Test
    public void aGoodChainValidates() {
        Result r = at(AT).build().validate(List.of(leaf, ca.certificate(), root.certificate()));
        assertTrue(r.problems().toString(), r.valid());
        assertTrue(r.checkedCrls().isEmpty());
        // a chain that stops below the anchor validates too
        assertTrue(at(AT).build().validate(List.of(leaf, ca.certificate())).valid());
    }

    @Test
    public void everyCertificatesValidityIsCheckedAtTheInjectedTime() {
        List<X509Certificate> chain = List.of(leaf, ca.certificate(), root.certificate());
        Result early = at(FROM.minusSeconds(1)).build().validate(chain);
        assertEquals(List.of(Check.VALIDITY, Check.VALIDITY, Check.VALIDITY), checks(early));
        assertTrue(early.problems().get(0).message(), early.problems().get(0).message().contains("'SEV-VCEK'")
                && early.problems().get(0).message().contains("not yet valid"));
        assertTrue(early.problems().get(2).message().contains("'ARK-Test'"));
        Result leafExpired = at(Instant.parse("2031-06-01T00:00:00Z")).build().validate(chain);
        assertEquals(1, leafExpired.problems().size());
        assertEquals(0, leafExpired.problems().get(0).index());
        assertTrue(leafExpired.problems().get(0).message().contains("expired"));

        X509Authority shortCa = root.issue().subject(DN + "SEV-Test").keyPair(caKeys).validity(FROM,
                Instant.parse("2025-01-01T00:00:00Z")).ca(0).keyUsage(KeyUsageBit.KEY_CERT_SIGN).build();
        Result caExpired = at(AT).build().validate(List.of(leaf, shortCa.certificate(), root.certificate()));
        assertEquals(List.of(Check.VALIDITY), checks(caExpired));
        assertEquals(1, caExpired.problems().get(0).index());
    }

    @Test
    public void forgedSignaturesWrongIssuersAndUntrustedRootsAreNamed() {
        X509Authority rogue = X509Authority.builder().subject(DN + "SEV-Test").keyPair(EcKeys.generate("P-256"))
                .validity(FROM, TO).ca(0).keyUsage(KeyUsageBit.KEY_CERT_SIGN).selfSigned();
        X509Certificate forged = rogue.issue().subject(DN + "SEV-VCEK").publicKey(leaf.getPublicKey())
                .validity(FROM, TO).buildCertificate();
        Result r = at(AT).build().validate(List.of(forged, ca.certificate(), root.certificate()));
        assertEquals(List.of(Check.SIGNATURE), checks(r));
        assertTrue(r.problems().get(0).message(), r.problems().get(0).message().contains("'SEV-Test'"));

        X509Authority other = X509Authority.builder().subject(DN + "ARK-Other").keyPair(rootKeys).validity(FROM, TO)
                .ca().selfSigned();
        Result wrongRoot = CertificateChainValidator.builder().trustAnchors(List.of(other.certificate())).at(AT)
                .build().validate(List.of(leaf, ca.certificate(), other.certificate()));
        assertTrue(wrongRoot.problems().toString(), checks(wrongRoot).contains(Check.ISSUER));

        Result untrusted = CertificateChainValidator.builder().trustAnchors(List.of(other.certificate())).at(AT)
                .build().validate(List.of(leaf, ca.certificate(), root.certificate()));
        assertEquals(List.of(Check.TRUST), checks(untrusted));
        Result none = CertificateChainValidator.builder().at(AT).build().validate(List.of(leaf, ca.certificate(),
                root.certificate()));
        assertEquals(List.of(Check.TRUST), checks(none));
        assertEquals(List.of(Check.STRUCTURE), checks(at(AT).build().validate(List.of())));
    }

    @Test
    public void onlyCertificationAuthoritiesMaySign() {
        X509Authority notCa = root.issue().subject(DN + "SEV-Test").keyPair(caKeys).validity(FROM, TO).endEntity()
                .build();
        X509Certificate below = notCa.issue().subject(DN + "SEV-VCEK").publicKey(leaf.getPublicKey())
                .validity(FROM, TO).buildCertificate();
        assertEquals(List.of(Check.CA), checks(at(AT).build().validate(List.of(below, notCa.certificate(),
                root.certificate()))));
        X509Authority noCertSign = root.issue().subject(DN + "SEV-Test").keyPair(caKeys).validity(FROM, TO).ca(0)
                .keyUsage(KeyUsageBit.CRL_SIGN).build();
        X509Certificate below2 = noCertSign.issue().subject(DN + "SEV-VCEK").publicKey(leaf.getPublicKey())
                .validity(FROM, TO).buildCertificate();
        Result r = at(AT).build().validate(List.of(below2, noCertSign.certificate(), root.certificate()));
        assertEquals(List.of(Check.CA), checks(r));
        assertTrue(r.problems().get(0).message().contains("keyCertSign"));
        // path length 0 forbids a further CA below
        X509Authority sub = ca.issue().subject(DN + "SUB").keyPair(EcKeys.generate("P-256")).validity(FROM, TO)
                .ca().build();
        X509Certificate deep = sub.issue().subject(DN + "LEAF").publicKey(leaf.getPublicKey()).validity(FROM, TO)
                .buildCertificate();
        Result tooDeep = at(AT).build().validate(List.of(deep, sub.certificate(), ca.certificate(),
                root.certificate()));
        assertEquals(List.of(Check.CA), checks(tooDeep));
        assertTrue(tooDeep.problems().get(0).message().contains("path length"));
        // an unknown critical extension is refused
        X509Certificate critical = ca.issue().subject(DN + "SEV-VCEK").publicKey(leaf.getPublicKey())
                .validity(FROM, TO).extension("1.3.6.1.4.1.3704.1.1", true, new byte[] {2, 1, 0}).buildCertificate();
        assertEquals(List.of(Check.EXTENSION), checks(at(AT).build().validate(List.of(critical, ca.certificate(),
                root.certificate()))));
    }

    @Test
    public void crlsRevokeIntermediatesAndLeavesAndAreThemselvesChecked() {
        List<X509Certificate> chain = List.of(leaf, ca.certificate(), root.certificate());
        X509CRL empty = root.crl().validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT)
                .build();
        Result clean = at(AT).crls(List.of(empty)).build().validate(chain);
        assertTrue(clean.problems().toString(), clean.valid());
        assertEquals(List.of(empty), clean.checkedCrls());

        X509CRL caRevoked = root.crl().validity(FROM, TO).revoke(ca.certificate(), FROM.plusSeconds(10), 1).build();
        Result r = at(AT).crls(List.of(caRevoked)).build().validate(chain);
        assertEquals(List.of(Check.REVOKED), checks(r));
        assertEquals(1, r.problems().get(0).index());
        assertTrue(r.problems().get(0).message(), r.problems().get(0).message().contains("'SEV-Test'")
                && r.problems().get(0).message().contains("'ARK-Test'")
                && r.problems().get(0).message().contains("KEY_COMPROMISE"));
        Result beforeRevocation = at(FROM.plusSeconds(5)).crls(List.of(caRevoked)).build().validate(chain);
        assertTrue("a revocation after the validation time does not count", beforeRevocation.problems().stream()
                .noneMatch(p -> p.check() == Check.REVOKED));

        X509CRL leafRevoked = root.crl().validity(FROM, TO).revoke(leaf, FROM).build();
        Result rl = at(AT).crls(List.of(leafRevoked)).build().validate(chain);
        assertEquals(List.of(Check.REVOKED), checks(rl));
        assertEquals(0, rl.problems().get(0).index());

        X509CRL stale = root.crl().validity(FROM, FROM.plusSeconds(86_400)).build();
        Result old = at(AT).crls(List.of(stale)).build().validate(chain);
        assertEquals(List.of(Check.CRL), checks(old));
        assertTrue(old.checkedCrls().isEmpty());

        X509Authority impostor = X509Authority.builder().subject(DN + "ARK-Test").keyPair(caKeys).validity(FROM, TO)
                .ca().keyUsage(KeyUsageBit.CRL_SIGN).selfSigned();
        X509CRL forged = impostor.crl().validity(FROM, TO).build();
        assertEquals(List.of(Check.CRL), checks(at(AT).crls(List.of(forged)).build().validate(chain)));

        X509Authority stranger = X509Authority.builder().subject(DN + "ARK-Stranger").keyPair(caKeys)
                .validity(FROM, TO).ca().selfSigned();
        Result foreign = at(AT).crls(List.of(stranger.crl().validity(FROM, TO).build())).build().validate(chain);
        assertEquals(List.of(Check.CRL), checks(foreign));
        assertTrue(foreign.problems().get(0).message().contains("ARK-Stranger"));

        // the ASK has no cRLSign, so a CRL it signs is refused
        X509CRL byCa = ca.crl().validity(FROM, TO).build();
        Result caCrl = at(AT).crls(List.of(byCa)).build().validate(chain);
        assertEquals(List.of(Check.CRL), checks(caCrl));
        assertTrue(caCrl.problems().get(0).message().contains("cRLSign"));
    }

    @Test
    public void anEcdsaChainValidatesWithTheSameRules() {
        X509Authority r = X509Authority.builder().subject("CN=Intel SGX Root CA, O=Intel Corporation")
                .keyPair(EcKeys.generate("P-256")).validity(FROM, TO).ca(1)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).subjectKeyId().selfSigned();
        X509Authority platform = r.issue().subject("CN=Intel SGX PCK Platform CA, O=Intel Corporation")
                .keyPair(EcKeys.generate("P-256")).validity(FROM, TO).ca(0)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).build();
        X509Certificate pck = platform.issue().subject("CN=Intel SGX PCK Certificate, O=Intel Corporation")
                .publicKey(EcKeys.generate("P-256").getPublic()).validity(FROM, TO).endEntity().buildCertificate();
        X509CRL pckCrl = platform.crl().validity(FROM, TO).revoke(pck.getSerialNumber(), FROM).build();
        Result ok = CertificateChainValidator.builder().trustAnchors(List.of(r.certificate())).at(AT).build()
                .validate(List.of(pck, platform.certificate(), r.certificate()));
        assertTrue(ok.problems().toString(), ok.valid());
        Result revoked = CertificateChainValidator.builder().trustAnchors(List.of(r.certificate())).at(AT)
                .crls(List.of(pckCrl)).build().validate(List.of(pck, platform.certificate(), r.certificate()));
        assertFalse(revoked.valid());
        assertEquals(List.of(Check.REVOKED), checks(revoked));
    }

    @Test
    public void aRootsBrokenSelfSignatureIsReportedWithOrWithoutTrustAnchors() {
        // the root with one bit of its signature flipped: self-issued, but its self-signature does not verify
        byte[] der = X509Authority.toDer(root.certificate());
        der[der.length - 1] ^= 1;
        X509Certificate broken = X509Authority.certificateFromDer(der);
        Result anchored = at(AT).build().validate(List.of(broken));
        assertEquals(List.of(Check.SIGNATURE), checks(anchored));
        Result unanchored = CertificateChainValidator.builder().at(AT).build().validate(List.of(broken));
        assertEquals(unanchored.problems().toString(), List.of(Check.SIGNATURE, Check.TRUST), checks(unanchored));
        assertTrue(unanchored.problems().get(0).message().contains("self-signature of 'ARK-Test'"));
        // a sound root without anchors is only untrusted
        assertEquals(List.of(Check.TRUST), checks(CertificateChainValidator.builder().at(AT).build()
                .validate(List.of(root.certificate()))));
    }

    @Test
    public void aCrlIsCheckedAgainstTheCaThatMustHaveIssuedItRuleByRule() {
        CertificateChainValidator v = at(AT).build();
        X509CRL byRoot = root.crl().validity(FROM, TO).build();
        CertificateChainValidator.CrlStatus good = v.checkCrl(byRoot, root.certificate());
        assertTrue(good.problems().toString(), good.usable());
        assertTrue(good.issuedBy() && good.signed() && good.mayIssueCrls() && good.current());

        // the root's CRL where the CA's is expected: wrong issuer, wrong key (and this CA lacks cRLSign), each said
        CertificateChainValidator.CrlStatus swapped = v.checkCrl(byRoot, ca.certificate());
        assertFalse(swapped.issuedBy());
        assertFalse(swapped.signed());
        assertFalse(swapped.mayIssueCrls());
        assertTrue(swapped.current());
        assertEquals(swapped.problems().toString(), 3, swapped.problems().size());
        assertTrue(swapped.problems().get(0).message(), swapped.problems().get(0).message()
                .contains("is not issued by 'SEV-Test'"));
        assertTrue(swapped.problems().get(1).message().contains("does not verify with the key of 'SEV-Test'"));

        // the root's name, another key: the name matches, the signature does not
        X509Authority impostor = X509Authority.builder().subject(DN + "ARK-Test").keyPair(caKeys).validity(FROM, TO)
                .ca().keyUsage(KeyUsageBit.CRL_SIGN).selfSigned();
        CertificateChainValidator.CrlStatus forged = v.checkCrl(impostor.crl().validity(FROM, TO).build(),
                root.certificate());
        assertTrue(forged.issuedBy());
        assertFalse(forged.signed());
        assertEquals(List.of(Check.CRL), forged.problems().stream().map(Problem::check).toList());

        // out of date, and not yet current: both rules of currency, at the validator's time
        X509CRL stale = root.crl().validity(FROM, FROM.plusSeconds(86_400)).build();
        CertificateChainValidator.CrlStatus old = v.checkCrl(stale, root.certificate());
        assertFalse(old.current());
        assertTrue(old.issuedBy() && old.signed());
        assertTrue(old.problems().get(0).message(), old.problems().get(0).message().contains("not at " + AT));
        assertFalse(at(FROM.minusSeconds(1)).build().checkCrl(byRoot, root.certificate()).current());
        assertTrue(at(TO).build().checkCrl(byRoot, root.certificate()).current());

        // the CA has KeyUsage without cRLSign: its own, correctly signed CRL is still refused
        CertificateChainValidator.CrlStatus noCrlSign = v.checkCrl(ca.crl().validity(FROM, TO).build(),
                ca.certificate());
        assertTrue(noCrlSign.issuedBy() && noCrlSign.signed() && noCrlSign.current());
        assertFalse(noCrlSign.mayIssueCrls());
        assertTrue(noCrlSign.problems().get(0).message().contains("cRLSign"));
    }
}
