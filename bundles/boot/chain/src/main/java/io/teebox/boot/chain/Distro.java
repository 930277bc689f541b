package io.teebox.boot.chain;

import io.teebox.boot.uefi.Authenticode;
import io.teebox.boot.uefi.PlatformVendor;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * A Linux distribution's Secure Boot signing keys, as shim-review asks a distro to hold them: a self-signed CA (the
 * certificate built into shim's {@code .vendor_cert}) and an image-signing certificate it issued, which signs GRUB
 * and kernels; and the platform vendor whose UEFI CA signed the distro's shim. RSA-2048, SHA256withRSA, derived from
 * a seed so that the same seed gives the same keys (as {@link PlatformVendor}). Immutable.
 */
public final class Distro {

    private static final Instant NOT_BEFORE = Instant.parse("2016-01-01T00:00:00Z");
    private static final Instant NOT_AFTER = Instant.parse("2046-01-01T00:00:00Z");
    private static final String ALGORITHM = "SHA256withRSA";

    private final String name;
    private final PlatformVendor vendor;
    private final X509Authority ca;
    private final X509Authority signer;

    private Distro(String name, byte[] seed, PlatformVendor vendor) {
        this.name = name;
        this.vendor = vendor;
        this.ca = X509Authority.builder().subject("O=" + name + ", CN=" + name + " Secure Boot CA")
                .keyPair(RsaKeys.fromSeed(2048, key(seed, "ca"))).serial(serial(seed, "ca"))
                .validity(NOT_BEFORE, NOT_AFTER).signatureAlgorithm(ALGORITHM).ca()
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE, KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .subjectKeyId().selfSigned();
        this.signer = ca.issue().subject("O=" + name + ", CN=" + name + " Secure Boot Signer")
                .keyPair(RsaKeys.fromSeed(2048, key(seed, "signer"))).serial(serial(seed, "signer"))
                .validity(NOT_BEFORE, NOT_AFTER).signatureAlgorithm(ALGORITHM).endEntity()
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE).extension("2.5.29.37", false, codeSigning())
                .subjectKeyId().authorityKeyId().build();
    }

    /**
     * Derives a distro's keys from a seed.
     *
     * @param name the distro's name as its certificates carry it, e.g. "Debian"
     * @param seed at least 16 bytes
     * @param vendor the platform vendor whose UEFI CA signs the distro's shim
     * @return the distro
     * @throws IllegalArgumentException if the name is blank or the seed shorter than 16 bytes
     */
    public static Distro fromSeed(String name, byte[] seed, PlatformVendor vendor) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(vendor, "vendor");
        if (name.isBlank()) {
            throw new IllegalArgumentException("distro name is blank");
        }
        if (seed.length < 16) {
            throw new IllegalArgumentException("distro seed is " + seed.length + " bytes, expected at least 16");
        }
        return new Distro(name, seed.clone(), vendor);
    }

    private static byte[] key(byte[] seed, String label) {
        return Digests.sha256(("teebox-boot-distro-key/" + label + "/").getBytes(StandardCharsets.UTF_8), seed);
    }

    private static BigInteger serial(byte[] seed, String label) {
        return new BigInteger(1, Arrays.copyOf(Digests.sha256(("teebox-boot-distro-serial/" + label + "/")
                .getBytes(StandardCharsets.UTF_8), seed), 16));
    }

    private static byte[] codeSigning() {
        try {
            return new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The distro's name.
     *
     * @return the name given
     */
    public String name() {
        return name;
    }

    /**
     * The platform vendor that signs the distro's shim.
     *
     * @return the vendor
     */
    public PlatformVendor vendor() {
        return vendor;
    }

    /**
     * The distro CA, the certificate shim carries in {@code .vendor_cert}.
     *
     * @return the CA
     */
    public X509Authority ca() {
        return ca;
    }

    /**
     * The image-signing certificate the distro CA issued.
     *
     * @return the signer
     */
    public X509Authority signer() {
        return signer;
    }

    /**
     * Signs an image as the distro signs GRUB and kernels: with the signer's key, carrying the signer's certificate
     * alone (shim trusts the CA it carries).
     *
     * @param image a PE32+ file
     * @return the signed file
     * @throws io.teebox.kit.codec.MalformedStructureException if the image does not parse
     */
    public byte[] sign(byte[] image) {
        return Authenticode.sign(image, signer.privateKey(), signer.certificate());
    }

    @Override
    public String toString() {
        return "distro " + name + " (shim signed by " + vendor.name() + ")";
    }
}
