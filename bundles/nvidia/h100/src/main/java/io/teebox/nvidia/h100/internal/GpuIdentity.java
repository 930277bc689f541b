package io.teebox.nvidia.h100.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.teebox.api.platform.PlatformState;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Hmac;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.lang.Lazy;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.DiceFwid;
import io.teebox.nvidia.rim.NvidiaServices;

/**
 * One GPU's identity, as NVIDIA provisions it and its firmware extends it: a P-384 device identity key fused into
 * the chip (derived from a seed kept in the platform's state, so it survives restarts), its "GH100 A01 GSP BROM"
 * certificate issued by NVIDIA's provisioning CA, and the attestation (alias) key the FMC derives from the identity
 * and its own measurement, certified by the BROM key as "GH100 A01 GSP FMC LF" with the TCG DICE extension carrying
 * the FMC's FWID. The leaf is shaped like the genuine one: subject serialNumber (its serial in hex), C, O, CN; serial
 * the subject key identifier with its top bit cleared; key usage digitalSignature (critical), SKI, AKI, a subject
 * alternative name otherName 1.3.6.1.4.1.412.274.1 "NVIDIA:GH100:{device id}", the DICE extension; valid from
 * 2020-10-17 to 9999-12-31 23:59:59. Everything is made on first use.
 */
final class GpuIdentity {

    /** The OID of NVIDIA's device-name otherName in the leaf's subject alternative name. */
    static final String NVIDIA_DEVICE_NAME_OID = "1.3.6.1.4.1.412.274.1";
    static final String LEAF_CN = "GH100 A01 GSP FMC LF";
    private static final Instant NOT_BEFORE = Instant.parse("2020-10-17T00:00:00Z");
    private static final Instant NOT_AFTER = Instant.parse("9999-12-31T23:59:59Z");

    private final String id;
    private final byte[] seed;
    private final byte[] fwid;
    private final Lazy<KeyPair> identityKey;
    private final Lazy<KeyPair> aliasKey;
    private final Lazy<List<X509Certificate>> chain;

    /**
     * @param id the device, for example {@code gpu0}
     * @param state where the identity seed and the leaf are kept
     * @param services NVIDIA's provisioning
     * @param fwid the FMC's FWID (48 bytes)
     */
    GpuIdentity(String id, PlatformState state, NvidiaServices services, byte[] fwid) {
        this.id = id;
        this.seed = state.secret("nvidia", id + "-identity-seed", 48);
        this.fwid = fwid.clone();
        this.identityKey = Lazy.of(() -> EcKeys.fromSeed("P-384", Hmac.sha384(seed, text("identity"))));
        this.aliasKey = Lazy.of(() -> EcKeys.fromSeed("P-384", Hmac.sha384(seed, text("alias"), this.fwid)));
        this.chain = Lazy.of(() -> {
            List<X509Certificate> brom = services.provision(identityKey.get().getPublic(), serial());
            if (brom.size() != 4) {
                throw new IllegalStateException(id + ": NVIDIA's provisioning returned " + brom.size()
                        + " certificates, expected 4 (BROM, provisioner ICA, GH100 identity, root)");
            }
            // the leaf is kept, so that its bytes (its signature) stay the same across restarts
            String name = id + "-fmc-leaf-" + Hex.encode(Arrays.copyOf(Digests.sha384(this.fwid,
                    X509Authority.toDer(brom.get(0))), 8));
            X509Certificate leaf = X509Authority.certificateFromDer(state.kept("nvidia", name,
                    () -> X509Authority.toDer(leaf(brom.get(0)))));
            List<X509Certificate> all = new ArrayList<>();
            all.add(leaf);
            all.addAll(brom);
            return List.copyOf(all);
        });
    }

    /** @return the serial number of the BROM certificate: the chip's 9-byte unique id */
    BigInteger serial() {
        byte[] d = Arrays.copyOf(Hmac.sha384(seed, text("chip id")), 9);
        d[0] &= 0x7F;
        d[0] |= 0x01;
        return new BigInteger(1, d);
    }

    /** @return the device id NVIDIA's leaf names in its subject alternative name (16 hex digits) */
    String deviceId() {
        return Hex.encode(Arrays.copyOf(Hmac.sha384(seed, text("pdi")), 8)).toUpperCase(java.util.Locale.ROOT);
    }

    /** @return the attestation key the leaf certifies (it signs SPDM and the measurement report) */
    KeyPair aliasKey() {
        return aliasKey.get();
    }

    /** @return the 5 certificates, leaf first */
    List<X509Certificate> chain() {
        return chain.get();
    }

    /** @return the 5 certificates' DER, root first, as SPDM's slot 0 holds them */
    List<byte[]> chainRootFirst() {
        List<byte[]> out = new ArrayList<>();
        for (X509Certificate c : chain()) {
            out.add(0, X509Authority.toDer(c));
        }
        return out;
    }

    private X509Certificate leaf(X509Certificate brom) {
        KeyPair alias = aliasKey.get();
        try {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(alias.getPublic().getEncoded());
            byte[] ski = sha1(spki.getPublicKeyData().getBytes());
            byte[] serialBytes = ski.clone();
            serialBytes[0] &= 0x7F;
            BigInteger serial = new BigInteger(1, serialBytes);
            String serialHex = Hex.encode(serialBytes).toUpperCase(java.util.Locale.ROOT);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.SERIALNUMBER, serialHex)
                    .addRDN(BCStyle.C, "US").addRDN(BCStyle.O, "NVIDIA Corporation").addRDN(BCStyle.CN, LEAF_CN)
                    .build();
            X500Name issuer = X500Name.getInstance(brom.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, serial, Date.from(NOT_BEFORE),
                    Date.from(NOT_AFTER), subject, spki);
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski));
            b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId(brom)));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(
                    GeneralName.otherName, new DERSequence(new ASN1Encodable[] {
                        new ASN1ObjectIdentifier(NVIDIA_DEVICE_NAME_OID),
                        new DERTaggedObject(true, 0, new DERUTF8String("NVIDIA:GH100:" + deviceId()))}))));
            b.addExtension(new ASN1ObjectIdentifier(DiceFwid.OID), false, DiceFwid.extensionValue(
                    alias.getPublic(), fwid));
            var signer = new JcaContentSignerBuilder(X509Authority.ECDSA_SHA384).build(identityKey.get()
                    .getPrivate());
            return X509Authority.certificateFromDer(b.build(signer).getEncoded());
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(id + ": cannot issue the " + LEAF_CN + " certificate: " + e.getMessage(),
                    e);
        }
    }

    private static byte[] keyId(X509Certificate ca) {
        byte[] ext = ca.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext != null) {
            return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
        }
        return sha1(SubjectPublicKeyInfo.getInstance(ca.getPublicKey().getEncoded()).getPublicKeyData()
                .getBytes());
    }

    private static byte[] sha1(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-1").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
