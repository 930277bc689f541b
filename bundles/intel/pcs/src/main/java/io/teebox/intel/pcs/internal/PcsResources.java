package io.teebox.intel.pcs.internal;

import io.teebox.intel.tdx.abi.PcsRequest;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the emulated PCS serves, by request ({@link PcsRequest}): the same bytes for its servlet and its collateral
 * source. It also remembers the PCK certificates it issued, so it can serve them again by PPID and TCB.
 */
final class PcsResources {

    /** A PCS answer: the document and the issuer chain its header carries. */
    record Answer(byte[] body, String contentType, String issuerChain) {
    }

    /** A request the PCS answers with an error status. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final IntelAuthority authority;
    private final IntelCollateral collateral;
    private final Clock clock;
    private final Map<String, X509Certificate> issued = new ConcurrentHashMap<>();

    PcsResources(IntelAuthority authority, Clock clock) {
        this.authority = authority;
        this.collateral = new IntelCollateral(authority);
        this.clock = clock;
    }

    IntelAuthority authority() {
        return authority;
    }

    IntelCollateral collateral() {
        return collateral;
    }

    Clock clock() {
        return clock;
    }

    X509Certificate issuePck(byte[] ppid, byte[] cpuSvn, int pceSvn, byte[] pceId, byte[] fmspc, PublicKey key) {
        X509Certificate pck = authority.issuePck(ppid, cpuSvn, pceSvn, pceId, fmspc, key);
        issued.put(pckKey(Hex.encode(ppid), Hex.encode(cpuSvn), String.format("%02x%02x", pceSvn & 0xFF,
                pceSvn >> 8 & 0xFF), Hex.encode(pceId)), pck);
        return pck;
    }

    private static String pckKey(String ppid, String cpuSvn, String pceSvn, String pceId) {
        return (ppid + "/" + cpuSvn + "/" + pceSvn + "/" + pceId).toLowerCase(Locale.ROOT);
    }

    /**
     * @param r a request
     * @return the document, with the issuer chain of its header (null for the root CA CRL)
     * @throws Refusal with 404 for a PCK certificate this PCS never issued
     */
    Answer answer(PcsRequest r) {
        var now = clock.instant();
        return switch (r.document()) {
            case "pckcrl" -> {
                boolean platform = "platform".equals(r.key().get("ca"));
                yield new Answer(X509Authority.toDer(platform ? authority.pckCrl(now) : authority.processorCrl(now)),
                        "application/pkix-crl", platform ? authority.pckCrlIssuerChain()
                                : authority.processorCrlIssuerChain());
            }
            case "tcb" -> new Answer(collateral.tcbInfoResponse(r.key().get("fmspc").toLowerCase(Locale.ROOT), now)
                    .getBytes(StandardCharsets.UTF_8), "application/json", authority.tcbIssuerChain());
            case "qe_identity" -> new Answer(collateral.qeIdentityResponse(now).getBytes(StandardCharsets.UTF_8),
                    "application/json", authority.tcbIssuerChain());
            case "rootcacrl" -> new Answer(X509Authority.toDer(authority.rootCrl(now)), "application/pkix-crl", null);
            default -> {
                X509Certificate pck = issued.get(pckKey(r.key().get("ppid"), r.key().get("cpusvn"),
                        r.key().get("pcesvn"), r.key().get("pceid")));
                if (pck == null) {
                    throw new Refusal(404, "this PCS issued no PCK certificate for that PPID and TCB");
                }
                yield new Answer(X509Authority.toPem(pck).getBytes(StandardCharsets.US_ASCII),
                        "application/x-pem-file", authority.pckCrlIssuerChain());
            }
        };
    }
}
