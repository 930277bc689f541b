package io.teebox.boot.uefi;

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
import java.util.UUID;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * An emulated platform vendor's Secure Boot keys, shaped like the Microsoft UEFI CA hierarchy that real platforms
 * ship: an OEM's self-signed Platform Key (PK); a vendor root CA that issues the KEK CA (in KEK) and the UEFI CA (in
 * db); and an image-signing certificate issued by the UEFI CA, with which the vendor signs shim, GRUB and kernels.
 * All keys are RSA-2048 and certificates SHA256withRSA, derived from a seed, so the same seed gives the same
 * hierarchy (for tests); validity runs from 2011 to 2036 and is not checked by firmware anyway. Immutable.
 */
public final class PlatformVendor {

    private static final Instant NOT_BEFORE = Instant.parse("2011-06-27T00:00:00Z");
    private static final Instant NOT_AFTER = Instant.parse("2036-06-27T00:00:00Z");
    private static final String ALGORITHM = "SHA256withRSA";

    private final String name;
    private final UUID owner;
    private final X509Authority platformKey;
    private final X509Authority root;
    private final X509Authority kekCa;
    private final X509Authority uefiCa;
    private final X509Authority imageSigner;

    private PlatformVendor(String name, byte[] seed) {
        this.name = name;
        this.owner = UUID.nameUUIDFromBytes(Digests.sha256(seed, bytes("owner")));
        // C, O, CN in that order, as in the Microsoft certificates, so that RFC 2253 names read "CN=..., O=..., C=US"
        String org = "C=US, O=" + name + " Corporation, CN=";
        this.platformKey = X509Authority.builder().subject("C=US, O=" + name + " OEM, CN=" + name + " Platform Key")
                .keyPair(RsaKeys.fromSeed(2048, key(seed, "PK"))).serial(serial(seed, "PK"))
                .validity(NOT_BEFORE, NOT_AFTER).signatureAlgorithm(ALGORITHM).ca()
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE, KeyUsageBit.KEY_CERT_SIGN).subjectKeyId().selfSigned();
        this.root = X509Authority.builder().subject(org + name + " Root Certificate Authority 2010")
                .keyPair(RsaKeys.fromSeed(2048, key(seed, "root"))).serial(serial(seed, "root"))
                .validity(NOT_BEFORE, NOT_AFTER).signatureAlgorithm(ALGORITHM).ca()
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE, KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .subjectKeyId().selfSigned();
        this.kekCa = root.issue().subject(org + name + " Corporation KEK CA 2011")
                .keyPair(RsaKeys.fromSeed(2048, key(seed, "KEK"))).serial(serial(seed, "KEK"))
                .validity(NOT_BEFORE, NOT_AFTER).signatureAlgorithm(ALGORITHM).ca(0)
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE, KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .subjectKeyId().authorityKeyId().build();
        this.uefiCa = root.issue().subject(org + name + " Corporation UEFI CA 2011")
                .keyPair(RsaKeys.fromSeed(2048, key(seed, "db"))).serial(serial(seed, "db"))
                .validity(NOT_BEFORE, NOT_AFTER).signatureAlgorithm(ALGORITHM).ca(0)
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE, KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .subjectKeyId().authorityKeyId().build();
        this.imageSigner = uefiCa.issue().subject(org + name + " UEFI Image Signing")
                .keyPair(RsaKeys.fromSeed(2048, key(seed, "signer"))).serial(serial(seed, "signer"))
                .validity(NOT_BEFORE, NOT_AFTER).signatureAlgorithm(ALGORITHM).endEntity()
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE)
                .extension("2.5.29.37", false, codeSigning()).subjectKeyId().authorityKeyId().build();
    }

    /**
     * Derives a vendor's hierarchy from a seed.
     *
     * @param name the vendor's name as it appears in the certificates, e.g. "Teebox"
     * @param seed at least 16 bytes
     * @return the vendor
     * @throws IllegalArgumentException if the name is blank or the seed is shorter than 16 bytes
     */
    public static PlatformVendor fromSeed(String name, byte[] seed) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(seed, "seed");
        if (name.isBlank()) {
            throw new IllegalArgumentException("vendor name is blank");
        }
        if (seed.length < 16) {
            throw new IllegalArgumentException("vendor seed is " + seed.length + " bytes, expected at least 16");
        }
        return new PlatformVendor(name, seed.clone());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] key(byte[] seed, String label) {
        return Digests.sha256(bytes("teebox-uefi-vendor-key/" + label + "/"), seed);
    }

    private static BigInteger serial(byte[] seed, String label) {
        return new BigInteger(1, Arrays.copyOf(Digests.sha256(bytes("teebox-uefi-vendor-serial/" + label + "/"),
                seed), 16));
    }

    private static byte[] codeSigning() {
        try {
            return new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The vendor's name.
     *
     * @return the name given
     */
    public String name() {
        return name;
    }

    /**
     * The SignatureOwner GUID the vendor enrols its entries with.
     *
     * @return a GUID derived from the seed
     */
    public UUID owner() {
        return owner;
    }

    /**
     * The Platform Key, self-signed (the OEM's).
     *
     * @return the PK certificate and key
     */
    public X509Authority platformKey() {
        return platformKey;
    }

    /**
     * The vendor root CA that issued the KEK CA and the UEFI CA.
     *
     * @return the root
     */
    public X509Authority root() {
        return root;
    }

    /**
     * The KEK CA, enrolled in KEK.
     *
     * @return the KEK CA
     */
    public X509Authority kekCa() {
        return kekCa;
    }

    /**
     * The UEFI CA, enrolled in db.
     *
     * @return the db CA
     */
    public X509Authority uefiCa() {
        return uefiCa;
    }

    /**
     * The image-signing certificate the UEFI CA issued.
     *
     * @return the signer
     */
    public X509Authority imageSigner() {
        return imageSigner;
    }

    /**
     * Signs an image as the vendor: with the image signer's key, carrying its certificate and the UEFI CA's.
     *
     * @param image a PE32+ file
     * @return the signed file
     * @throws io.teebox.kit.codec.MalformedStructureException if the image does not parse
     */
    public byte[] sign(byte[] image) {
        return Authenticode.sign(image, imageSigner.privateKey(), imageSigner.certificate(), uefiCa.certificate());
    }

    /**
     * The Secure Boot variables of a platform that ships with this vendor's keys: PK, KEK CA in KEK, UEFI CA in db,
     * an empty dbx, SecureBoot on.
     *
     * @return the variables
     */
    public SecureBootVariables variables() {
        return new SecureBootVariables(
                SignatureDatabase.empty().withCertificate(owner, platformKey.certificate()),
                SignatureDatabase.empty().withCertificate(owner, kekCa.certificate()),
                SignatureDatabase.empty().withCertificate(owner, uefiCa.certificate()),
                SignatureDatabase.empty(), true);
    }

    @Override
    public String toString() {
        return "platform vendor " + name + " (owner " + owner + ")";
    }
}
