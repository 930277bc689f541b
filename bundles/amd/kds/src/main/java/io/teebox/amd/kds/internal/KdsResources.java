package io.teebox.amd.kds.internal;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.util.Arrays;
import java.util.Locale;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.amd.abi.KdsRequest;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

/**
 * What the emulated KDS answers, from the key hierarchy of this machine's chip: cert_chain (PEM: ASK or ASVK, then
 * ARK), the ARK-signed CRL (DER), the chip's VCEK at a TCB and the loaded VLEK at a TCB (DER). AMD issues a VLEK to
 * the cloud provider only; the emulated KDS serves the VLEK of the platform's configured CSP to anyone.
 */
final class KdsResources {

    /** A resource: its body and media type. */
    record Resource(byte[] body, String contentType) {
    }

    /** A request the KDS does not answer: HTTP 404 (no such resource here) or 400 (malformed). */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final AmdSecureProcessor sp;

    KdsResources(AmdSecureProcessor sp) {
        this.sp = sp;
    }

    /** @return where the key hierarchy's resources are */
    AmdKeyHierarchy keys() {
        return sp.keys();
    }

    /**
     * @param request the request
     * @return the resource
     * @throws Refusal 404 for another product, an unknown chip or no VLEK; 400 for a missing or malformed SPL
     */
    Resource answer(KdsRequest request) {
        AmdKeyHierarchy keys = sp.keys();
        if (!request.product().equals(keys.productLine())) {
            throw new Refusal(404, "this KDS serves " + keys.productLine() + ", not " + request.product());
        }
        boolean vlek = request.signer().equals(KdsRequest.VLEK);
        try {
            return switch (request.kind()) {
                case KdsRequest.CERT_CHAIN -> new Resource(X509Authority.toPem(vlek ? keys.asvk().certificate()
                        : keys.ask(), keys.ark()).getBytes(StandardCharsets.US_ASCII), "application/x-pem-file");
                case KdsRequest.CRL -> new Resource(X509Authority.toDer(keys.crl()), "application/pkix-crl");
                case KdsRequest.VCEK -> vcek(keys, request);
                default -> vlek(keys, request);
            };
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Resource vcek(AmdKeyHierarchy keys, KdsRequest request) throws CertificateEncodingException {
        String hwid = request.key().getOrDefault(KdsRequest.HWID, "").toLowerCase(Locale.ROOT);
        if (!hwid.equals(Hex.encode(keys.chipId())) && !hwid.equals(Hex.encode(Arrays.copyOf(keys.chipId(), 8)))) {
            throw new Refusal(404, "unknown hwid");
        }
        return new Resource(keys.vcek(tcb(keys, request)).getEncoded(), "application/pkix-cert");
    }

    private Resource vlek(AmdKeyHierarchy keys, KdsRequest request) throws CertificateEncodingException {
        String csp = sp.vlekCspId();
        if (csp == null) {
            throw new Refusal(404, "no cloud provider loaded a VLEK on this platform (signingKey is VCEK)");
        }
        return new Resource(keys.vlek(tcb(keys, request), csp).getEncoded(), "application/pkix-cert");
    }

    private static TcbVersion tcb(AmdKeyHierarchy keys, KdsRequest request) {
        try {
            return TcbVersions.encode(keys.productLine(), spl(request, "fmcSPL"), spl(request, "blSPL"),
                    spl(request, "teeSPL"), spl(request, "snpSPL"), spl(request, "ucodeSPL"));
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, e.getMessage());
        }
    }

    private static int spl(KdsRequest request, String name) {
        String v = request.key().get(name);
        if (v == null) {
            if (name.equals("fmcSPL")) {
                return 0;
            }
            throw new Refusal(400, "query parameter " + name + " is missing");
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Refusal(400, "query parameter " + name + "='" + v + "' is not a number");
        }
    }
}
