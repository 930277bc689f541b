package io.teebox.intel.verify.internal;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Checks {@code crl} and {@code revocation} for the PCK chain: the root CA CRL is issued and signed by the root and
 * the PCK CRL by the chain's CA, both are current at the appraisal's instant (with a nextUpdate) and carry CRLNumber
 * and AuthorityKeyIdentifier; neither the PCK certificate nor the CA is revoked.
 */
final class CrlCheck {

    private CrlCheck() {
    }

    /**
     * @param chain the PCK chain: PCK, CA, root
     * @param crls the collateral's CRLs
     * @param now the appraisal's instant
     * @param out where failures go
     */
    static void check(List<X509Certificate> chain, DcapCollateral.Crls crls, Instant now, Findings out) {
        X509CRL rootCrl = crls.root();
        X509CRL pckCrl = crls.pck();
        X509Certificate root = chain.get(2);
        X509Certificate ca = chain.get(1);
        if (!rootCrl.getIssuerX500Principal().equals(root.getSubjectX500Principal()) || !signedBy(rootCrl,
                root.getPublicKey())) {
            out.fail("crl", "the root CA CRL is not issued and signed by the root " + root.getSubjectX500Principal());
        }
        if (!pckCrl.getIssuerX500Principal().equals(ca.getSubjectX500Principal()) || !signedBy(pckCrl,
                ca.getPublicKey())) {
            out.fail("crl", "the PCK CRL is not issued and signed by " + ca.getSubjectX500Principal());
        }
        for (X509CRL crl : List.of(rootCrl, pckCrl)) {
            if (crl.getNextUpdate() == null || now.isAfter(crl.getNextUpdate().toInstant())
                    || now.isBefore(crl.getThisUpdate().toInstant())) {
                out.fail("crl", "the CRL of " + crl.getIssuerX500Principal() + " is valid " + crl.getThisUpdate()
                        .toInstant() + " .. " + (crl.getNextUpdate() == null ? "(no nextUpdate)"
                                : crl.getNextUpdate().toInstant()) + ", not at " + now);
            }
            if (crl.getExtensionValue("2.5.29.20") == null || crl.getExtensionValue("2.5.29.35") == null) {
                out.fail("crl", "the CRL of " + crl.getIssuerX500Principal() + " lacks CRLNumber or "
                        + "AuthorityKeyIdentifier");
            }
        }
        if (pckCrl.isRevoked(chain.get(0))) {
            out.fail("revocation", "the PCK certificate (serial " + chain.get(0).getSerialNumber().toString(16)
                    + ") is revoked by the PCK CRL");
        }
        if (rootCrl.isRevoked(ca)) {
            out.fail("revocation", "the " + DcapChain.commonName(ca) + " certificate is revoked by the root CA CRL");
        }
    }

    private static boolean signedBy(X509CRL crl, PublicKey key) {
        try {
            crl.verify(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
