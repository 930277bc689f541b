package io.teebox.nvidia.rim.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import io.teebox.kit.crypto.BouncyCastle;
import io.teebox.kit.lang.Lazy;
import io.teebox.kit.x509.X509Authority;

/**
 * NVIDIA's OCSP responder, emulated (RFC 6960): answers for every certificate the emulated PKI issued, device and
 * reference-value hierarchies and the GPUs' BROM certificates it provisioned; "good" unless revoked through
 * {@link #revoke}, "unknown" for a certificate it did not issue. Each answer is signed ECDSA-SHA384 by the delegated
 * responder of the issuer of the (first) certificate asked about; it carries the responder's certificate first (the
 * one NVIDIA's verifier takes) and then the path from the issuer up to the root, so a client that trusts only the
 * root (OpenSSL) can verify it, and it echoes the request's nonce.
 */
public final class OcspResponder {

    private static final Duration VALIDITY = Duration.ofDays(1);

    private final NvidiaPki pki;
    private final Path file;
    private final Lazy<Map<BigInteger, Instant>> revoked;

    /**
     * @param pki the emulated PKI
     * @param file where revocations are kept (one {@code <serial hex> <instant>} a line), or null for memory only
     */
    public OcspResponder(NvidiaPki pki, Path file) {
        this.pki = pki;
        this.file = file;
        this.revoked = Lazy.of(this::load);
    }

    private Map<BigInteger, Instant> load() {
        Map<BigInteger, Instant> m = new ConcurrentHashMap<>();
        if (file == null || !Files.exists(file)) {
            return m;
        }
        try {
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                n++;
                String[] f = line.trim().split(" ");
                if (line.isBlank()) {
                    continue;
                }
                try {
                    m.put(new BigInteger(f[0], 16), Instant.parse(f[1]));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("the kept NVIDIA revocations " + file + " line " + n
                            + " is not '<serial hex> <instant>': " + line);
                }
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kept NVIDIA revocations " + file, e);
        }
    }

    /**
     * Revokes a certificate of the emulated PKI: its OCSP status becomes revoked (keyCompromise), also after a
     * restart when a file was given.
     *
     * @param serial its serial number
     */
    public synchronized void revoke(BigInteger serial) {
        if (revoked.get().putIfAbsent(serial, Instant.now()) != null || file == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        revoked.get().forEach((k, v) -> sb.append(k.toString(16)).append(' ').append(v).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "revoked", ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the NVIDIA revocations in " + file, e);
        }
    }

    /**
     * @param der a DER OCSPRequest
     * @param now the time of the answer
     * @return a DER OCSPResponse: MALFORMED_REQUEST for a request that cannot be read, UNAUTHORIZED for a certificate
     *         whose issuer is none of the emulated NVIDIA CAs, else SUCCESSFUL
     */
    public byte[] answer(byte[] der, Instant now) {
        OCSPReq request;
        try {
            request = new OCSPReq(der);
            if (request.getRequestList().length == 0) {
                return status(OCSPRespBuilder.MALFORMED_REQUEST);
            }
        } catch (IOException | RuntimeException e) {
            return status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        try {
            DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder()
                    .setProvider(BouncyCastle.provider()).build();
            X509Authority responder = null;
            X509Certificate issuer = null;
            BasicOCSPRespBuilder b = null;
            for (Req r : request.getRequestList()) {
                CertificateID id = r.getCertID();
                X509Certificate[] found = find(id, digests);
                if (found == null && !knownIssuer(id, digests)) {
                    // RFC 6960 2.3: a responder not authoritative for the certificate's issuer says unauthorized
                    // rather than sign an answer no client could trust (genuine NVIDIA certificates, for example)
                    return status(OCSPRespBuilder.UNAUTHORIZED);
                }
                if (responder == null) {
                    issuer = found == null ? pki.deviceRoot().certificate() : found[1];
                    responder = pki.responderFor(issuer);
                    b = new BasicOCSPRespBuilder(new RespID(
                            new JcaX509CertificateHolder(responder.certificate()).getSubject()));
                }
                CertificateStatus status;
                if (found == null) {
                    status = new UnknownStatus();
                } else if (revoked.get().containsKey(found[0].getSerialNumber())) {
                    status = new RevokedStatus(Date.from(revoked.get().get(found[0].getSerialNumber())),
                            CRLReason.keyCompromise);
                } else {
                    status = CertificateStatus.GOOD;
                }
                b.addResponse(id, status, Date.from(now), Date.from(now.plus(VALIDITY)), null);
            }
            Extension nonce = request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (nonce != null) {
                b.setResponseExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                        false, nonce.getExtnValue())));
            }
            var signer = new JcaContentSignerBuilder(X509Authority.ECDSA_SHA384).setProvider(BouncyCastle.provider())
                    .build(responder.privateKey());
            List<X509Certificate> path = pki.pathBelowRoot(issuer);
            X509CertificateHolder[] certs = new X509CertificateHolder[1 + path.size()];
            certs[0] = new JcaX509CertificateHolder(responder.certificate());
            for (int i = 0; i < path.size(); i++) {
                certs[i + 1] = new JcaX509CertificateHolder(path.get(i));
            }
            return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, b.build(signer, certs, Date.from(now)))
                    .getEncoded();
        } catch (OCSPException | OperatorCreationException | CertificateEncodingException | IOException e) {
            return status(OCSPRespBuilder.INTERNAL_ERROR);
        }
    }

    private boolean knownIssuer(CertificateID id, DigestCalculatorProvider digests)
            throws OCSPException, CertificateEncodingException {
        for (X509Certificate[] pair : pki.issued()) {
            if (id.matchesIssuer(new JcaX509CertificateHolder(pair[1]), digests)) {
                return true;
            }
        }
        return false;
    }

    private X509Certificate[] find(CertificateID id, DigestCalculatorProvider digests)
            throws OCSPException, CertificateEncodingException {
        for (X509Certificate[] pair : pki.issued()) {
            if (pair[0].getSerialNumber().equals(id.getSerialNumber())
                    && id.matchesIssuer(new JcaX509CertificateHolder(pair[1]), digests)) {
                return pair;
            }
        }
        return null;
    }

    private static byte[] status(int status) {
        try {
            return new OCSPRespBuilder().build(status, null).getEncoded();
        } catch (OCSPException | IOException e) {
            throw new IllegalStateException("cannot encode an OCSP status " + status, e);
        }
    }
}
