package io.teebox.intel.verify.internal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;

/**
 * An Intel-like key hierarchy built in the test with chosen validity periods and CA flags, Intel's names, and
 * deterministic keys of its own: root, PCK Platform CA, TCB Signing, their CRLs. It re-issues a quote's PCK
 * certificate (same public key and SGX extension, so the QE report signature still verifies) and re-signs a
 * collateral's TCB info and QE identity, so a test can present a quote whose chain differs from the emulated PCS's
 * in one property (an intermediate that has expired, a CA that is not a CA) while everything else holds.
 */
final class IntelHierarchy {

    static final String NAMES = ", O=Intel Corporation, L=Santa Clara, ST=CA, C=US";
    static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
    static final Instant TO = Instant.parse("2049-12-31T23:59:59Z");

    /** Which part of the hierarchy a validity or flag applies to. */
    enum Part { ROOT, PLATFORM_CA, PCK, TCB_SIGNING, ROOT_CRL, PCK_CRL }

    private final Map<Part, Instant[]> validity = new HashMap<>();
    private boolean platformCaIsCa = true;
    private final String seed;
    private X509Authority root;
    private X509Authority platformCa;
    private X509Authority tcbSigning;

    /** @param seed the keys' seed */
    IntelHierarchy(String seed) {
        this.seed = seed;
    }

    /** Sets a part's validity (default 2024-01-01 .. 2049-12-31; CRLs: 2026-05-31 .. 2026-06-30). */
    IntelHierarchy valid(Part part, Instant from, Instant to) {
        validity.put(part, new Instant[] {from, to});
        return this;
    }

    /** Makes the Platform CA an end-entity certificate (BasicConstraints CA:FALSE, no keyCertSign). */
    IntelHierarchy platformCaNotACa() {
        platformCaIsCa = false;
        return this;
    }

    private Instant[] of(Part p) {
        boolean crl = p == Part.ROOT_CRL || p == Part.PCK_CRL;
        return validity.getOrDefault(p, crl ? new Instant[] {Instant.parse("2026-05-31T00:00:00Z"),
            Instant.parse("2026-06-30T00:00:00Z")} : new Instant[] {FROM, TO});
    }

    private java.security.KeyPair key(String label) {
        return EcKeys.fromSeed("P-256", (seed + "/" + label).getBytes(StandardCharsets.US_ASCII));
    }

    private void build() {
        if (root != null) {
            return;
        }
        root = X509Authority.builder().subject("CN=Intel SGX Root CA" + NAMES).keyPair(key("root"))
                .serial(BigInteger.valueOf(1)).validity(of(Part.ROOT)[0], of(Part.ROOT)[1]).ca(1)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).subjectKeyId().selfSigned();
        X509Authority.CertificateBuilder p = root.issue().subject("CN=Intel SGX PCK Platform CA" + NAMES)
                .keyPair(key("platform")).serial(BigInteger.valueOf(2)).validity(of(Part.PLATFORM_CA)[0],
                        of(Part.PLATFORM_CA)[1]).subjectKeyId().authorityKeyId();
        platformCa = (platformCaIsCa ? p.ca(0).keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                : p.endEntity().keyUsage(KeyUsageBit.DIGITAL_SIGNATURE, KeyUsageBit.CRL_SIGN)).build();
        tcbSigning = root.issue().subject("CN=Intel SGX TCB Signing" + NAMES).keyPair(key("tcb"))
                .serial(BigInteger.valueOf(3)).validity(of(Part.TCB_SIGNING)[0], of(Part.TCB_SIGNING)[1])
                .endEntity().keyUsage(KeyUsageBit.DIGITAL_SIGNATURE, KeyUsageBit.NON_REPUDIATION).subjectKeyId()
                .authorityKeyId().build();
    }

    /** @return the root, DER */
    byte[] root() {
        build();
        return X509Authority.toDer(root.certificate());
    }

    /**
     * @param quote a Quote v4
     * @return the quote with its PCK chain replaced by this hierarchy's (the leaf re-issued for the same key)
     */
    byte[] quote(byte[] quote) {
        build();
        QuoteV4 q = QuoteV4.parse(quote);
        X509Certificate pck = X509Authority.certificatesFromPem(q.pckChainText()).get(0);
        byte[] sgx = ASN1OctetString.getInstance(pck.getExtensionValue(PckExtensions.OID_SGX)).getOctets();
        X509Certificate leaf = platformCa.issue().subject("CN=Intel SGX PCK Certificate" + NAMES)
                .publicKey(pck.getPublicKey()).serial(BigInteger.valueOf(4)).validity(of(Part.PCK)[0],
                        of(Part.PCK)[1]).endEntity().keyUsage(KeyUsageBit.DIGITAL_SIGNATURE,
                                KeyUsageBit.NON_REPUDIATION).authorityKeyId().extension(PckExtensions.OID_SGX,
                                        false, sgx).buildCertificate();
        byte[] pem = X509Authority.toPem(leaf, platformCa.certificate(), root.certificate())
                .getBytes(StandardCharsets.US_ASCII);
        return new QuoteV4(q.header(), q.body(), q.signature(), q.attestationKey(), q.qeReport(),
                q.qeReportSignature(), q.qeAuthData(), pem).toBytes();
    }

    /**
     * @param collateral collateral JSON (of the emulated PCS)
     * @return the same TCB info and QE identity signed by this hierarchy's TCB Signing key, with its chains and
     *         CRLs
     */
    String collateral(String collateral) {
        build();
        JsonObject c = JsonParser.parseString(collateral).getAsJsonObject();
        String chain = X509Authority.toPem(tcbSigning.certificate(), root.certificate());
        c.addProperty("pck_crl_issuer_chain", X509Authority.toPem(platformCa.certificate(), root.certificate()));
        c.addProperty("root_ca_crl", Hex.encode(X509Authority.toDer(root.crl().validity(of(Part.ROOT_CRL)[0],
                of(Part.ROOT_CRL)[1]).build())));
        c.addProperty("pck_crl", Hex.encode(X509Authority.toDer(platformCa.crl().validity(of(Part.PCK_CRL)[0],
                of(Part.PCK_CRL)[1]).build())));
        c.addProperty("tcb_info_issuer_chain", chain);
        c.addProperty("qe_identity_issuer_chain", chain);
        for (String member : new String[] {"tcb_info", "qe_identity"}) {
            byte[] doc = c.get(member).getAsString().getBytes(StandardCharsets.UTF_8);
            BigInteger[] rs = Signatures.ecdsaSign(tcbSigning.privateKey(), "SHA-256", doc);
            c.addProperty(member + "_signature", Hex.encode(Signatures.toRaw(rs[0], rs[1], 32)));
        }
        return c.toString();
    }
}
