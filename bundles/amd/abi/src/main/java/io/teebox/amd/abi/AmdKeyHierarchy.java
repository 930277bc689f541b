package io.teebox.amd.abi;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERIA5String;

import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.lang.Lazy;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;

/**
 * An emulated AMD key hierarchy for one product line, with certificates shaped field by field like those AMD's Key
 * Distribution Service issues (checked against the genuine Milan, Genoa and Turin chains and a genuine Milan VCEK):
 * <ul>
 * <li>ARK: RSA-4096, self-signed, AMD's serial and validity for the product, KeyUsage keyCertSign+cRLSign (critical),
 * SubjectKeyIdentifier, BasicConstraints CA (critical), CRL distribution point
 * {@code https://kdsintf.amd.com/vcek/v1/{product}/crl};</li>
 * <li>ASK (signs VCEKs) and ASVK (signs VLEKs): RSA-4096 signed by the ARK, SubjectKeyIdentifier, a keyid-only
 * AuthorityKeyIdentifier, BasicConstraints CA pathlen 0 (critical), KeyUsage keyCertSign only (critical), and the
 * vcek (ASK) or vlek (ASVK) CRL distribution point;</li>
 * <li>VCEK and VLEK: ECDSA P-384, serial 0, valid seven years from when the KDS first issues them, and only AMD's
 * extensions under 1.3.6.1.4.1.3704.1 in AMD's order: structVersion, productName, blSPL, teeSPL, spl4..spl7,
 * snpSPL, ucodeSPL (Turin: no spl4, then fmcSPL), then the hwID (VCEK: the raw CHIP_ID, 64 bytes or Turin's 8,
 * without an inner OCTET STRING) or the CSP_ID (VLEK).</li>
 * </ul>
 * Every certificate is signed RSASSA-PSS SHA-384 with the parameters written out as AMD writes them; every name
 * reads OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN=... in that order. The chip's keys
 * (VCEK, VLEK, chip ID, derivation roots) derive from the chip seed; the roots are issued once and kept by the
 * platform ({@link RootKeeper}), so a verifier given the ARK keeps working after a restart; a new TCB gives a new
 * VCEK.
 */
public final class AmdKeyHierarchy {

    /** OID prefix of AMD's VCEK extensions. */
    public static final String OID = "1.3.6.1.4.1.3704.1.";
    /** AMD's name attributes in their encoding order; the CN comes last. */
    private static final String NAMES = "OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN=";
    /**
     * KeyUsage keyCertSign as AMD encodes it in every ASK and ASVK: a BIT STRING with one unused bit where DER
     * would say two (03 02 01 04, not 03 02 02 04). Parsers read both the same.
     */
    private static final byte[] ASK_KEY_USAGE = {0x03, 0x02, 0x01, 0x04};
    /** The KDS issues a VCEK or VLEK for seven years. */
    private static final int LEAF_YEARS = 7;

    /**
     * What AMD issued once per product line: serials (product number in bits 23:16) and the start of each root's
     * 25-year validity, as in the genuine KDS cert_chain of each product.
     */
    private record Roots(long arkSerial, Instant ark, long askSerial, Instant ask, long asvkSerial, Instant asvk) {
    }

    private static final Map<String, Roots> ROOTS = Map.of(
            "Milan", new Roots(0x10000, Instant.parse("2020-10-22T17:23:05Z"), 0x10001,
                    Instant.parse("2020-10-22T18:24:20Z"), 0x10101, Instant.parse("2022-11-16T22:45:24Z")),
            "Genoa", new Roots(0x20000, Instant.parse("2022-01-26T15:34:37Z"), 0x20002,
                    Instant.parse("2022-10-31T13:33:48Z"), 0x20101, Instant.parse("2022-11-18T20:48:34Z")),
            "Turin", new Roots(0x30000, Instant.parse("2023-05-15T20:03:12Z"), 0x30001,
                    Instant.parse("2023-05-15T20:25:21Z"), 0x30101, Instant.parse("2023-05-15T21:09:41Z")));

    private final String product;
    private final byte[] seed;
    private final Roots roots;
    /** The roots, kept or issued when first needed: reading a kept RSA-4096 key costs BC's modulus check. */
    private final Lazy<X509Authority> ark;
    private final Lazy<X509Authority> ask;
    private final java.util.function.Function<String, KeyPair> rootKeys;
    private final RootKeeper keeper;
    private final Map<Long, X509Certificate> vceks = new ConcurrentHashMap<>();
    private final Map<String, X509Certificate> vleks = new ConcurrentHashMap<>();
    private final Lazy<java.security.cert.X509CRL> crl;

