package io.teebox.intel.verify.internal;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.kit.x509.CertificateChainValidator.Check;
import io.teebox.kit.x509.CertificateChainValidator.Problem;
import io.teebox.kit.x509.VerificationCache;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A chain under Intel's SGX root (the PCK chain and the TCB Signing chains), walked by the kit's
 * {@link CertificateChainValidator}: each certificate valid at the appraisal's instant, issued and signed by the next,
 * every issuer a CA that may issue it, the top one of the trusted roots, revocation by the CRLs given. Intel's own
 * rules are checked here: each certificate has its expected common name, is X.509 v3 signed with
 * ecdsa-with-SHA256 and carries a P-256 key, and the chain carries its self-issued root.
 */
final class DcapChain {

    static final String ROOT_CN = "Intel SGX Root CA";
    static final String TCB_SIGNING_CN = "Intel SGX TCB Signing";
    static final String PCK_CN = "Intel SGX PCK Certificate";
    static final Set<String> PCK_ISSUER_CNS = Set.of("Intel SGX PCK Platform CA", "Intel SGX PCK Processor CA");

    /**
     * Parsed certificates, CRLs and collateral, valid chain and CRL verdicts and verified collateral signatures, keyed
     * by content (and verdicts held only within their validity window): a platform's quotes share one PCK chain and
     * one set of collateral.
     */
    static final VerificationCache CACHE = new VerificationCache(512);

    private final List<X509Certificate> roots;
    private final Instant now;

    private DcapChain(List<X509Certificate> roots, Instant now) {
        this.roots = roots;
        this.now = now;
    }

    /**
     * Reads the trusted roots: one that is not DER, or none at all, is a failure of check {@code trusted_roots}.
     *
     * @param trustedRoots DER certificates
     * @param now the appraisal's instant
     * @param out where failures go
     * @return the rules with the roots that could be read
     */
    static DcapChain trusting(List<byte[]> trustedRoots, Instant now, Findings out) {
        List<X509Certificate> roots = new ArrayList<>();
        for (byte[] der : trustedRoots) {
            try {
                roots.add(CACHE.certificate(der));
            } catch (IllegalArgumentException e) {
                out.fail("trusted_roots", "a trusted root is not a DER certificate: " + e.getMessage());
            }
        }
        if (roots.isEmpty()) {
            out.fail("trusted_roots", "no trusted Intel root certificate was given");
        }
        return new DcapChain(List.copyOf(roots), now);
    }

    /** @return the appraisal's instant */
    Instant now() {
        return now;
    }

    /**
     * @param crls the CRLs to consult for revocation
     * @return the kit's chain validator with the trusted roots, at the appraisal's instant
     */
    CertificateChainValidator validator(List<X509CRL> crls) {
        return CertificateChainValidator.builder().trustAnchors(roots).at(now).crls(crls).build();
    }

    /**
     * Validates a chain with the kit's validator (validity, issuers, signatures, CA rules, trust) and Intel's rules
     * (names, ecdsa-with-SHA256, P-256, a self-issued root), and names the first failure in the order Intel's checks
     * go: certificate by certificate from the leaf (name, algorithm, key, validity, issuer, signature, may it issue
     * the one below), then the root's trust.
     *
     * @param chain leaf first, the root last
     * @param names the common names each position may have
     * @param crls the CRLs to consult (revocation is not a failure here: see {@link Checked#revoked})
     * @return the outcome
     */
    Checked check(List<X509Certificate> chain, List<Set<String>> names, List<X509CRL> crls) {
        CertificateChainValidator.Result r = CACHE.validate(validator(crls), chain);
        return new Checked(firstFailure(chain, names, r), r);
    }

    /**
     * A chain's outcome.
     *
     * @param failure why the chain fails, or null
     * @param result the kit validator's result
     */
    record Checked(String failure, CertificateChainValidator.Result result) {

        /** @return the positions of the certificates a consulted CRL revokes */
        List<Integer> revoked() {
            return result.problems().stream().filter(p -> p.check() == Check.REVOKED).map(Problem::index)
                    .distinct().toList();
        }
    }

    private String firstFailure(List<X509Certificate> chain, List<Set<String>> names,
            CertificateChainValidator.Result r) {
        int n = chain.size();
        for (int i = 0; i < n; i++) {
            X509Certificate c = chain.get(i);
            String cn = commonName(c);
            if (!names.get(i).contains(cn)) {
                return "certificate " + i + " is '" + cn + "', expected " + names.get(i);
            }
            if (c.getVersion() != 3 || !"1.2.840.10045.4.3.2".equals(c.getSigAlgOID())) {
                return "'" + cn + "' is not an X.509 v3 certificate signed with ecdsa-with-SHA256";
            }
            try {
                if (!"P-256".equals(EcKeys.curveOf(c.getPublicKey()))) {
                    return "'" + cn + "' does not carry a P-256 key";
                }
            } catch (IllegalArgumentException e) {
                return "'" + cn + "' does not carry a P-256 key: " + e.getMessage();
            }
            if (has(r, Check.VALIDITY, i)) {
                return "'" + cn + "' is valid " + c.getNotBefore().toInstant() + " .. "
                        + c.getNotAfter().toInstant() + ", not at " + now;
            }
            X509Certificate parent = i + 1 < n ? chain.get(i + 1) : c;
            // the chain carries its root: the top must be self-issued
            boolean issuer = i + 1 < n ? has(r, Check.ISSUER, i)
                    : !c.getIssuerX500Principal().equals(c.getSubjectX500Principal());
            if (issuer) {
                return "'" + cn + "' is issued by " + c.getIssuerX500Principal() + ", not by "
                        + parent.getSubjectX500Principal();
            }
            if (has(r, Check.SIGNATURE, i)) {
                return "the signature of '" + cn + "' does not verify with the key of '" + commonName(parent) + "'";
            }
            if (i > 0 && has(r, Check.CA, i)) {
                // RFC 5280 6.1.4 (k), (l), (n): every issuer is a CA, within its path length, with keyCertSign
                return "'" + cn + "' is not a CA that may issue '" + commonName(chain.get(i - 1)) + "' (it needs "
                        + "BasicConstraints CA:TRUE with a path length of at least " + (i - 1) + " and KeyUsage "
                        + "keyCertSign)";
            }
            for (Problem p : r.problems()) {
                if (p.check() == Check.EXTENSION && p.index() == i) {
                    return p.message();
                }
            }
        }
        X509Certificate top = chain.get(n - 1);
        if (r.problems().stream().anyMatch(p -> p.check() == Check.TRUST)) {
            return "the chain ends in a root with key " + Hex.encode(Digests.sha256(top.getPublicKey().getEncoded()))
                    .substring(0, 16) + "..., which is not one of the " + roots.size() + " trusted roots";
        }
        for (Problem p : r.problems()) {
            if (p.check() != Check.REVOKED && p.check() != Check.CRL) {
                return p.message();
            }
        }
        return null;
    }

    private static boolean has(CertificateChainValidator.Result r, Check check, int index) {
        return r.problems().stream().anyMatch(p -> p.check() == check && p.index() == index);
    }

    static String commonName(X509Certificate c) {
        for (String part : c.getSubjectX500Principal().getName().split(",")) {
            String p = part.trim();
            if (p.startsWith("CN=")) {
                return p.substring(3);
            }
        }
        return c.getSubjectX500Principal().getName();
    }
}
