package io.teebox.amd.abi;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;

import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;

/**
 * An emulated AMD key hierarchy for one product line, shaped like AMD's: ARK (RSA-4096, self-signed, RSASSA-PSS
 * SHA-384) signs the ASK (RSA-4096), which signs per-chip, per-TCB VCEKs (ECDSA P-384) carrying the product name,
 * TCB SPL and hwID extensions under 1.3.6.1.4.1.3704.1. All keys derive from a seed, so the same seed gives the same
 * roots after a restart and a verifier given the ARK keeps working; a new TCB gives a new VCEK.
 */
public final class AmdKeyHierarchy {

    /** OID prefix of AMD's VCEK extensions. */
    public static final String OID = "1.3.6.1.4.1.3704.1.";
    /** AMD's name attributes in their encoding order; the CN comes last. */
    private static final String NAMES = "C=US, ST=CA, L=Santa Clara, O=Advanced Micro Devices, OU=Engineering, CN=";
    private static final Instant FROM = Instant.parse("2020-10-22T17:23:05Z");
    private static final Instant TO = Instant.parse("2045-10-22T17:23:05Z");

    private final String product;
    private final byte[] seed;
    private final X509Authority ark;
    private final X509Authority ask;
    private final java.util.function.Function<String, KeyPair> rootKeys;
    private final RootKeeper keeper;

    /**
     * Builds the ARK and ASK (about a second each: RSA-4096 key generation).
     *
     * @param productLine Milan, Genoa or Turin
     * @param seed the seed all keys derive from
     */
    public AmdKeyHierarchy(String productLine, byte[] seed) {
        this(productLine, seed, null);
    }

    /**
     * Keeps AMD's root authorities (ARK, ASK, ASVK) once they are issued. AMD's roots are not derived from a chip:
     * they are issued once and every report of the product line chains to the same certificate bytes (an RSA-PSS
     * signature is randomized, and RSA key generation from a seed is slow), so a platform keeps them.
     */
    @FunctionalInterface
    public interface RootKeeper {
        /**
         * @param name {@code "ark"}, {@code "ask"} or {@code "asvk"}
         * @param issue issues the authority when none is kept yet
         * @return the kept authority
         */
        X509Authority keep(String name, java.util.function.Supplier<X509Authority> issue);
    }

