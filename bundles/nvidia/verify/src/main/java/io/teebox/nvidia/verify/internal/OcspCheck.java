package io.teebox.nvidia.verify.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

import io.teebox.api.tee.Bytes;
import io.teebox.kit.crypto.BouncyCastle;
import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.kit.x509.X509Authority;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/**
 * OCSP for a certificate chain as NVIDIA's local verifier checks it ({@code cc_admin_utils.py}
 * {@code ocsp_certificate_chain_validation}): for each certificate from {@code start} up to, not including, the root,
 * a request with a SHA-384 CertID and a fresh 32-byte nonce (critical extension); the answer must be SUCCESSFUL,
 * carry the responder's certificate, which must chain to a certificate of the chain from the one asked about up to
 * the root, be signed ecdsa-with-SHA384 with that certificate's key, echo the nonce, and say "good" for that serial.
 * Requests go through the collateral sources (kind {@code ocsp}, key {@code request}: base64 DER).
 */
final class OcspCheck {

    /** The kind of collateral an OCSP answer is. */
    static final String KIND = "ocsp";
    static final String ECDSA_SHA384 = "1.2.840.10045.4.3.3";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<CollateralSource> sources;
    private final Instant now;

    OcspCheck(List<CollateralSource> sources, Instant now) {
        this.sources = sources;
        this.now = now;
    }

    /**
     * @param what the chain's name for messages ("device", "driver RIM")
     * @param chain leaf first, the trusted root last
     * @param start the first index asked about (1 for the device chain: the leaf is not, as NVIDIA's verifier does)
     * @param problems where problems are noted, one line each
     * @return false if no source answered (OCSP not made), true if it was made (problems say how it went)
     */
    boolean check(String what, List<X509Certificate> chain, int start, List<String> problems) {
        for (int i = start; i < chain.size() - 1; i++) {
            X509Certificate cert = chain.get(i);
            byte[] nonce = new byte[32];
            RANDOM.nextBytes(nonce);
            byte[] request;
            CertificateID id;
            try {
                id = new CertificateID(new JcaDigestCalculatorProviderBuilder().setProvider(BouncyCastle.provider())
                        .build().get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384)),
                        new JcaX509CertificateHolder(chain.get(i + 1)), cert.getSerialNumber());
                request = new OCSPReqBuilder().addRequest(id).setRequestExtensions(new Extensions(new Extension(
                        OCSPObjectIdentifiers.id_pkix_ocsp_nonce, true, new DEROctetString(nonce).getEncoded())))
                        .build().getEncoded();
            } catch (OCSPException | OperatorCreationException | CertificateEncodingException | IOException e) {
                problems.add(what + " certificate " + i + ": cannot make an OCSP request: " + e.getMessage());
                return true;
            }
            Optional<byte[]> answer = ask(request, problems);
            if (answer.isEmpty()) {
                return false;
            }
            String name = what + " certificate " + i + " '" + cn(cert) + "'";
            String p = verify(answer.get(), id, nonce, chain.subList(i, chain.size()));
            if (p != null) {
                problems.add("OCSP for the " + name + ": " + p);
            }
        }
        return true;
    }

    private Optional<byte[]> ask(byte[] request, List<String> problems) {
        Map<String, String> key = Map.of("request", Base64.getEncoder().encodeToString(request));
        for (CollateralSource s : sources) {
            Optional<CollateralSources.Answer> a = CollateralSources.ask(s, KIND, key, problems);
            if (a.isPresent()) {
                byte[] der = a.get().value().value();
                if (unauthorized(der)) {
                    // not this responder's certificate (RFC 6960 2.3): ask the next one; none is as if none answered
                    continue;
                }
                return Optional.of(der);
            }
        }
        return Optional.empty();
    }

    private static boolean unauthorized(byte[] der) {
        try {
            return new OCSPResp(der).getStatus() == OCSPResp.UNAUTHORIZED;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private String verify(byte[] der, CertificateID id, byte[] nonce, List<X509Certificate> tail) {
        try {
            OCSPResp resp = new OCSPResp(der);
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                return "the responder answered status " + resp.getStatus() + ", not SUCCESSFUL (0)";
            }
            if (!(resp.getResponseObject() instanceof BasicOCSPResp basic)) {
                return "the answer is not a basic OCSP response";
            }
            X509CertificateHolder[] certs = basic.getCerts();
            if (certs == null || certs.length == 0) {
                return "the answer carries no responder certificate";
            }
            X509Certificate responder = X509Authority.certificateFromDer(certs[0].getEncoded());
            String chainProblem = responderChain(responder, tail);
            if (chainProblem != null) {
                return chainProblem;
            }
            if (!ECDSA_SHA384.equals(basic.getSignatureAlgOID().getId())) {
                return "the answer is signed with " + basic.getSignatureAlgOID() + ", expected ecdsa-with-SHA384";
            }
            if (!basic.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(BouncyCastle.provider())
                    .build(certs[0]))) {
                return "the answer's signature does not verify with the responder certificate '" + cn(responder)
                        + "'";
            }
            Extension n = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (n == null) {
                return "the answer does not echo the request's nonce";
            }
            byte[] echoed = n.getExtnValue().getOctets();
            byte[] inner = echoed;
            try {
                inner = ASN1OctetString.getInstance(echoed).getOctets();
            } catch (IllegalArgumentException raw) {
                // a responder that echoes the bare nonce bytes
            }
            if (!Arrays.equals(inner, nonce)) {
                return "the answer's nonce differs from the request's";
            }
            SingleResp single = null;
            for (SingleResp s : basic.getResponses()) {
                if (s.getCertID().equals(id)) {
                    single = s;
                }
            }
            if (single == null) {
                return "the answer has no status for serial " + id.getSerialNumber().toString(16);
            }
            CertificateStatus status = single.getCertStatus();
            if (status == CertificateStatus.GOOD) {
                return null;
            }
            if (status instanceof RevokedStatus r) {
                return "the certificate is revoked" + (r.hasRevocationReason() ? " (reason "
                        + r.getRevocationReason() + ")" : "") + " since " + r.getRevocationTime().toInstant();
            }
            return "the responder does not know the certificate (status unknown)";
        } catch (IOException | OCSPException | OperatorCreationException | java.security.cert.CertificateException
                | RuntimeException e) {
            return "the answer cannot be read: " + e.getMessage();
        }
    }

    private String responderChain(X509Certificate responder, List<X509Certificate> tail) {
        for (int k = 0; k < tail.size(); k++) {
            if (tail.get(k).getSubjectX500Principal().equals(responder.getIssuerX500Principal())) {
                List<X509Certificate> c = new ArrayList<>();
                c.add(responder);
                c.addAll(tail.subList(k, tail.size()));
                CertificateChainValidator.Result r = CertificateChainValidator.builder()
                        .trustAnchors(List.of(tail.get(tail.size() - 1))).at(now).build().validate(c);
                return r.valid() ? null : "the responder certificate '" + cn(responder) + "' does not chain to the "
                        + "root: " + r.problems().get(0).message();
            }
        }
        return "the responder certificate '" + cn(responder) + "' is issued by "
                + responder.getIssuerX500Principal().getName() + ", not by a certificate of the chain";
    }

    static String cn(X509Certificate c) {
        String dn = c.getSubjectX500Principal().getName();
        for (String part : dn.split(",")) {
            if (part.startsWith("CN=")) {
                return part.substring(3);
            }
        }
        return dn;
    }
}
