package io.teebox.kit.x509;

import io.teebox.kit.crypto.BouncyCastle;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.PublicKey;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Validates a certificate chain, leaf first, against trust anchors at an injected time, the way vendor PKIs (AMD's
 * ARK/ASK/VCEK, Intel's SGX root/PCK CA/PCK) are meant to be checked:
 * <ul>
 * <li>every certificate is within its validity period at that time (the leaf, every intermediate, the root);</li>
 * <li>each certificate's issuer name is its parent's subject name and its signature verifies with the parent's key
 * (RSASSA-PSS with its parameters, RSA PKCS#1, ECDSA: the JDK's verifier, Bouncy Castle as a fallback);</li>
 * <li>every parent is a CA: BasicConstraints CA:TRUE, path length respected, keyCertSign if it has KeyUsage;</li>
 * <li>no certificate carries a critical extension the validator does not understand;</li>
 * <li>the top is self-signed and equals (subject and key) a trust anchor, or is signed by one;</li>
 * <li>each CRL given is issued and signed by a CA of the chain (with cRLSign if it has KeyUsage) and current at that
 * time; a certificate listed in one (directly, or in an indirect entry naming its issuer) with a revocation date
 * not after that time is revoked.</li>
 * </ul>
 * Where a PKI fixes which CA issues which CRL (one CRL per level, as DCAP's root CA CRL and PCK CA CRL),
 * {@link #checkCrl} checks a CRL against the CA that must have issued it, rule by rule.
 * Every problem is reported, not only the first. Immutable and thread-safe.
 */
public final class CertificateChainValidator {

    /** What a problem is about. */
    public enum Check {
        /** The chain itself is unusable (empty, or holds something that is not a certificate). */
        STRUCTURE,
        /** A certificate is expired or not yet valid. */
        VALIDITY,
        /** A certificate's issuer name is not its parent's subject. */
        ISSUER,
        /** A certificate's signature does not verify with its parent's key. */
        SIGNATURE,
        /** A parent is not allowed to sign certificates. */
        CA,
        /** A certificate carries a critical extension that is not understood. */
        EXTENSION,
        /** The chain does not end in a trust anchor. */
        TRUST,
        /** A CRL is not usable: unknown issuer, bad signature, not current. */
        CRL,
        /** A certificate is revoked. */
        REVOKED
    }

    /**
     * One failed check.
     *
     * @param check what was checked
     * @param index the position of the certificate in the chain (0 = leaf), or -1 for the chain or a CRL
     * @param message what was found and what was expected, naming the certificate by its common name
     */
    public record Problem(Check check, int index, String message) {

        /** Creates a problem. */
        public Problem {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return check + ": " + message;
        }
    }

    /**
     * The outcome of one validation.
     *
     * @param problems every failed check, in chain order (leaf first), then the CRLs
     * @param checkedCrls the CRLs that were verified and current, and so were consulted for revocation
     */
    public record Result(List<Problem> problems, List<X509CRL> checkedCrls) {

        /** Creates a result; lists are copied. */
        public Result {
            problems = List.copyOf(problems);
            checkedCrls = List.copyOf(checkedCrls);
        }

        /** @return true if no check failed */
        public boolean valid() {
            return problems.isEmpty();
        }

        /**
         * @param issuer a CA certificate
         * @return whether a verified, current CRL issued by it was consulted
         */
        public boolean revocationCheckedBy(X509Certificate issuer) {
            return checkedCrls.stream().anyMatch(c -> c.getIssuerX500Principal().equals(
                    issuer.getSubjectX500Principal()));
        }
    }

    /**
     * How one CRL stands against the CA that must have issued it ({@link #checkCrl}): each rule on its own, so a
     * verifier whose PKI fixes which CA issues which CRL (DCAP: the root CA CRL, the PCK CA's CRL) can tell them apart.
     *
     * @param crl the CRL
     * @param issuedBy whether the CRL's issuer name is the CA's subject
     * @param signed whether the CRL's signature verifies with the CA's key
     * @param mayIssueCrls whether the CA may sign CRLs (no KeyUsage, or KeyUsage with cRLSign)
     * @param current whether the validation time is within thisUpdate .. nextUpdate (no nextUpdate: from
     *        thisUpdate on)
     * @param problems one {@link Check#CRL} problem per rule that failed, in the order above
     */
    public record CrlStatus(X509CRL crl, boolean issuedBy, boolean signed, boolean mayIssueCrls, boolean current,
            List<Problem> problems) {

        /** Creates a status; the list is copied. */
        public CrlStatus {
            Objects.requireNonNull(crl, "crl");
            problems = List.copyOf(problems);
        }

        /** @return true if every rule holds: the CRL may be consulted for revocation */
        public boolean usable() {
            return problems.isEmpty();
        }
    }

    /** Critical extensions the rules above take care of. */
    private static final Set<String> UNDERSTOOD_CRITICAL = Set.of("2.5.29.15", "2.5.29.19", "2.5.29.17",
            "2.5.29.37");

    private final List<X509Certificate> anchors;
    private final Instant at;
    private final List<X509CRL> crls;

    private CertificateChainValidator(Builder b) {
        this.anchors = List.copyOf(b.anchors);
        this.at = b.at;
        this.crls = List.copyOf(b.crls);
    }

    /** @return the validation time */
    Instant at() {
        return at;
    }

    /** @return the trust anchors */
    List<X509Certificate> anchors() {
        return anchors;
    }

    /** @return the CRLs to consult */
    List<X509CRL> crls() {
        return crls;
    }

    /** @return a builder: no anchors, no CRLs, the current time */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects the validation inputs. Not thread-safe. */
    public static final class Builder {
        private final List<X509Certificate> anchors = new ArrayList<>();
        private final List<X509CRL> crls = new ArrayList<>();
        private Instant at = Instant.now();

        private Builder() {
        }

        /**
         * @param roots certificates to trust (usually self-signed roots)
         * @return this builder
         */
        public Builder trustAnchors(Collection<X509Certificate> roots) {
            roots.forEach(r -> anchors.add(Objects.requireNonNull(r, "trust anchor")));
            return this;
        }

        /**
         * @param time the time at which certificates and CRLs must be valid
         * @return this builder
         */
        public Builder at(Instant time) {
            this.at = Objects.requireNonNull(time, "time");
            return this;
        }

        /**
         * @param clock the clock whose current instant is the validation time
         * @return this builder
         */
        public Builder clock(Clock clock) {
            return at(clock.instant());
        }

        /**
         * @param lists CRLs to consult
         * @return this builder
         */
        public Builder crls(Collection<X509CRL> lists) {
            lists.forEach(c -> crls.add(Objects.requireNonNull(c, "crl")));
            return this;
        }

        /** @return the validator */
        public CertificateChainValidator build() {
            return new CertificateChainValidator(this);
        }
    }

    /**
     * Validates a chain.
     *
     * @param chain leaf first; the last is the root or a certificate a trust anchor signed
     * @return the problems found (none if the chain is valid) and the CRLs consulted
     */
    public Result validate(List<X509Certificate> chain) {
        List<Problem> problems = new ArrayList<>();
        if (chain == null || chain.isEmpty() || chain.stream().anyMatch(Objects::isNull)) {
            problems.add(new Problem(Check.STRUCTURE, -1, "the chain holds no certificates"));
            return new Result(problems, List.of());
        }
        int n = chain.size();
        for (int i = 0; i < n; i++) {
            X509Certificate c = chain.get(i);
            validity(c, i, problems);
            criticalExtensions(c, i, problems);
            if (i + 1 < n) {
                X509Certificate parent = chain.get(i + 1);
                if (!c.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
                    problems.add(new Problem(Check.ISSUER, i, name(c) + " is issued by " + c.getIssuerX500Principal()
                            + ", but the next certificate is " + parent.getSubjectX500Principal()));
                }
                String bad = signatureProblem(c, parent.getPublicKey());
                if (bad != null) {
                    problems.add(new Problem(Check.SIGNATURE, i, "the signature of " + name(c)
                            + " does not verify with the key of " + name(parent) + ": " + bad));
                }
                mayIssue(parent, i + 1, i, problems);
            }
        }
        X509Certificate top = chain.get(n - 1);
        X509Certificate anchor = trust(top, n - 1, problems);
        List<X509Certificate> issuers = new ArrayList<>(chain.subList(1, n));
        if (top.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
            issuers.add(top);
        }
        if (anchor != null && !issuers.contains(anchor)) {
            issuers.add(anchor);
        }
        List<X509CRL> checked = new ArrayList<>();
        for (X509CRL crl : crls) {
            if (usable(crl, issuers, problems)) {
                checked.add(crl);
            }
        }
        for (int i = 0; i < n; i++) {
            X509Certificate c = chain.get(i);
            if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && i == n - 1) {
                continue;
            }
            for (X509CRL crl : checked) {
                X509CRLEntry e = crl.getRevokedCertificate(c);
                if (e != null && !e.getRevocationDate().toInstant().isAfter(at)) {
                    CRLReason reason = e.getRevocationReason();
                    problems.add(new Problem(Check.REVOKED, i, name(c) + " (serial 0x" + c.getSerialNumber()
                            .toString(16) + ") is revoked since " + e.getRevocationDate().toInstant() + " by the CRL of '"
                            + cn(crl.getIssuerX500Principal()) + "'" + (reason == null ? "" : ", reason " + reason)));
                }
            }
        }
        return new Result(problems, checked);
    }

    /**
     * Checks one CRL against the CA that must have issued it (a PKI with one CRL per level), reporting every rule that
     * fails rather than the first: issuer name, signature, cRLSign, currency at the validation time. The CRLs given
     * to the builder are not involved.
     *
     * @param crl the CRL
     * @param issuer the CA that must have issued it
     * @return how the CRL stands
     */
    public CrlStatus checkCrl(X509CRL crl, X509Certificate issuer) {
        Objects.requireNonNull(crl, "crl");
        Objects.requireNonNull(issuer, "issuer");
        List<Problem> problems = new ArrayList<>();
        String what = "the CRL of '" + cn(crl.getIssuerX500Principal()) + "'";
        boolean issuedBy = crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
        if (!issuedBy) {
            problems.add(new Problem(Check.CRL, -1, what + " is not issued by " + name(issuer)));
        }
        String bad = crlSignatureProblem(crl, issuer.getPublicKey());
        if (bad != null) {
            problems.add(new Problem(Check.CRL, -1, "the signature of " + what + " does not verify with the key of "
                    + name(issuer) + ": " + bad));
        }
        boolean[] ku = issuer.getKeyUsage();
        boolean mayIssueCrls = ku == null || ku.length > 6 && ku[6];
        if (!mayIssueCrls) {
            problems.add(new Problem(Check.CRL, -1, what + " is signed by " + name(issuer) + ", whose KeyUsage lacks "
                    + "cRLSign"));
        }
        boolean current = current(crl);
        if (!current) {
            problems.add(new Problem(Check.CRL, -1, what + " is current " + crl.getThisUpdate().toInstant() + " .. "
                    + (crl.getNextUpdate() == null ? "(no nextUpdate)" : crl.getNextUpdate().toInstant())
                    + ", not at " + at));
        }
        return new CrlStatus(crl, issuedBy, bad == null, mayIssueCrls, current, problems);
    }

    private boolean current(X509CRL crl) {
        Instant thisUpdate = crl.getThisUpdate().toInstant();
        Instant nextUpdate = crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
        return !at.isBefore(thisUpdate) && (nextUpdate == null || !at.isAfter(nextUpdate));
    }

    private void validity(X509Certificate c, int i, List<Problem> problems) {
        Instant from = c.getNotBefore().toInstant();
        Instant to = c.getNotAfter().toInstant();
        if (at.isBefore(from)) {
            problems.add(new Problem(Check.VALIDITY, i, name(c) + " is valid " + from + " .. " + to
                    + ": not yet valid at " + at));
        } else if (at.isAfter(to)) {
            problems.add(new Problem(Check.VALIDITY, i, name(c) + " is valid " + from + " .. " + to
                    + ": expired at " + at));
        }
    }

    private static void criticalExtensions(X509Certificate c, int i, List<Problem> problems) {
        Set<String> critical = c.getCriticalExtensionOIDs();
        if (critical == null) {
            return;
        }
        for (String oid : critical) {
            if (!UNDERSTOOD_CRITICAL.contains(oid)) {
                problems.add(new Problem(Check.EXTENSION, i, name(c) + " carries the critical extension " + oid
                        + ", which this validator does not understand"));
            }
        }
    }

    /** Checks that {@code ca} (at {@code index}) may sign the certificate at {@code child}. */
    private static void mayIssue(X509Certificate ca, int index, int child, List<Problem> problems) {
        int pathLength = ca.getBasicConstraints();
        if (pathLength < 0) {
            problems.add(new Problem(Check.CA, index, name(ca) + " signs a certificate but is no CA (it has no "
                    + "BasicConstraints CA:TRUE)"));
            return;
        }
        boolean[] ku = ca.getKeyUsage();
        if (ku != null && (ku.length <= 5 || !ku[5])) {
            problems.add(new Problem(Check.CA, index, name(ca) + " signs a certificate but its KeyUsage lacks "
                    + "keyCertSign"));
        }
        int intermediatesBelow = child;
        if (intermediatesBelow > pathLength) {
            problems.add(new Problem(Check.CA, index, name(ca) + " allows a path length of " + pathLength
                    + " but " + intermediatesBelow + " CA certificate(s) follow it"));
        }
    }

    private X509Certificate trust(X509Certificate top, int index, List<Problem> problems) {
        boolean selfIssued = top.getSubjectX500Principal().equals(top.getIssuerX500Principal());
        if (selfIssued) {
            // checked with or without anchors: a broken root is reported as such, not only as untrusted
            String bad = signatureProblem(top, top.getPublicKey());
            if (bad != null) {
                problems.add(new Problem(Check.SIGNATURE, index, "the self-signature of " + name(top)
                        + " does not verify: " + bad));
            }
        }
        if (anchors.isEmpty()) {
            problems.add(new Problem(Check.TRUST, index, "no trust anchors were given, so " + name(top)
                    + " cannot be trusted"));
            return null;
        }
        if (selfIssued) {
            for (X509Certificate a : anchors) {
                if (a.getSubjectX500Principal().equals(top.getSubjectX500Principal())
                        && Arrays.equals(a.getPublicKey().getEncoded(), top.getPublicKey().getEncoded())) {
                    return a;
                }
            }
            problems.add(new Problem(Check.TRUST, index, "the chain ends in " + name(top) + ", which is none of the "
                    + anchors.size() + " trust anchors " + names(anchors)));
            return null;
        }
        for (X509Certificate a : anchors) {
            if (a.getSubjectX500Principal().equals(top.getIssuerX500Principal())
                    && signatureProblem(top, a.getPublicKey()) == null) {
                List<Problem> more = new ArrayList<>();
                mayIssue(a, index + 1, index, more);
                problems.addAll(more);
                return a;
            }
        }
        problems.add(new Problem(Check.TRUST, index, name(top) + " is issued by " + top.getIssuerX500Principal()
                + ", and none of the trust anchors " + names(anchors) + " signed it"));
        return null;
    }

    private boolean usable(X509CRL crl, List<X509Certificate> issuers, List<Problem> problems) {
        X500Principal by = crl.getIssuerX500Principal();
        String what = "the CRL of '" + cn(by) + "'";
        List<X509Certificate> named = issuers.stream().filter(c -> c.getSubjectX500Principal().equals(by)).toList();
        if (named.isEmpty()) {
            problems.add(new Problem(Check.CRL, -1, what + " is issued by no CA of this chain " + names(issuers)));
            return false;
        }
        X509Certificate signer = null;
        String bad = null;
        for (X509Certificate c : named) {
            bad = crlSignatureProblem(crl, c.getPublicKey());
            if (bad == null) {
                signer = c;
                break;
            }
        }
        if (signer == null) {
            problems.add(new Problem(Check.CRL, -1, "the signature of " + what + " does not verify with that CA's "
                    + "key: " + bad));
            return false;
        }
        boolean[] ku = signer.getKeyUsage();
        if (ku != null && (ku.length <= 6 || !ku[6])) {
            problems.add(new Problem(Check.CRL, -1, what + " is signed by a CA whose KeyUsage lacks cRLSign"));
            return false;
        }
        Instant thisUpdate = crl.getThisUpdate().toInstant();
        Instant nextUpdate = crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
        if (at.isBefore(thisUpdate) || (nextUpdate != null && at.isAfter(nextUpdate))) {
            problems.add(new Problem(Check.CRL, -1, what + " is current " + thisUpdate + " .. "
                    + (nextUpdate == null ? "(no nextUpdate)" : nextUpdate) + ", not at " + at));
            return false;
        }
        return true;
    }

    /** @return why the signature does not verify, or null if it does */
    static String signatureProblem(X509Certificate c, PublicKey key) {
        try {
            c.verify(key);
            return null;
        } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
            try {
                c.verify(key, BouncyCastle.provider());
                return null;
            } catch (GeneralSecurityException | RuntimeException e2) {
                return describe(e2);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            return describe(e);
        }
    }

    private static String crlSignatureProblem(X509CRL crl, PublicKey key) {
        try {
            crl.verify(key);
            return null;
        } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
            try {
                crl.verify(key, BouncyCastle.provider());
                return null;
            } catch (GeneralSecurityException | RuntimeException e2) {
                return describe(e2);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            return describe(e);
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String names(List<X509Certificate> certs) {
        return certs.stream().map(CertificateChainValidator::name).toList().toString();
    }

    /** @return the certificate's common name in quotes, or its whole subject */
    static String name(X509Certificate c) {
        return "'" + cn(c.getSubjectX500Principal()) + "'";
    }

    /** @return the first common name in a distinguished name, or the whole name if it has none */
    static String cn(X500Principal p) {
        try {
            RDN[] cns = X500Name.getInstance(p.getEncoded()).getRDNs(BCStyle.CN);
            if (cns.length > 0) {
                return IETFUtils.valueToString(cns[0].getFirst().getValue());
            }
        } catch (IllegalArgumentException e) {
            // fall through to the whole name
        }
        return p.getName();
    }
}
