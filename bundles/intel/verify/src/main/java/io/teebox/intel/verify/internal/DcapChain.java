package io.teebox.intel.verify.internal;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Intel's PKI rules for a chain under the SGX root (the PCK chain and the TCB Signing chains): each certificate has
 * its expected common name, is X.509 v3 signed with ecdsa-with-SHA256 and carries a P-256 key, is valid at the
 * appraisal's instant, is issued and signed by the next, every issuer is a CA that may issue it, and the top is one
 * of the trusted roots.
 */
final class DcapChain {

    static final String ROOT_CN = "Intel SGX Root CA";
    static final String TCB_SIGNING_CN = "Intel SGX TCB Signing";
    static final String PCK_CN = "Intel SGX PCK Certificate";
    static final Set<String> PCK_ISSUER_CNS = Set.of("Intel SGX PCK Platform CA", "Intel SGX PCK Processor CA");

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
                roots.add(X509Authority.certificateFromDer(der));
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
     * @param chain leaf first, the root last
     * @param names the common names each position may have
     * @return why the chain fails, or null: names, algorithms, issuers, signatures, validity, trusted root
     */
    String check(List<X509Certificate> chain, List<Set<String>> names) {
        for (int i = 0; i < chain.size(); i++) {
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
            if (now.isBefore(c.getNotBefore().toInstant()) || now.isAfter(c.getNotAfter().toInstant())) {
                return "'" + cn + "' is valid " + c.getNotBefore().toInstant() + " .. "
                        + c.getNotAfter().toInstant() + ", not at " + now;
            }
            X509Certificate parent = i + 1 < chain.size() ? chain.get(i + 1) : c;
            if (!c.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
                return "'" + cn + "' is issued by " + c.getIssuerX500Principal() + ", not by "
                        + parent.getSubjectX500Principal();
            }
            if (!signedBy(c, parent.getPublicKey())) {
                return "the signature of '" + cn + "' does not verify with the key of '" + commonName(parent) + "'";
            }
            if (i > 0 && !canIssue(c, i - 1)) {
                // RFC 5280 6.1.4 (k), (l), (n): every issuer is a CA, within its path length, with keyCertSign
                return "'" + cn + "' is not a CA that may issue '" + commonName(chain.get(i - 1)) + "' (it needs "
                        + "BasicConstraints CA:TRUE with a path length of at least " + (i - 1) + " and KeyUsage "
                        + "keyCertSign)";
            }
        }
        X509Certificate top = chain.get(chain.size() - 1);
        for (X509Certificate r : roots) {
            if (Arrays.equals(r.getPublicKey().getEncoded(), top.getPublicKey().getEncoded())
                    && r.getSubjectX500Principal().equals(top.getSubjectX500Principal())) {
                return null;
            }
        }
        return "the chain ends in a root with key " + Hex.encode(Digests.sha256(top.getPublicKey().getEncoded()))
                .substring(0, 16) + "..., which is not one of the " + roots.size() + " trusted roots";
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

    /** @return whether a certificate may issue one with {@code below} CA certificates between it and the leaf */
    private static boolean canIssue(X509Certificate c, int below) {
        boolean[] usage = c.getKeyUsage();
        return c.getBasicConstraints() >= below && (usage == null || usage.length > 5 && usage[5]);
    }

    private static boolean signedBy(X509Certificate c, PublicKey key) {
        try {
            c.verify(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
