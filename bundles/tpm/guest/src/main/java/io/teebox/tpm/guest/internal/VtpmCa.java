package io.teebox.tpm.guest.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;

/**
 * The emulated vTPM CA, as a cloud's vTPM service has one (Google's "EK/AK CA Root", Azure's "Global Virtual TPM
 * CA"): an ECDSA P-384 root derived from the machine's kept seed, so its certificate is the same in every run, issuing
 * each vTPM's EK certificate (the TCG EK certificate EKU 2.23.133.8.1, keyEncipherment for an RSA EK).
 */
final class VtpmCa {

    private static final Instant NOT_BEFORE = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant NOT_AFTER = Instant.parse("2049-01-01T00:00:00Z");
    /** tcg-kp-EKCertificate. */
    private static final String EK_CERTIFICATE_EKU = "2.23.133.8.1";

    private final X509Authority root;

    VtpmCa(byte[] seed) {
        this.root = X509Authority.builder().subject("C=US, O=teebox, OU=Virtual TPM, CN=teebox vTPM EK Root CA")
                .keyPair(EcKeys.fromSeed("P-384", Digests.sha256("teebox-vtpm-ca/".getBytes(StandardCharsets
                        .US_ASCII), seed))).serial(new BigInteger(1, Digests.sha256(seed)).shiftRight(130))
                .validity(NOT_BEFORE, NOT_AFTER).signatureAlgorithm(X509Authority.ECDSA_SHA384).ca(0)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).subjectKeyId().selfSigned();
    }

    X509Certificate certificate() {
        return root.certificate();
    }

    /** The EK certificate of one guest's vTPM. */
    X509Certificate issueEk(String guest, PublicKey ek) {
        byte[] serial = new byte[16];
        new SecureRandom().nextBytes(serial);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return root.issue().subject("C=US, O=teebox, OU=Virtual TPM, CN=" + guest + " vTPM EK").publicKey(ek)
                .serial(new BigInteger(1, serial)).validity(now.minus(1, ChronoUnit.DAYS), NOT_AFTER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).endEntity().keyUsage(KeyUsageBit.KEY_ENCIPHERMENT)
                .extension("2.5.29.37", false, ekEku()).authorityKeyId().buildCertificate();
    }

    private static byte[] ekEku() {
        try {
            return new org.bouncycastle.asn1.x509.ExtendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.getInstance(
                    new org.bouncycastle.asn1.ASN1ObjectIdentifier(EK_CERTIFICATE_EKU))).getEncoded("DER");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
