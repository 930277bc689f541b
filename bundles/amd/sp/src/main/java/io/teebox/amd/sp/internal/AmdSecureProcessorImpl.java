package io.teebox.amd.sp.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.api.platform.PlatformState;
import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.GuestContext;
import io.teebox.amd.sp.PlatformStatus;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.PageCipher;
import io.teebox.kit.crypto.Signatures;

/**
 * The emulated AMD Secure Processor. Platform keys are derived from the configured chip seed, so they are the same
 * after a restart; guest contexts and memory keys live here, so backend bundles can come and go.
 */
@Component(service = AmdSecureProcessor.class, immediate = true, configurationPid = "io.teebox.amd.sp")
@Designate(ocd = AmdSpConfig.class)
public final class AmdSecureProcessorImpl implements AmdSecureProcessor {

    private static final Logger LOG = Logger.getLogger(AmdSecureProcessorImpl.class.getName());
    private static final int PLATFORM_WORKING = 2;
    private static final long CONFIG_ES = 1L << 8;

    private final SecureRandom random = new SecureRandom();
    private final KeyPair pdh;
    private final KeyPair pek;
    private final Map<String, byte[]> certificates;
    private final Map<Long, GuestContext> contexts = new TreeMap<>();
    private final Map<Integer, Long> asidOwner = new HashMap<>();
    private final Map<Long, PageCipher> veks = new HashMap<>();
    private final Map<Integer, PageCipher> installed = new HashMap<>();
    private long nextHandle = 1;
    private volatile AmdSpConfig config;

    /** The chip's seed: every platform key derives from it, as a real chip's derive from its fused secrets. */
    private final byte[] chipSeed;
    /** Where the platform keeps its identity; null for a platform of a configured seed alone (tests). */
    private final PlatformState state;

    /**
     * A platform whose chip seed is the configured one (tests and reproducible set-ups).
     *
     * @param config the configuration, with a non-empty {@code chipSeed}
     * @throws IllegalArgumentException if the configuration names no chip seed
     */
    public AmdSecureProcessorImpl(AmdSpConfig config) {
        this(config, null);
    }

    /**
     * @param config the configuration
     * @param state the machine's state: the chip seed is made there on first start and kept, unless the
     *            configuration gives one
     */
    @Activate
    public AmdSecureProcessorImpl(AmdSpConfig config, @Reference PlatformState state) {
        check(config);
        this.config = config;
        this.state = state;
        if (!config.chipSeed().isEmpty()) {
            this.chipSeed = config.chipSeed().getBytes(StandardCharsets.UTF_8);
        } else if (state != null) {
            this.chipSeed = state.secret("amd", "chip-seed", 32);
        } else {
            throw new IllegalArgumentException("io.teebox.amd.sp: no chipSeed is configured and no platform state "
                    + "keeps one");
        }
        byte[] seed = chipSeed;
        KeyPair oca = EcKeys.fromSeed("P-384", concat(seed, "oca"));
        KeyPair cek = EcKeys.fromSeed("P-384", concat(seed, "cek"));
        this.pek = EcKeys.fromSeed("P-384", concat(seed, "pek"));
        this.pdh = EcKeys.fromSeed("P-384", concat(seed, "pdh"));
        int maj = config.apiMajor();
        int min = config.apiMinor();
        SevCertificate ocaCert = SevCertificate.create(SevCertificate.USAGE_OCA, SevCertificate.ALGO_ECDSA_SHA256,
                oca.getPublic(), maj, min).sign(1, SevCertificate.USAGE_OCA, oca.getPrivate());
        // The real CEK is signed by AMD's ASK; teebox's emulated CEK signs itself.
        SevCertificate cekCert = SevCertificate.create(SevCertificate.USAGE_CEK, SevCertificate.ALGO_ECDSA_SHA256,
                cek.getPublic(), maj, min).sign(1, SevCertificate.USAGE_CEK, cek.getPrivate());
        SevCertificate pekCert = SevCertificate.create(SevCertificate.USAGE_PEK, SevCertificate.ALGO_ECDSA_SHA256,
                pek.getPublic(), maj, min).sign(1, SevCertificate.USAGE_OCA, oca.getPrivate())
                .sign(2, SevCertificate.USAGE_CEK, cek.getPrivate());
        SevCertificate pdhCert = SevCertificate.create(SevCertificate.USAGE_PDH, SevCertificate.ALGO_ECDH_SHA256,
                pdh.getPublic(), maj, min).sign(1, SevCertificate.USAGE_PEK, pek.getPrivate());
        Map<String, byte[]> certs = new LinkedHashMap<>();
        certs.put("pdh", pdhCert.bytes());
        certs.put("pek", pekCert.bytes());
        certs.put("oca", ocaCert.bytes());
        certs.put("cek", cekCert.bytes());
        this.certificates = certs;
    }

    private static byte[] concat(byte[] seed, String label) {
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(seed, seed.length + 1 + l.length);
        System.arraycopy(l, 0, out, seed.length + 1, l.length);
        return out;
    }

