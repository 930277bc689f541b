package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.Evidence;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.kit.hex.Hex;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Checks {@code pck_chain} and {@code pck_extensions}: the PEM chain the quote's certification data carries (PCK,
 * Platform or Processor CA, root; nothing beside it but a terminating NUL) under {@link DcapChain}'s rules, the
 * certificates given beside the quote, and the PCK certificate's SGX extensions, described as claims.
 */
final class PckChainCheck {

    private final Findings out;
    private List<X509Certificate> chain;
    private PckExtensions extensions;

    private PckChainCheck(Findings out) {
        this.out = out;
    }

    /**
     * @param q the quote
     * @param evidence the evidence (certificates given beside the quote)
     * @param rules Intel's chain rules
     * @param out where claims and failures go
     * @return the check's outcome
     */
    static PckChainCheck check(Quote q, Evidence evidence, DcapChain rules, Findings out) {
        PckChainCheck c = new PckChainCheck(out);
        c.chain = c.chain(q, evidence, rules);
        if (c.chain != null) {
            c.extensions = c.extensions(c.chain.get(0));
        }
        return c;
    }

    /** @return the PCK chain (PCK, CA, root) if it passed, else null */
    List<X509Certificate> chain() {
        return chain;
    }

    /** @return the PCK certificate if the chain passed, else null */
    X509Certificate pck() {
        return chain == null ? null : chain.get(0);
    }

    /** @return the PCK certificate's SGX extensions if they could be read, else null */
    PckExtensions extensions() {
        return extensions;
    }

    private List<X509Certificate> chain(Quote q, Evidence evidence, DcapChain rules) {
        String text = q.pckChainText();
        String residue = DcapChain.CACHE.memo("pem-residue", () -> text.replaceAll(
                "(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", "").replaceAll("\\u0000+$", "")
                .strip(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (!residue.isEmpty()) {
            // DCAP's QE ends the PEM chain with a NUL (go-tdx-guest accepts that and nothing else)
            out.fail("pck_chain", "the PCK chain carries " + residue.length() + " characters outside its PEM "
                    + "certificates other than a terminating NUL");
            return null;
        }
        List<X509Certificate> certs;
        try {
            certs = DcapChain.CACHE.certificatesFromPem(text);
        } catch (IllegalArgumentException e) {
            out.fail("pck_chain", "the quote's PCK chain is not PEM: " + e.getMessage());
            return null;
        }
        if (certs.size() != 3) {
            out.fail("pck_chain", "the quote carries " + certs.size() + " certificates, expected 3 (PCK, Platform or "
                    + "Processor CA, root)");
            return null;
        }
        // revocation comes with the collateral's CRLs (CrlCheck)
        String bad = rules.check(certs, List.of(Set.of(DcapChain.PCK_CN), DcapChain.PCK_ISSUER_CNS,
                Set.of(DcapChain.ROOT_CN)), List.of()).failure();
        if (bad != null) {
            out.fail("pck_chain", bad);
            return null;
        }
        String beside = besideTheQuote(evidence.certificates(), certs);
        if (beside != null) {
            out.fail("pck_chain", beside);
            return null;
        }
        return certs;
    }

    /**
     * Certificates given beside a quote whose certification data carries its PCK chain (type 5) must be that
     * chain: evidence does not carry two chains of which the verifier would check one.
     *
     * @return why they differ, or null
     */
    private static String besideTheQuote(List<byte[]> given, List<X509Certificate> chain) {
        if (given.isEmpty()) {
            return null;
        }
        boolean same = given.size() == chain.size();
        for (int i = 0; same && i < chain.size(); i++) {
            try {
                same = Arrays.equals(given.get(i), chain.get(i).getEncoded());
            } catch (CertificateEncodingException e) {
                same = false;
            }
        }
        return same ? null : "the " + given.size() + " certificates given beside the quote are not the PCK "
                + "chain its certification data carries (give none, or exactly that chain)";
    }

    private PckExtensions extensions(X509Certificate pck) {
        try {
            PckExtensions e = DcapChain.CACHE.memo("pck-extensions", () -> PckExtensions.of(pck), pck.getEncoded());
            out.claim("fmspc", Hex.encode(e.fmspc()));
            out.claim("pce_id", Hex.encode(e.pceId()));
            out.claim("ppid", Hex.encode(e.ppid()));
            out.claim("pck_cpusvn", e.cpuSvn() == null ? "" : Hex.encode(e.cpuSvn()));
            out.claim("pce_svn", Integer.toString(e.pceSvn()));
            return e;
        } catch (IllegalArgumentException e) {
            out.fail("pck_extensions", e.getMessage());
            return null;
        } catch (CertificateEncodingException e) {
            out.fail("pck_extensions", "the PCK certificate cannot be encoded: " + e.getMessage());
            return null;
        }
    }
}
