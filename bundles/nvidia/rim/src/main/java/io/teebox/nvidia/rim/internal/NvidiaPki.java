package io.teebox.nvidia.rim.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.lang.Lazy;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;

/**
 * NVIDIA's two PKIs, emulated, each authority created on first use and kept (certificate and key in one value), so
 * verifiers given the roots keep working after a restart:
 * <ul>
 * <li>device identity: "NVIDIA Device Identity CA" (self-signed) → "NVIDIA GH100 Identity" → "NVIDIA GH100
 * Provisioner ICA 1", which issues each GPU's "GH100 A01 GSP BROM" CA certificate;</li>
 * <li>reference values: "NVIDIA CoRIM signing Root CA" → "NVIDIA Reference Value GH100 CA" → "NVIDIA Reference Value
 * L3 GH100 001" → "HCC RIM L4 Signer", which signs RIMs;</li>
 * <li>a delegated OCSP responder certificate (id-kp-OCSPSigning) under each CA, "&lt;CA&gt; OCSP Responder", so an
 * answer is signed by a responder the certificate's own issuer authorized (RFC 6960 4.2.2.2, as OpenSSL checks), which
 * also chains to the root as NVIDIA's verifier checks.</li>
 * </ul>
 * All P-384, ecdsa-with-SHA384, subjects, extensions and their order as in NVIDIA's genuine certificates (the Hopper
 * sample chain and the RIMs' embedded chain), notBefore as NVIDIA's, notAfter 9999-12-31 (NVIDIA's RIM signers
 * expire after two years; teebox's do not, so kept RIMs stay verifiable). The AIA and CRL URLs are NVIDIA's, as in
 * the genuine certificates: verifiers use their configured OCSP URL, not the AIA.
 */
public final class NvidiaPki {

    /** What keeps a value: PlatformState.kept("nvidia", name, create) in the service, a map in tests. */
    @FunctionalInterface
    public interface Keeper {
        /**
         * @param name the value's name
         * @param create makes it the first time
         * @return the kept value
         */
        byte[] keep(String name, Supplier<byte[]> create);
    }

    static final Instant FOREVER = Instant.parse("9999-12-31T23:59:59Z");
    static final String OCSP_AIA = "http://ocsp.ndis.nvidia.com";
    static final String CURVE = "P-384";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Keeper keeper;
    private final Lazy<X509Authority> deviceRoot;
    private final Lazy<X509Authority> gh100Identity;
    private final Lazy<X509Authority> provisioner;
    private final Lazy<X509Authority> rimRoot;
    private final Lazy<X509Authority> rimCa;
    private final Lazy<X509Authority> rimL3;
    private final Lazy<X509Authority> rimL4;
    /** The CAs, each with its delegated OCSP responder, in chain order (device, then reference values). */
    private final Map<Lazy<X509Authority>, Lazy<X509Authority>> responders = new java.util.LinkedHashMap<>();
    private final Map<String, X509Certificate> broms = new ConcurrentHashMap<>();
    /** Where provisioned BROM certificates are listed ({@code <id>.der}) so OCSP knows them after a restart. */
    private final Path bromIndex;
    private final Lazy<Boolean> indexRead;

    /** @param keeper where authorities and provisioned certificates are kept */
    public NvidiaPki(Keeper keeper) {
        this(keeper, null);
    }

