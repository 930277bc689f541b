package io.teebox.intel.verify.internal;

import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.kit.x509.CertificateChainValidator.CrlStatus;
import io.teebox.kit.x509.CertificateChainValidator.Problem;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Checks {@code crl} and {@code revocation} for the PCK chain, one CRL per level with the kit's validator
 * ({@link CertificateChainValidator#checkCrl}): the root CA CRL is issued and signed by the root and the PCK CRL by
 * the chain's CA, each CA may sign CRLs, both are current at the appraisal's instant; DCAP's own rules: both have a
 * nextUpdate and carry CRLNumber and AuthorityKeyIdentifier. Neither the PCK certificate nor the CA is revoked by a
 * CRL that verified and is current.
 */
final class CrlCheck {

    private CrlCheck() {
    }

    /**
     * @param chain the PCK chain: PCK, CA, root
     * @param crls the collateral's CRLs
     * @param rules Intel's chain rules (roots, instant)
     * @param out where failures go
     */
    static void check(List<X509Certificate> chain, DcapCollateral.Crls crls, DcapChain rules, Findings out) {
        X509CRL rootCrl = crls.root();
        X509CRL pckCrl = crls.pck();
        X509Certificate root = chain.get(2);
        X509Certificate ca = chain.get(1);
        CertificateChainValidator v = rules.validator(List.of(rootCrl, pckCrl));
        CrlStatus rootStatus = DcapChain.CACHE.checkCrl(v, rootCrl, root);
        CrlStatus pckStatus = DcapChain.CACHE.checkCrl(v, pckCrl, ca);
        if (!rootStatus.issuedBy() || !rootStatus.signed()) {
            out.fail("crl", "the root CA CRL is not issued and signed by the root " + root.getSubjectX500Principal());
        }
        if (!pckStatus.issuedBy() || !pckStatus.signed()) {
            out.fail("crl", "the PCK CRL is not issued and signed by " + ca.getSubjectX500Principal());
        }
        Instant now = rules.now();
        for (CrlStatus s : List.of(rootStatus, pckStatus)) {
            X509CRL crl = s.crl();
            if (!s.mayIssueCrls()) {
                s.problems().stream().filter(p -> p.message().contains("cRLSign")).map(Problem::message).findFirst()
                        .ifPresent(m -> out.fail("crl", m));
            }
            if (crl.getNextUpdate() == null || !s.current()) {
                out.fail("crl", "the CRL of " + crl.getIssuerX500Principal() + " is valid " + crl.getThisUpdate()
                        .toInstant() + " .. " + (crl.getNextUpdate() == null ? "(no nextUpdate)"
                                : crl.getNextUpdate().toInstant()) + ", not at " + now);
            }
            if (crl.getExtensionValue("2.5.29.20") == null || crl.getExtensionValue("2.5.29.35") == null) {
                out.fail("crl", "the CRL of " + crl.getIssuerX500Principal() + " lacks CRLNumber or "
                        + "AuthorityKeyIdentifier");
            }
        }
        List<Integer> revoked = new DcapChain.Checked(null, DcapChain.CACHE.validate(v, chain)).revoked();
        if (revoked.contains(0)) {
            out.fail("revocation", "the PCK certificate (serial " + chain.get(0).getSerialNumber().toString(16)
                    + ") is revoked by the PCK CRL");
        }
        if (revoked.contains(1)) {
            out.fail("revocation", "the " + DcapChain.commonName(ca) + " certificate is revoked by the root CA CRL");
        }
    }
}
