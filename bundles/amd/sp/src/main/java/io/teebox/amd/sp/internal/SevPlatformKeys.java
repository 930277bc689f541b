package io.teebox.amd.sp.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.abi.SevStatus;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;

/**
 * The SEV platform's own keys, derived from the chip seed as a real chip's derive from its fused secrets: OCA, CEK,
 * PEK and PDH (P-384), and their SEV-format certificates. Private keys never leave this class.
 */
final class SevPlatformKeys {

    private final KeyPair pdh;
    private final KeyPair pek;
    private final Map<String, byte[]> certificates;

    /**
     * @param seed the chip seed
     * @param apiMajor the firmware API major version the certificates carry
     * @param apiMinor the firmware API minor version
     */
    SevPlatformKeys(byte[] seed, int apiMajor, int apiMinor) {
        KeyPair oca = EcKeys.fromSeed("P-384", label(seed, "oca"));
        KeyPair cek = EcKeys.fromSeed("P-384", label(seed, "cek"));
        this.pek = EcKeys.fromSeed("P-384", label(seed, "pek"));
        this.pdh = EcKeys.fromSeed("P-384", label(seed, "pdh"));
        SevCertificate ocaCert = SevCertificate.create(SevCertificate.USAGE_OCA, SevCertificate.ALGO_ECDSA_SHA256,
                oca.getPublic(), apiMajor, apiMinor).sign(1, SevCertificate.USAGE_OCA, oca.getPrivate());
        // The real CEK is signed by AMD's ASK; teebox's emulated CEK signs itself.
        SevCertificate cekCert = SevCertificate.create(SevCertificate.USAGE_CEK, SevCertificate.ALGO_ECDSA_SHA256,
                cek.getPublic(), apiMajor, apiMinor).sign(1, SevCertificate.USAGE_CEK, cek.getPrivate());
        SevCertificate pekCert = SevCertificate.create(SevCertificate.USAGE_PEK, SevCertificate.ALGO_ECDSA_SHA256,
                pek.getPublic(), apiMajor, apiMinor).sign(1, SevCertificate.USAGE_OCA, oca.getPrivate())
                .sign(2, SevCertificate.USAGE_CEK, cek.getPrivate());
        SevCertificate pdhCert = SevCertificate.create(SevCertificate.USAGE_PDH, SevCertificate.ALGO_ECDH_SHA256,
                pdh.getPublic(), apiMajor, apiMinor).sign(1, SevCertificate.USAGE_PEK, pek.getPrivate());
        Map<String, byte[]> certs = new LinkedHashMap<>();
        certs.put("pdh", pdhCert.bytes());
        certs.put("pek", pekCert.bytes());
        certs.put("oca", ocaCert.bytes());
        certs.put("cek", cekCert.bytes());
        this.certificates = certs;
    }

    private static byte[] label(byte[] seed, String label) {
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(seed, seed.length + 1 + l.length);
        System.arraycopy(l, 0, out, seed.length + 1, l.length);
        return out;
    }

    /** @return copies of the certificates {@code pdh}, {@code pek}, {@code oca}, {@code cek} */
    Map<String, byte[]> certificates() {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        certificates.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    byte[] pdhSharedSecret(PublicKey ownerKey) {
        try {
            return EcKeys.ecdh(pdh.getPrivate(), ownerKey);
        } catch (RuntimeException e) {
            throw SevStatus.INVALID_CERTIFICATE.error("the guest owner's DH key cannot be used with the P-384 PDH: "
                    + e.getMessage());
        }
    }

    BigInteger[] pekSign(byte[] data) {
        return Signatures.ecdsaSign(pek.getPrivate(), "SHA-256", data);
    }
}