    static void check(AmdSpConfig c) {
        if (!c.productLine().matches("Milan|Genoa|Turin")) {
            throw new IllegalArgumentException("io.teebox.amd.sp: productLine must be Milan, Genoa or Turin, got '"
                    + c.productLine() + "'");
        }
        for (int v : new int[] {c.apiMajor(), c.apiMinor(), c.build(), c.snpSpl(), c.microcodeSpl()}) {
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("io.teebox.amd.sp: apiMajor, apiMinor, build, snpSpl and "
                        + "microcodeSpl are bytes, got " + v);
            }
        }
        if (!c.signingKey().equals("VCEK") && !c.signingKey().equals("VLEK")) {
            throw new IllegalArgumentException("io.teebox.amd.sp: signingKey must be VCEK or VLEK, got '"
                    + c.signingKey() + "'");
        }
        if (c.maxAsid() < 1 || c.maxAsid() > 1006) {
            throw new IllegalArgumentException("io.teebox.amd.sp: maxAsid must be 1..1006, got " + c.maxAsid());
        }
        if (c.minSevAsid() < 1 || c.minSevAsid() > c.maxAsid() + 1) {
            throw new IllegalArgumentException("io.teebox.amd.sp: minSevAsid must be 1..maxAsid+1 ("
                    + (c.maxAsid() + 1) + "), got " + c.minSevAsid());
        }
    }

    @Modified
    void modified(AmdSpConfig next) {
        check(next);
        synchronized (this) {
            for (int asid : asidOwner.keySet()) {
                boolean sevNow = asid >= config.minSevAsid();
                boolean sevNext = asid >= next.minSevAsid();
                if (asid > next.maxAsid() || sevNow != sevNext) {
                    LOG.warning("io.teebox.amd.sp: new ASID limits (max " + next.maxAsid() + ", first SEV "
                            + next.minSevAsid() + ") would take ASID " + asid + " from its guest; keeping max "
                            + config.maxAsid() + ", first SEV " + config.minSevAsid());
                    return;
                }
            }
            if (!next.chipSeed().equals(config.chipSeed())) {
                LOG.warning("io.teebox.amd.sp: chipSeed changes only when the platform restarts");
            }
            config = next;
        }
    }

    private volatile io.teebox.amd.abi.AmdKeyHierarchy keys;
    private final io.teebox.amd.sp.Rmp rmp = new io.teebox.amd.sp.Rmp();

    @Override
    public io.teebox.amd.sp.Rmp rmp() {
        return rmp;
    }

    @Override
    public io.teebox.amd.abi.AmdKeyHierarchy keys() {
        io.teebox.amd.abi.AmdKeyHierarchy k = keys;
        if (k == null) {
            synchronized (this) {
                k = keys;
                if (k == null || !k.productLine().equals(config.productLine())) {
                    String product = config.productLine();
                    k = new io.teebox.amd.abi.AmdKeyHierarchy(product, chipSeed, state == null ? null
                            : (what, issue) -> KeptAuthority.decode(state.kept("amd",
                                    product.toLowerCase(java.util.Locale.ROOT) + "-" + what,
                                    () -> KeptAuthority.encode(issue.get()))));
                    keys = k;
                }
            }
        }
        return k;
    }

    @Override
    public String vlekCspId() {
        AmdSpConfig c = config;
        return "VLEK".equals(c.signingKey()) ? c.cspId() : null;
    }

    @Override
    public TcbVersion snpTcb() {
        AmdSpConfig c = config;
        return io.teebox.amd.abi.TcbVersions.encode(c.productLine(), "Turin".equals(c.productLine()) ? 1 : 0, 3, 0,
                c.snpSpl(), c.microcodeSpl());
    }

    /** Applies a new configuration as ConfigAdmin would (tests of firmware updates). */
    public void modifiedForTest(Map<String, Object> values) {
        modified((AmdSpConfig) java.lang.reflect.Proxy.newProxyInstance(AmdSpConfig.class.getClassLoader(),
                new Class<?>[] {AmdSpConfig.class}, (proxy, method, args) -> method.getName().equals("annotationType")
                        ? AmdSpConfig.class
                        : values.getOrDefault(method.getName(), method.getDefaultValue())));
    }

    @Override
    public String productLine() {
        return config.productLine();
    }

    @Override
    public FirmwareVersion firmwareVersion() {
        AmdSpConfig c = config;
        return FirmwareVersion.of(c.apiMajor(), c.apiMinor(), c.build());
    }

    @Override
    public TcbVersion tcb() {
        AmdSpConfig c = config;
        Map<String, Integer> parts = new LinkedHashMap<>();
        parts.put("BOOT_LOADER", 3);
        parts.put("TEE", 0);
        parts.put("SNP", c.apiMinor() & 0x7F);
        parts.put("MICROCODE", 0xD1);
        long raw = 3L | (long) (c.apiMinor() & 0x7F) << 48 | 0xD1L << 56;
        return TcbVersion.ofLong(raw, parts);
    }

    @Override
    public synchronized PlatformStatus platformStatus() {
        AmdSpConfig c = config;
        return new PlatformStatus(c.apiMajor(), c.apiMinor(), PLATFORM_WORKING, CONFIG_ES, c.build(),
                contexts.size());
    }

    @Override
    public Map<String, byte[]> platformCertificates() {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        certificates.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    @Override
    public byte[] pdhSharedSecret(PublicKey ownerKey) {
        try {
            return EcKeys.ecdh(pdh.getPrivate(), ownerKey);
        } catch (RuntimeException e) {
            throw SevStatus.INVALID_CERTIFICATE.error("the guest owner's DH key cannot be used with the P-384 PDH: "
                    + e.getMessage());
        }
    }

    @Override
    public BigInteger[] pekSign(byte[] data) {
        return Signatures.ecdsaSign(pek.getPrivate(), "SHA-256", data);
    }

    private int[] range(AsidPool pool) {
        AmdSpConfig c = config;
        return pool == AsidPool.SEV ? new int[] {c.minSevAsid(), c.maxAsid()} : new int[] {1, c.minSevAsid() - 1};
    }

    @Override
    public synchronized KeySlotLimits asidLimits(AsidPool pool) {
        int[] r = range(pool);
        int used = (int) asidOwner.keySet().stream().filter(a -> a >= r[0] && a <= r[1]).count();
        return new KeySlotLimits("ASID", r[0], r[1], used);
    }

    @Override
    public GuestContext createContext(AsidPool pool, long policy) {
        return createContext(pool, policy, 128);
    }

    @Override
    public synchronized GuestContext createContext(AsidPool pool, long policy, int keyBits) {
        if (keyBits != 128 && keyBits != 256) {
            throw SevStatus.INVALID_PARAM.error("memory keys are 128 or 256 bits, not " + keyBits);
        }
        int[] r = range(pool);
        int asid = -1;
        for (int a = r[0]; a <= r[1]; a++) {
            if (!asidOwner.containsKey(a)) {
                asid = a;
                break;
            }
        }
        if (asid < 0) {
            int n = Math.max(0, r[1] - r[0] + 1);
            throw SevStatus.RESOURCE_LIMIT.error(n == 0
                    ? "the platform has no " + pool + " ASIDs (maxAsid " + config.maxAsid() + ", minSevAsid "
                            + config.minSevAsid() + ")"
                    : String.format("no free %s ASID: all %d ASIDs %d..%d are in use", pool == AsidPool.SEV ? "SEV"
                            : "SEV-ES/SNP", n, r[0], r[1]));
        }
        long handle = nextHandle++;
        GuestContext ctx = new GuestContext(handle, pool, asid, policy);
        int half = keyBits / 8;
        byte[] vek = new byte[2 * half];
        random.nextBytes(vek);
        veks.put(handle, PageCipher.xts(Arrays.copyOf(vek, half), Arrays.copyOfRange(vek, half, 2 * half)));
        Arrays.fill(vek, (byte) 0);
        contexts.put(handle, ctx);
        asidOwner.put(asid, handle);
        return ctx;
    }

    @Override
    public synchronized GuestContext context(long handle) {
        GuestContext c = contexts.get(handle);
        if (c == null) {
            throw SevStatus.INVALID_GUEST.error("the firmware has no guest with handle " + handle);
        }
        return c;
    }

    @Override
    public synchronized void activate(long handle) {
        GuestContext c = context(handle);
        PageCipher current = installed.get(c.asid);
        if (current != null && current != veks.get(handle)) {
            throw SevStatus.ASID_OWNED.error("ASID " + c.asid + " is active for another guest");
        }
        installed.put(c.asid, veks.get(handle));
    }

    @Override
    public synchronized void deactivate(long handle) {
        GuestContext c = context(handle);
        installed.remove(c.asid, veks.get(handle));
    }

    @Override
    public synchronized boolean isActive(long handle) {
        GuestContext c = context(handle);
        return installed.get(c.asid) == veks.get(handle);
    }

    @Override
    public synchronized void decommission(long handle) {
        GuestContext c = context(handle);
        if (isActive(handle)) {
            throw SevStatus.ACTIVE.error("guest " + handle + " is still active on ASID " + c.asid
                    + "; DEACTIVATE it first");
        }
        contexts.remove(handle);
        veks.remove(handle);
        rmp.release(c.asid);
        asidOwner.remove(c.asid);
    }

    private synchronized PageCipher key(int asid) {
        PageCipher k = installed.get(asid);
        if (k == null) {
            throw SevStatus.INACTIVE.error("no key is installed for ASID " + asid + " (guest not activated)");
        }
        return k;
    }

    @Override
    public byte[] encryptPage(int asid, long hostPhysicalAddress, byte[] page) {
        return key(asid).encrypt(hostPhysicalAddress, page);
    }

    @Override
    public byte[] decryptPage(int asid, long hostPhysicalAddress, byte[] page) {
        return key(asid).decrypt(hostPhysicalAddress, page);
    }
}
