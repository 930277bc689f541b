package io.teebox.kit.x509;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A bounded cache (least recently used first out) of what a verifier would otherwise redo for every piece of
 * evidence of one platform: certificates and CRLs parsed from their bytes, and chain and CRL verdicts of
 * {@link CertificateChainValidator}. Every entry is keyed by the SHA-256 of all its inputs, so a changed byte, other
 * trust anchors or another CRL is another key (a miss):
 * <ul>
 * <li>a parse is keyed by the bytes parsed; failures are not kept (they are thrown again, each time);</li>
 * <li>a chain verdict ({@link #validate}) is keyed by the chain's certificates, the validator's trust anchors and its
 * CRLs, and only a valid one is kept, with the time window in which the same inputs give the same verdict: from the
 * latest notBefore and thisUpdate to the earliest notAfter and nextUpdate, and before the revocation date of any
 * entry of those CRLs that names a certificate of the chain; outside that window it is a miss and validated again
 * (which then reports the expiry or revocation);</li>
 * <li>a CRL verdict ({@link #checkCrl}) is keyed by the CRL and its issuer, kept only when usable, within the CRL's
 * thisUpdate .. nextUpdate.</li>
 * </ul>
 * Thread-safe; cached certificates and CRLs are shared between callers (they are immutable).
 */
public final class VerificationCache {

    private final int maxEntries;
    private final Map<ByteBuffer, Object> entries;
    private long hits;
    private long misses;

    /** A verdict and the instants (inclusive) between which it holds. */
    private record Timed(Object verdict, Instant from, Instant until) {
        boolean holdsAt(Instant at) {
            return !at.isBefore(from) && !at.isAfter(until);
        }
    }

    /**
     * @param maxEntries how many entries (parses and verdicts together) are kept, at least 1
     * @throws IllegalArgumentException if maxEntries is less than 1
     */
    public VerificationCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Object> eldest) {
                return size() > VerificationCache.this.maxEntries;
            }
        };
    }

    /**
     * @param der a DER certificate
     * @return the certificate, parsed once for these bytes
     * @throws IllegalArgumentException as {@link X509Authority#certificateFromDer}
     */
    public X509Certificate certificate(byte[] der) {
        ByteBuffer key = key("cert", der);
        Object hit = get(key);
        if (hit instanceof X509Certificate c) {
            return c;
        }
        X509Certificate c = X509Authority.certificateFromDer(der);
        put(key, c);
        return c;
    }

    /**
     * @param pem PEM text with certificates
     * @return the certificates, parsed once for this text
     * @throws IllegalArgumentException as {@link X509Authority#certificatesFromPem}
     */
    @SuppressWarnings("unchecked")
    public List<X509Certificate> certificatesFromPem(String pem) {
        ByteBuffer key = key("pem", pem.getBytes(StandardCharsets.UTF_8));
        Object hit = get(key);
        if (hit instanceof List<?> l) {
            return (List<X509Certificate>) l;
        }
        List<X509Certificate> certs = List.copyOf(X509Authority.certificatesFromPem(pem));
        put(key, certs);
        return certs;
    }

    /**
     * @param der a DER CRL
     * @return the CRL, parsed once for these bytes
     * @throws IllegalArgumentException as {@link X509Authority#crlFromDer}
     */
    public X509CRL crl(byte[] der) {
        ByteBuffer key = key("crl", der);
        Object hit = get(key);
        if (hit instanceof X509CRL c) {
            return c;
        }
        X509CRL c = X509Authority.crlFromDer(der);
        put(key, c);
        return c;
    }

    /**
     * Remembers what a pure function of some bytes gave (a document parsed, a signature over it verified with a
     * given key): the same kind and content give the cached value. A null result or an exception is not kept.
     *
     * @param <T> the value's type
     * @param kind what is computed, part of the key
     * @param compute computes the value from exactly the content given, nothing else
     * @param content everything the value depends on
     * @return the value
     */
    @SuppressWarnings("unchecked")
    public <T> T memo(String kind, java.util.function.Supplier<T> compute, byte[]... content) {
        MessageDigest d = digest("memo:" + kind);
        part(d, content.length);
        for (byte[] b : content) {
            part(d, b);
        }
        ByteBuffer key = ByteBuffer.wrap(d.digest());
        Object hit = get(key);
        if (hit != null) {
            return (T) hit;
        }
        T v = compute.get();
        if (v != null) {
            put(key, v);
        }
        return v;
    }

    /**
     * {@link CertificateChainValidator#validate}, from the cache when the same chain was valid under the same anchors
     * and CRLs at an instant of the same window (see the class description).
     *
     * @param validator the validator (anchors, CRLs, instant)
     * @param chain leaf first
     * @return the validator's result
     */
    public CertificateChainValidator.Result validate(CertificateChainValidator validator,
            List<X509Certificate> chain) {
        Objects.requireNonNull(validator, "validator");
        if (chain == null || chain.isEmpty() || chain.stream().anyMatch(Objects::isNull)) {
            return validator.validate(chain);
        }
        Instant at = validator.at();
        ByteBuffer key;
        try {
            MessageDigest d = digest("chain");
            part(d, chain.size());
            for (X509Certificate c : chain) {
                part(d, c.getEncoded());
            }
            part(d, validator.anchors().size());
            for (X509Certificate a : validator.anchors()) {
                part(d, a.getEncoded());
            }
            part(d, validator.crls().size());
            for (X509CRL crl : validator.crls()) {
                part(d, crl.getEncoded());
            }
            key = ByteBuffer.wrap(d.digest());
        } catch (GeneralSecurityException e) {
            return validator.validate(chain);
        }
        Object hit = get(key);
        if (hit instanceof Timed t && t.holdsAt(at)) {
            return (CertificateChainValidator.Result) t.verdict();
        }
        CertificateChainValidator.Result r = validator.validate(chain);
        if (r.valid()) {
            Instant from = Instant.MIN;
            Instant until = Instant.MAX;
            for (X509Certificate c : chain) {
                from = max(from, c.getNotBefore().toInstant());
                until = min(until, c.getNotAfter().toInstant());
            }
            for (X509CRL crl : r.checkedCrls()) {
                from = max(from, crl.getThisUpdate().toInstant());
                if (crl.getNextUpdate() != null) {
                    until = min(until, crl.getNextUpdate().toInstant());
                }
                for (X509Certificate c : chain) {
                    X509CRLEntry e = crl.getRevokedCertificate(c);
                    if (e != null) {
                        // revoked from that date on: the verdict holds only before it
                        until = min(until, e.getRevocationDate().toInstant().minusNanos(1));
                    }
                }
            }
            if (!at.isBefore(from) && !at.isAfter(until)) {
                put(key, new Timed(r, from, until));
            }
        }
        return r;
    }

    /**
     * {@link CertificateChainValidator#checkCrl}, from the cache when the same CRL was usable under the same issuer
     * at an instant within its thisUpdate .. nextUpdate.
     *
     * @param validator the validator (its instant)
     * @param crl the CRL
     * @param issuer the CA that must have issued it
     * @return how the CRL stands
     */
    public CertificateChainValidator.CrlStatus checkCrl(CertificateChainValidator validator, X509CRL crl,
            X509Certificate issuer) {
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(crl, "crl");
        Objects.requireNonNull(issuer, "issuer");
        ByteBuffer key;
        try {
            MessageDigest d = digest("crl-status");
            part(d, crl.getEncoded());
            part(d, issuer.getEncoded());
            key = ByteBuffer.wrap(d.digest());
        } catch (GeneralSecurityException e) {
            return validator.checkCrl(crl, issuer);
        }
        Object hit = get(key);
        if (hit instanceof Timed t && t.holdsAt(validator.at())) {
            return (CertificateChainValidator.CrlStatus) t.verdict();
        }
        CertificateChainValidator.CrlStatus s = validator.checkCrl(crl, issuer);
        if (s.usable()) {
            Instant until = crl.getNextUpdate() == null ? Instant.MAX : crl.getNextUpdate().toInstant();
            put(key, new Timed(s, crl.getThisUpdate().toInstant(), until));
        }
        return s;
    }

    /** @return the number of entries kept */
    public synchronized int size() {
        return entries.size();
    }

    /** @return how many look-ups were answered from the cache since it was created */
    public synchronized long hits() {
        return hits;
    }

    /** @return how many look-ups were not */
    public synchronized long misses() {
        return misses;
    }

    /** Drops every entry. */
    public synchronized void clear() {
        entries.clear();
    }

    private synchronized Object get(ByteBuffer key) {
        Object v = entries.get(key);
        if (v == null) {
            misses++;
        } else {
            hits++;
        }
        return v;
    }

    private synchronized void put(ByteBuffer key, Object value) {
        entries.put(key, value);
    }

    private static ByteBuffer key(String kind, byte[] bytes) {
        MessageDigest d = digest(kind);
        part(d, bytes);
        return ByteBuffer.wrap(d.digest());
    }

    private static MessageDigest digest(String kind) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            part(d, kind.getBytes(StandardCharsets.US_ASCII));
            return d;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Length-prefixed, so that no two sequences of parts hash alike. */
    private static void part(MessageDigest d, byte[] b) {
        part(d, b.length);
        d.update(b);
    }

    private static void part(MessageDigest d, int n) {
        d.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