    /**
     * Issues the ARK and ASK when first needed (about a second each: RSA-4096 key generation).
     *
     * @param productLine Milan, Genoa or Turin
     * @param seed the seed all keys derive from
     * @throws IllegalArgumentException for another product line
     */
    public AmdKeyHierarchy(String productLine, byte[] seed) {
        this(productLine, seed, null);
    }

    /**
     * Keeps AMD's root authorities (ARK, ASK, ASVK) once they are issued. AMD's roots are not derived from a chip:
     * they are issued once and every report of the product line chains to the same certificate bytes (an RSA-PSS
     * signature is randomized, and RSA key generation from a seed is slow and was not reproducible across starts),
     * so a platform keeps them.
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
     * Keeps the ARK and ASK through a keeper, which is asked when they are first needed.
     *
     * @param productLine Milan, Genoa or Turin
     * @param seed the seed the chip's keys (VCEK, VLEK, chip ID) derive from
     * @param keeper keeps the root authorities; null to derive their keys from the seed and issue them anew
     * @throws IllegalArgumentException for another product line
     */
    public AmdKeyHierarchy(String productLine, byte[] seed, RootKeeper keeper) {
        this.roots = ROOTS.get(productLine);
        if (roots == null) {
            throw new IllegalArgumentException("product line must be Milan, Genoa or Turin, got '" + productLine
                    + "'");
        }
        this.product = productLine;
        this.seed = seed.clone();
        this.keeper = keeper != null ? keeper : (name, issue) -> issue.get();
        this.rootKeys = keeper != null ? what -> RsaKeys.generate(4096)
                : what -> RsaKeys.fromSeed(4096, io.teebox.kit.crypto.Digests.sha384(label(what)));
        this.ark = Lazy.of(() -> this.keeper.keep("ark", () -> X509Authority.builder()
                .subject(NAMES + "ARK-" + productLine).keyPair(rootKeys.apply("ark"))
                .serial(BigInteger.valueOf(roots.arkSerial())).validity(roots.ark(), years(roots.ark(), 25))
                .signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT)
                .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).subjectKeyId().ca()
                .crlDistributionPoint(crlUrl("vcek")).selfSigned()));
        this.ask = Lazy.of(() -> this.keeper.keep("ask", () -> signingKey(rootKeys.apply("ask"),
                "SEV-" + productLine, roots.askSerial(), roots.ask(), "vcek")));
        this.asvk = Lazy.of(() -> this.keeper.keep("asvk", () -> signingKey(rootKeys.apply("asvk"),
                "SEV-VLEK-" + productLine, roots.asvkSerial(), roots.asvk(), "vlek")));
        this.crl = Lazy.of(() -> ark.get().crl().crlNumber(BigInteger.ONE)
                .validity(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2045-01-01T00:00:00Z"))
                .signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT).build());
    }

    private X509Authority signingKey(KeyPair keys, String cn, long serial, Instant from, String kind) {
        return ark.get().issue().subject(NAMES + cn).keyPair(keys).serial(BigInteger.valueOf(serial))
                .validity(from, years(from, 25)).signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT)
                .subjectKeyId().authorityKeyId().ca(0).extension("2.5.29.15", true, ASK_KEY_USAGE)
                .crlDistributionPoint(crlUrl(kind)).build();
    }

    private String crlUrl(String kind) {
        return "https://kdsintf.amd.com/" + kind + "/v1/" + product + "/crl";
    }

    private static Instant years(Instant from, int n) {
        return from.atZone(ZoneOffset.UTC).plusYears(n).toInstant();
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
        return ark.get();
    }

    /**
     * The CRL AMD's KDS serves for the product line ({@code /vcek/v1/{product}/crl}): signed by the ARK
     * (RSASSA-PSS with AMD's parameters), revoking nothing. Attesters may attach it to their evidence so verifiers
     * check revocation offline.
     *
     * <p>Signed once per hierarchy, as the KDS serves one CRL until the next: RSASSA-PSS is randomised, so a CRL
     * signed per request would be new bytes every time, cost an RSA-4096 signature per fetch and defeat every
     * verifier's cache of parsed and checked CRLs.
     *
     * @return the CRL
     */
    public java.security.cert.X509CRL crl() {
        return crl.get();
    }

    /** @return the ARK certificate */
    public X509Certificate ark() {
        return ark.get().certificate();
    }

    /** @return the ASK certificate */
    public X509Certificate ask() {
        return ask.get().certificate();
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
        io.teebox.kit.codec.LittleEndian.put64(t, 0, tcb.asLong());
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
        io.teebox.kit.codec.LittleEndian.put64(t, 0, tcb.asLong());
        byte[] l = label("vcek");
        byte[] s = Arrays.copyOf(l, l.length + 8);
        System.arraycopy(t, 0, s, l.length, 8);
        return EcKeys.fromSeed("P-384", s);
    }

    /**
     * The VCEK certificate for a TCB, issued (signed by the ASK) the first time it is asked for and the same one
     * after that, as the KDS serves the certificate it made.
     *
     * @param tcb the reported TCB (named components as {@link TcbVersions#decode} gives them)
     * @return the VCEK certificate for that TCB
     */
    public X509Certificate vcek(TcbVersion tcb) {
        return vceks.computeIfAbsent(tcb.asLong(), raw -> {
            byte[] hwid = "Turin".equals(product) ? Arrays.copyOf(chipId(), 8) : chipId();
            return leaf(ask.get(), "SEV-VCEK", vcekKeys(tcb).getPublic(), tcb, product.equals("Milan") ? "Milan-B0"
                    : product.equals("Turin") ? "Turin-B0" : product, "4", hwid);
        });
    }

    /** A VCEK or VLEK: serial 0, seven years from now, AMD's extensions only, the last one given raw. */
    private X509Certificate leaf(X509Authority issuer, String cn, java.security.PublicKey key, TcbVersion tcb,
            String productName, String lastOid, byte[] lastValue) {
        try {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            X509Authority.CertificateBuilder b = issuer.issue().subject(NAMES + cn).publicKey(key)
                    .serial(BigInteger.ZERO).validity(now, years(now, LEAF_YEARS))
                    .signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT);
            boolean turin = "Turin".equals(product);
            long raw = tcb.asLong();
            b.extension(OID + "1", false, new ASN1Integer(turin ? 1 : 0).getEncoded())
                    .extension(OID + "2", false, new DERIA5String(productName).getEncoded())
                    .extension(OID + "3.1", false, spl(tcb, "BOOT_LOADER"))
                    .extension(OID + "3.2", false, spl(tcb, "TEE"));
            // the reserved SPLs are the TCB's reserved bytes: 2..5 (Milan, Genoa), 4..6 (Turin, which has no spl4)
            for (int i = turin ? 5 : 4; i <= 7; i++) {
                int bytePos = turin ? i - 1 : i - 2;
                b.extension(OID + "3." + i, false, new ASN1Integer((raw >>> (8 * bytePos)) & 0xFF).getEncoded());
            }
            b.extension(OID + "3.3", false, spl(tcb, "SNP")).extension(OID + "3.8", false, spl(tcb, "MICROCODE"));
            if (turin) {
                b.extension(OID + "3.9", false, spl(tcb, "FMC"));
            }
            return b.extension(OID + lastOid, false, lastValue).buildCertificate();
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding failed", e);
        }
    }

    private static byte[] spl(TcbVersion tcb, String name) throws IOException {
        return new ASN1Integer(tcb.components().getOrDefault(name, 0)).getEncoded();
    }

    private final Lazy<X509Authority> asvk;

    /** @return the ASVK (signs VLEKs), built on first use */
    public X509Authority asvk() {
        return asvk.get();
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
        io.teebox.kit.codec.LittleEndian.put64(t, 0, tcb.asLong());
        return EcKeys.fromSeed("P-384", io.teebox.kit.crypto.Digests.sha384(label("vlek|" + cspId), t));
    }

    /**
     * The VLEK certificate, issued the first time it is asked for. Like a VCEK, but signed by the ASVK, with the
     * product line without a stepping as productName and the CSP_ID (1.3.6.1.4.1.3704.1.5) instead of the hwID.
     *
     * @param tcb the reported TCB
     * @param cspId the cloud provider's id (extension 1.3.6.1.4.1.3704.1.5)
     * @return the VLEK certificate signed by the ASVK
     */
    public X509Certificate vlek(TcbVersion tcb, String cspId) {
        return vleks.computeIfAbsent(tcb.asLong() + "|" + cspId, k -> {
            try {
                return leaf(asvk(), "SEV-VLEK", vlekKeys(tcb, cspId).getPublic(), tcb, product, "5",
                        new DERIA5String(cspId).getEncoded());
            } catch (IOException e) {
                throw new IllegalStateException("DER encoding failed", e);
            }
        });
    }

    /**
     * @param tcb the reported TCB
     * @return VCEK, ASK, ARK
     */
    public List<X509Certificate> chain(TcbVersion tcb) {
        return List.of(vcek(tcb), ask(), ark());
    }
}