    /**
     * Builds the ARK and ASK through a keeper.
     *
     * @param productLine Milan, Genoa or Turin
     * @param seed the seed the chip's keys (VCEK, VLEK, chip ID) derive from
     * @param keeper keeps the root authorities; null to derive their keys from the seed and issue them anew
     */
    public AmdKeyHierarchy(String productLine, byte[] seed, RootKeeper keeper) {
        this.product = productLine;
        this.seed = seed.clone();
        this.keeper = keeper != null ? keeper : (name, issue) -> issue.get();
        this.rootKeys = keeper != null ? what -> RsaKeys.generate(4096)
                : what -> RsaKeys.fromSeed(4096, io.teebox.kit.crypto.Digests.sha384(label(what)));
        String crl = "https://kdsintf.amd.com/vcek/v1/" + productLine + "/crl";
        this.ark = this.keeper.keep("ark", () -> X509Authority.builder().subject(NAMES + "ARK-" + productLine)
                .keyPair(rootKeys.apply("ark"))
                .serial(BigInteger.ONE).validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384).ca()
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).crlDistributionPoint(crl).subjectKeyId()
                .selfSigned());
        this.ask = this.keeper.keep("ask", () -> ark.issue().subject(NAMES + "SEV-" + productLine)
                .keyPair(rootKeys.apply("ask")).serial(BigInteger.TWO)
                .validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384).ca(0)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).crlDistributionPoint(crl).subjectKeyId()
                .authorityKeyId().build());
    }

    private byte[] label(String what) {
        byte[] l = ("|" + product + "|" + what).getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(seed, seed.length + l.length);
        System.arraycopy(l, 0, out, seed.length, l.length);
        return out;
    }

    /** @return the product line */
    public String productLine() {
        return product;
    }

    /** @return the ARK as an authority (it signs the CRL the KDS serves) */
    public X509Authority arkAuthority() {
        return ark;
    }

    /** @return the ARK certificate */
    public X509Certificate ark() {
        return ark.certificate();
    }

    /** @return the ASK certificate */
    public X509Certificate ask() {
        return ask.certificate();
    }

    /**
     * The chip's secret from which guest keys are derived (MSG_KEY_REQ with the VCEK as root), bound to a TCB like
     * the VCEK itself. Never leaves the secure processor.
     *
     * @param tcb the TCB the key is derived for
     * @return 48 secret bytes
     */
    public byte[] derivationRoot(TcbVersion tcb) {
        byte[] t = new byte[8];
        io.teebox.kit.codec.LittleEndian.put64(t, 0, tcb.raw());
        return io.teebox.kit.crypto.Digests.sha384(label("vcek-derivation-root"), t);
    }

    /** @return the 64-byte CHIP_ID of this chip (Turin uses only the first 8 bytes) */
    public byte[] chipId() {
        byte[] id = io.teebox.kit.crypto.Digests.sha384(label("chip-id"));
        byte[] out = Arrays.copyOf(id, 64);
        System.arraycopy(io.teebox.kit.crypto.Digests.sha256(label("chip-id-2")), 0, out, 48, 16);
        if ("Turin".equals(product)) {
            Arrays.fill(out, 8, 64, (byte) 0);
        }
        return out;
    }

    /**
     * @param tcb the reported TCB
     * @return the VCEK key pair of this chip at that TCB
     */
    public KeyPair vcekKeys(TcbVersion tcb) {
        byte[] t = new byte[8];
        io.teebox.kit.codec.LittleEndian.put64(t, 0, tcb.raw());
        byte[] l = label("vcek");
        byte[] s = Arrays.copyOf(l, l.length + 8);
        System.arraycopy(t, 0, s, l.length, 8);
        return EcKeys.fromSeed("P-384", s);
    }

    /**
     * @param tcb the reported TCB (named components as {@link TcbVersions#decode} gives them)
     * @return the VCEK certificate for that TCB, signed by the ASK
     */
    public X509Certificate vcek(TcbVersion tcb) {
        try {
            X509Authority.CertificateBuilder b = ask.issue().subject(NAMES + "SEV-VCEK")
                    .publicKey(vcekKeys(tcb).getPublic()).serial(BigInteger.valueOf(tcb.raw() & Long.MAX_VALUE)
                            .add(BigInteger.valueOf(3)))
                    .validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384).endEntity()
                    .extension(OID + "1", false, new ASN1Integer(0).getEncoded())
                    .extension(OID + "2", false, new DERIA5String(product + "-B0").getEncoded())
                    .extension(OID + "3.1", false, spl(tcb, "BOOT_LOADER"))
                    .extension(OID + "3.2", false, spl(tcb, "TEE"));
            for (int i = 4; i <= 7; i++) {
                b.extension(OID + "3." + i, false, new ASN1Integer(0).getEncoded());
            }
            b.extension(OID + "3.3", false, spl(tcb, "SNP")).extension(OID + "3.8", false, spl(tcb, "MICROCODE"));
            if ("Turin".equals(product)) {
                b.extension(OID + "3.9", false, spl(tcb, "FMC"));
            }
            b.extension(OID + "4", false, new DEROctetString(chipId()).getEncoded());
            return b.buildCertificate();
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding failed", e);
        }
    }

    private static byte[] spl(TcbVersion tcb, String name) throws IOException {
        return new ASN1Integer(tcb.components().getOrDefault(name, 0)).getEncoded();
    }

    private volatile X509Authority asvk;

    /** @return the ASVK (signs VLEKs), built on first use */
    public X509Authority asvk() {
        X509Authority a = asvk;
        if (a == null) {
            synchronized (this) {
                if (asvk == null) {
                    asvk = keeper.keep("asvk", () -> ark.issue().subject(NAMES + "SEV-VLEK-" + product)
                            .keyPair(rootKeys.apply("asvk"))
                            .serial(BigInteger.valueOf(4)).validity(FROM, TO)
                            .signatureAlgorithm(X509Authority.RSA_PSS_SHA384).ca(0)
                            .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).subjectKeyId().authorityKeyId()
                            .build());
                }
                a = asvk;
            }
        }
        return a;
    }

    /**
     * A VLEK: a versioned loaded endorsement key a cloud provider (CSP) loads, shared by its chips at a TCB.
     *
     * @param tcb the reported TCB
     * @param cspId the cloud provider's id
     * @return the key pair
     */
    public KeyPair vlekKeys(TcbVersion tcb, String cspId) {
        byte[] t = new byte[8];
        io.teebox.kit.codec.LittleEndian.put64(t, 0, tcb.raw());
        return EcKeys.fromSeed("P-384", io.teebox.kit.crypto.Digests.sha384(label("vlek|" + cspId), t));
    }

    /**
     * @param tcb the reported TCB
     * @param cspId the cloud provider's id (extension 1.3.6.1.4.1.3704.1.5)
     * @return the VLEK certificate signed by the ASVK
     */
    public X509Certificate vlek(TcbVersion tcb, String cspId) {
        try {
            X509Authority.CertificateBuilder b = asvk().issue().subject(NAMES + "SEV-VLEK")
                    .publicKey(vlekKeys(tcb, cspId).getPublic())
                    .serial(BigInteger.valueOf(tcb.raw() & Long.MAX_VALUE).add(BigInteger.valueOf(5)))
                    .validity(FROM, TO).signatureAlgorithm(X509Authority.RSA_PSS_SHA384).endEntity()
                    .extension(OID + "1", false, new ASN1Integer(0).getEncoded())
                    .extension(OID + "2", false, new DERIA5String(product + "-B0").getEncoded())
                    .extension(OID + "3.1", false, spl(tcb, "BOOT_LOADER"))
                    .extension(OID + "3.2", false, spl(tcb, "TEE"))
                    .extension(OID + "3.3", false, spl(tcb, "SNP"))
                    .extension(OID + "3.8", false, spl(tcb, "MICROCODE"))
                    .extension(OID + "5", false, new DERIA5String(cspId).getEncoded());
            return b.buildCertificate();
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding failed", e);
        }
    }

    /**
     * @param tcb the reported TCB
     * @return VCEK, ASK, ARK
     */
    public List<X509Certificate> chain(TcbVersion tcb) {
        return List.of(vcek(tcb), ask(), ark());
    }
}
