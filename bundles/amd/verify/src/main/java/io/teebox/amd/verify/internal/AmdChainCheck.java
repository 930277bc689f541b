package io.teebox.amd.verify.internal;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.kit.x509.VerificationCache;

/**
 * Verifies the chain ARK → ASK (ASVK) → VCEK (VLEK) with the kit's chain validator: every certificate's validity at
 * the injected clock, names, RSASSA-PSS signatures, the ARK as a trusted root, and revocation by the ARK's CRL when
 * there is a current one; then AMD's naming rules: ARK-{line}, SEV-{line} or SEV-VLEK-{line}, SEV-VCEK or SEV-VLEK,
 * all of one product.
 */
final class AmdChainCheck {

    private static final String[] ROLES = {"VCEK or VLEK", "ASK or ASVK", "ARK"};
    /**
     * Parsed certificates and CRLs and valid chain verdicts, keyed by content (chain, roots, CRLs) and held only
     * within their validity window: a platform's reports share one VCEK, ASK and ARK.
     */
    static final VerificationCache CACHE = new VerificationCache(256);

    private final Findings out;
    /** The product line the ARK's CN names, once the chain is read. */
    private String arkLine;

    AmdChainCheck(Findings out) {
        this.out = out;
    }

    /** @return the product line the chain's root names, or null if it names none */
    String arkLine() {
        return arkLine;
    }

    /**
     * @param der the VCEK (VLEK), ASK (ASVK) and ARK, DER
     * @param trustedRoots the trusted roots, DER
     * @param crls the CRLs, asked for once the certificates were read
     * @param now the time of the appraisal
     * @param requireCrl whether a missing current ARK CRL fails the chain
     * @return the leaf if the chain could be read at all
     */
    X509Certificate check(List<byte[]> der, List<byte[]> trustedRoots,
            java.util.function.Supplier<SnpCollateral.Crls> crls, Instant now, boolean requireCrl) {
        if (der.size() != 3) {
            out.fail("chain", "expected the VCEK (or VLEK), ASK (or ASVK) and ARK certificates, got " + der.size());
            return null;
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try {
                chain.add(CACHE.certificate(der.get(i)));
            } catch (IllegalArgumentException e) {
                out.fail("chain", "certificate " + i + " (the " + ROLES[i] + ") is not DER X.509: " + e.getMessage());
                return null;
            }
        }
        List<X509Certificate> roots = new ArrayList<>();
        for (byte[] r : trustedRoots) {
            try {
                roots.add(CACHE.certificate(r));
            } catch (IllegalArgumentException e) {
                out.fail("chain", "a trusted root is not a DER certificate: " + e.getMessage());
            }
        }
        SnpCollateral.Crls found = crls.get();
        String crlOrigin = found.origin();
        CertificateChainValidator.Result r = CACHE.validate(CertificateChainValidator.builder().trustAnchors(roots)
                .at(now).crls(found.crls()).build(), chain);
        for (CertificateChainValidator.Problem p : r.problems()) {
            String check = switch (p.check()) {
                case REVOKED -> "revocation";
                case CRL -> "crl";
                default -> "chain";
            };
            out.fail(check, p.message());
        }
        X509Certificate ark = chain.get(2);
        if (r.revocationCheckedBy(ark)) {
            X509CRL used = r.checkedCrls().stream().filter(c -> c.getIssuerX500Principal().equals(
                    ark.getSubjectX500Principal())).findFirst().orElseThrow();
            out.claim("revocation", "checked against the CRL of " + AmdNames.cn(ark) + " (thisUpdate "
                    + used.getThisUpdate().toInstant() + ")");
        } else {
            out.claim("revocation", "not checked: no current CRL of " + AmdNames.cn(ark) + " in " + crlOrigin);
            if (requireCrl) {
                out.fail("crl", "policy require_crl=true, but the evidence carries no current CRL signed by "
                        + AmdNames.cn(ark) + " (" + crlOrigin + ")");
            }
        }
        names(chain);
        return chain.get(0);
    }

    private void names(List<X509Certificate> chain) {
        String ark = AmdNames.cn(chain.get(2));
        String signer = AmdNames.cn(chain.get(1));
        String leaf = AmdNames.cn(chain.get(0));
        if (!ark.startsWith("ARK-")) {
            out.fail("chain", "the root is '" + ark + "', expected ARK-Milan, ARK-Genoa or ARK-Turin");
            return;
        }
        String line = ark.substring(4);
        arkLine = line;
        String expected = leaf.equals("SEV-VLEK") ? "SEV-VLEK-" + line : "SEV-" + line;
        if (!leaf.equals("SEV-VCEK") && !leaf.equals("SEV-VLEK")) {
            out.fail("chain", "the signing key's certificate is '" + leaf + "', expected SEV-VCEK or SEV-VLEK");
        } else if (!signer.equals(expected)) {
            out.fail("chain", "the " + leaf + " is issued by '" + signer + "', expected '" + expected + "' under '"
                    + ark + "'");
        }
    }
}