    /**
     * @param keeper where authorities and provisioned certificates are kept
     * @param bromIndex a directory listing the provisioned BROM certificates, or null to know only those provisioned
     *            since start
     */
    public NvidiaPki(Keeper keeper, Path bromIndex) {
        this.keeper = Objects.requireNonNull(keeper, "keeper");
        this.bromIndex = bromIndex;
        this.indexRead = Lazy.of(this::readIndex);
        deviceRoot = kept("device-root", null, () -> X509Authority.builder()
                .subject("CN=NVIDIA Device Identity CA, O=NVIDIA").keyPair(EcKeys.generate(CURVE)).serial(serial())
                .validity(Instant.parse("2021-11-05T00:00:00Z"), FOREVER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).ca()
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).subjectKeyId().authorityKeyId()
                .selfSigned());
        gh100Identity = kept("gh100-identity", deviceRoot, () -> deviceRoot.get().issue()
                .subject("CN=NVIDIA GH100 Identity, O=NVIDIA Corporation").keyPair(EcKeys.generate(CURVE))
                .serial(serial()).validity(Instant.parse("2022-01-12T00:00:00Z"), FOREVER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).ca()
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .crlDistributionPoint("http://crl.ndis.nvidia.com/crl/l1-root.crl")
                .extension(Extension.authorityInfoAccess.getId(), false, aia()).subjectKeyId().authorityKeyId()
                .build());
        provisioner = kept("gh100-provisioner-ica-1", gh100Identity, () -> gh100Identity.get().issue()
                .subject("CN=NVIDIA GH100 Provisioner ICA 1, O=NVIDIA Corporation, C=US")
                .keyPair(EcKeys.generate(CURVE)).serial(serial())
                .validity(Instant.parse("2022-03-01T00:00:00Z"), FOREVER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).ca()
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .crlDistributionPoint("http://crl.ndis.nvidia.com/crl/l2-gh100.crl")
                .extension(Extension.authorityInfoAccess.getId(), false, aia()).subjectKeyId().authorityKeyId()
                .build());
        rimRoot = kept("rim-root", null, () -> X509Authority.builder()
                .subject("C=US, O=NVIDIA, CN=NVIDIA CoRIM signing Root CA").keyPair(EcKeys.generate(CURVE))
                .serial(serial()).validity(Instant.parse("2023-03-16T15:37:34Z"), FOREVER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).subjectKeyId().authorityKeyId().ca()
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).selfSigned());
        rimCa = kept("rim-gh100-ca", rimRoot, () -> rimRoot.get().issue()
                .subject("CN=NVIDIA Reference Value GH100 CA, O=NVIDIA Corporation, C=US")
                .keyPair(EcKeys.generate(CURVE)).serial(serial())
                .validity(Instant.parse("2023-05-11T00:00:00Z"), FOREVER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).ca()
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .crlDistributionPoint("http://crl.ndis.nvidia.com/crl-corim/l1-corim")
                .extension(Extension.authorityInfoAccess.getId(), false, aia()).subjectKeyId().authorityKeyId()
                .build());
        rimL3 = kept("rim-l3-gh100-001", rimCa, () -> rimCa.get().issue()
                .subject("CN=NVIDIA Reference Value L3 GH100 001, O=NVIDIA Corporation, C=US")
                .keyPair(EcKeys.generate(CURVE)).serial(serial())
                .validity(Instant.parse("2023-05-11T00:00:00Z"), FOREVER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).ca(0)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN)
                .extension(Extension.authorityInfoAccess.getId(), false, aia()).subjectKeyId().authorityKeyId()
                .build());
        rimL4 = kept("rim-l4-signer", rimL3, () -> rimL3.get().issue()
                .subject("C=US, ST=CA, L=Santa Clara, O=NVIDIA Corporation, CN=HCC RIM L4 Signer")
                .keyPair(EcKeys.generate(CURVE)).serial(serial())
                .validity(Instant.parse("2023-06-27T06:10:12Z"), FOREVER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).subjectKeyId().authorityKeyId().endEntity()
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE)
                .extension(Extension.authorityInfoAccess.getId(), false, aia()).build());
        String[] names = {"device-root", "gh100-identity", "gh100-provisioner-ica-1", "rim-root", "rim-gh100-ca",
            "rim-l3-gh100-001"};
        List<Lazy<X509Authority>> cas = List.of(deviceRoot, gh100Identity, provisioner, rimRoot, rimCa, rimL3);
        for (int i = 0; i < cas.size(); i++) {
            Lazy<X509Authority> ca = cas.get(i);
            responders.put(ca, kept("ocsp-" + names[i], ca, () -> responder(ca.get())));
        }
    }

    /** The parent is made (and kept) first, so the keeper is never called from inside another keep. */
    private Lazy<X509Authority> kept(String name, Lazy<X509Authority> parent, Supplier<X509Authority> create) {
        return Lazy.of(() -> {
            if (parent != null) {
                parent.get();
            }
            return decode(name, keeper.keep(name, () -> encode(create.get())));
        });
    }

    private static X509Authority responder(X509Authority ca) {
        String dn = ca.certificate().getSubjectX500Principal().getName();
        String cn = dn.replaceFirst("^.*CN=([^,]*).*$", "$1");
        return ca.issue().subject("CN=" + cn + " OCSP Responder, O=NVIDIA Corporation, C=US")
                .keyPair(EcKeys.generate(CURVE))
                .serial(serial()).validity(Instant.parse("2023-01-01T00:00:00Z"), FOREVER)
                .signatureAlgorithm(X509Authority.ECDSA_SHA384).endEntity()
                .keyUsage(KeyUsageBit.DIGITAL_SIGNATURE)
                .extension(Extension.extendedKeyUsage.getId(), false,
                        der(new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning)))
                .subjectKeyId().authorityKeyId().build();
    }

    /** @return the device-identity root */
    public X509Authority deviceRoot() {
        return deviceRoot.get();
    }

    /** @return "NVIDIA GH100 Identity" */
    public X509Authority gh100Identity() {
        return gh100Identity.get();
    }

    /** @return "NVIDIA GH100 Provisioner ICA 1" */
    public X509Authority provisioner() {
        return provisioner.get();
    }

    /** @return the reference-value root */
    public X509Authority rimRoot() {
        return rimRoot.get();
    }

    /** @return "HCC RIM L4 Signer", which signs RIMs */
    public X509Authority rimSigner() {
        return rimL4.get();
    }

    /** @return the 4 certificates NVIDIA embeds in a RIM's KeyInfo: L4 signer, L3, GH100 CA, root */
    public List<X509Certificate> rimChain() {
        return List.of(rimL4.get().certificate(), rimL3.get().certificate(), rimCa.get().certificate(),
                rimRoot.get().certificate());
    }

    /**
     * @param issuer the issuer of the certificate asked about
     * @return the responder that CA authorized; the device root's for an issuer this PKI does not know
     */
    public X509Authority responderFor(X509Certificate issuer) {
        for (Map.Entry<Lazy<X509Authority>, Lazy<X509Authority>> e : responders.entrySet()) {
            if (e.getKey().get().certificate().equals(issuer)) {
                return e.getValue().get();
            }
        }
        return responders.get(deviceRoot).get();
    }

    /**
     * @param ca a CA of this PKI
     * @return the CA and its issuers up to, not including, its root (what an OCSP answer carries after the
     *         responder's certificate, so a client that trusts only the root can build the responder's path)
     */
    public List<X509Certificate> pathBelowRoot(X509Certificate ca) {
        List<X509Certificate> device = List.of(provisioner.get().certificate(), gh100Identity.get().certificate());
        List<X509Certificate> rim = List.of(rimL3.get().certificate(), rimCa.get().certificate());
        for (List<X509Certificate> line : List.of(device, rim)) {
            int i = line.indexOf(ca);
            if (i >= 0) {
                return line.subList(i, line.size());
            }
        }
        return List.of();
    }

    /** @return every CA certificate this PKI has made, each with its issuer: (certificate, issuer) pairs */
    public List<X509Certificate[]> issued() {
        List<X509Certificate[]> out = new ArrayList<>();
        X509Certificate dr = deviceRoot.get().certificate();
        X509Certificate id = gh100Identity.get().certificate();
        X509Certificate pr = provisioner.get().certificate();
        out.add(new X509Certificate[] {dr, dr});
        out.add(new X509Certificate[] {id, dr});
        out.add(new X509Certificate[] {pr, id});
        indexRead.get();
        for (X509Certificate b : broms.values()) {
            out.add(new X509Certificate[] {b, pr});
        }
        List<X509Certificate> rim = rimChain();
        for (int i = 0; i < rim.size(); i++) {
            out.add(new X509Certificate[] {rim.get(i), rim.get(Math.min(i + 1, rim.size() - 1))});
        }
        for (Map.Entry<Lazy<X509Authority>, Lazy<X509Authority>> e : responders.entrySet()) {
            out.add(new X509Certificate[] {e.getValue().get().certificate(), e.getKey().get().certificate()});
        }
        return out;
    }

    /**
     * @param root a root certificate
     * @return whether it is one of this PKI's two roots
     */
    public boolean isRoot(X509Certificate root) {
        return root.equals(deviceRoot.get().certificate()) || root.equals(rimRoot.get().certificate());
    }

    /**
     * Issues (or returns the kept) "GH100 A01 GSP BROM" certificate of a GPU.
     *
     * @param key the GPU's identity key, P-384
     * @param serial the certificate's serial, positive, at most 20 bytes
     * @return the BROM certificate, the provisioner, the GH100 identity and the root
     */
    public List<X509Certificate> provision(PublicKey key, BigInteger serial) {
        Objects.requireNonNull(key, "deviceIdentityKey");
        Objects.requireNonNull(serial, "serial");
        if (!"P-384".equals(safeCurve(key))) {
            throw new IllegalArgumentException("deviceIdentityKey must be a P-384 EC key, found "
                    + key.getAlgorithm() + " " + safeCurve(key));
        }
        if (serial.signum() <= 0 || serial.bitLength() > 159) {
            throw new IllegalArgumentException("serial must be positive and at most 20 bytes, got " + serial);
        }
        provisioner.get();
        String id = Hex.encode(Digests.sha256(serial.toByteArray(), key.getEncoded())).substring(0, 32);
        X509Certificate brom = broms.computeIfAbsent(id, k -> X509Authority.certificateFromDer(keeper.keep(
                "brom-" + k, () -> X509Authority.toDer(provisioner.get().issue()
                        .subject("SERIALNUMBER=" + serial.toString(16).toUpperCase(Locale.ROOT)
                                + ", C=US, O=NVIDIA Corporation, CN=GH100 A01 GSP BROM")
                        .publicKey(key).serial(serial).validity(Instant.parse("2020-10-17T00:00:00Z"), FOREVER)
                        .signatureAlgorithm(X509Authority.ECDSA_SHA384).ca().keyUsage(KeyUsageBit.KEY_CERT_SIGN)
                        .subjectKeyId().authorityKeyId().buildCertificate()))));
        index(id, brom);
        return List.of(brom, provisioner.get().certificate(), gh100Identity.get().certificate(),
                deviceRoot.get().certificate());
    }

    private void index(String id, X509Certificate brom) {
        if (bromIndex == null) {
            return;
        }
        Path f = bromIndex.resolve(id + ".der");
        if (Files.exists(f)) {
            return;
        }
        try {
            Files.createDirectories(bromIndex);
            Path tmp = Files.createTempFile(bromIndex, id, ".tmp");
            Files.write(tmp, X509Authority.toDer(brom));
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the BROM certificate in " + bromIndex, e);
        }
    }

    private Boolean readIndex() {
        if (bromIndex == null || !Files.isDirectory(bromIndex)) {
            return Boolean.TRUE;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(
                bromIndex, "*.der")) {
            X509Certificate pr = provisioner.get().certificate();
            for (Path f : files) {
                String name = f.getFileName().toString();
                X509Certificate c = X509Authority.certificateFromDer(Files.readAllBytes(f));
                if (c.getIssuerX500Principal().equals(pr.getSubjectX500Principal())) {
                    broms.putIfAbsent(name.substring(0, name.length() - 4), c);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the provisioned BROM certificates in " + bromIndex + ": "
                    + e.getMessage(), e);
        }
        return Boolean.TRUE;
    }

    private static String safeCurve(PublicKey key) {
        try {
            return EcKeys.curveOf(key);
        } catch (RuntimeException e) {
            return "(not EC)";
        }
    }

    private static BigInteger serial() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        b[0] &= 0x7F;
        b[0] |= 0x40;
        return new BigInteger(b);
    }

    private static byte[] aia() {
        return der(new AuthorityInformationAccess(new AccessDescription(AccessDescription.id_ad_ocsp,
                new GeneralName(GeneralName.uniformResourceIdentifier, OCSP_AIA))));
    }

    private static byte[] der(org.bouncycastle.asn1.ASN1Object o) {
        try {
            return o.getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + o.getClass().getSimpleName(), e);
        }
    }

    /** One kept value per authority: u32 length of the certificate's DER (big-endian), the DER, the key's PKCS#8. */
    static byte[] encode(X509Authority a) {
        byte[] cert = X509Authority.toDer(a.certificate());
        byte[] key = a.privateKey().getEncoded();
        return ByteBuffer.allocate(4 + cert.length + key.length).putInt(cert.length).put(cert).put(key).array();
    }

    static X509Authority decode(String name, byte[] kept) {
        try {
            ByteBuffer b = ByteBuffer.wrap(kept);
            int n = b.getInt();
            if (n <= 0 || n > kept.length - 4) {
                throw new IllegalStateException("certificate length " + n + " does not fit the " + kept.length
                        + "-byte value");
            }
            byte[] cert = new byte[n];
            b.get(cert);
            byte[] key = new byte[b.remaining()];
            b.get(key);
            return X509Authority.of(X509Authority.certificateFromDer(cert),
                    KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(key)));
        } catch (RuntimeException | GeneralSecurityException e) {
            throw new IllegalStateException("the kept NVIDIA authority " + name + " is damaged (" + e.getMessage()
                    + "); restore it, or re-provision the platform", e);
        }
    }
}
