package io.teebox.amd.sp.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.GuestContext;
import io.teebox.amd.sp.PlatformStatus;
import io.teebox.amd.sp.Rmp;
import io.teebox.amd.sp.SevGuestContext;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.SpFirmwareImage;
import io.teebox.api.platform.PlatformState;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.lang.Lazy;

/**
 * The emulated AMD Secure Processor. Platform keys are derived from the chip seed, so they are the same after a
 * restart; guest contexts and memory keys live here, so backend bundles can come and go. It puts together the
 * chip's keys ({@link SevPlatformKeys}, {@link ChipKeys}), the context table ({@link GuestContexts}), the memory
 * controller ({@link MemoryController}) and the Reverse Map Table, under one monitor, and reports the configured
 * firmware version and TCB.
 */
@Component(service = AmdSecureProcessor.class, immediate = true, configurationPid = "io.teebox.amd.sp")
@Designate(ocd = AmdSpConfig.class)
public final class AmdSecureProcessorImpl implements AmdSecureProcessor {

    private static final Logger LOG = Logger.getLogger(AmdSecureProcessorImpl.class.getName());
    private static final int PLATFORM_WORKING = 2;
    private static final long CONFIG_ES = 1L << 8;

    /** The PDH/PEK/OCA/CEK chain, derived from the chip seed when first asked (not on the start path). */
    private final Lazy<SevPlatformKeys> platformKeys;
    private final ChipKeys chipKeys;
    private final GuestContexts contexts = new GuestContexts();
    private final MemoryController memory = new MemoryController();
    private final Rmp rmp = new Rmp();
    private volatile AmdSpConfig config;
    /** This bundle's context, under DS: where the running guests are handed to the next revision. */
    private BundleContext context;
    private volatile SpFirmwareImage image;

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
     * @param config the configuration; its firmware values (apiMajor, apiMinor, build, snpSpl) override the image a
     *            backend bundle loads when they are set (not -1)
     * @param state the machine's state: the chip seed is made there on first start and kept, unless the
     *            configuration gives one
     * @param context this bundle's context: the running guests of the previous revision of this bundle are taken
     *            over from it
     */
    @Activate
    public AmdSecureProcessorImpl(AmdSpConfig config, @Reference PlatformState state, BundleContext context) {
        this(config, state);
        this.context = context;
        byte[] handed = SpHandoff.take(context);
        if (handed != null) {
            int n = restore(handed);
            LOG.info("secure processor: took over " + n + " running guests from the previous firmware revision");
        }
    }

    /** @return the running guests' state for the next revision, or null when none runs */
    synchronized byte[] snapshot() {
        return SpSnapshot.write(contexts, memory, rmp);
    }

    /**
     * @param snapshot what {@link #snapshot()} of the previous revision gave
     * @return how many guests were taken over (those whose ASID the configuration in force still has)
     */
    synchronized int restore(byte[] snapshot) {
        return SpSnapshot.read(snapshot, contexts, memory, rmp, (pool, asid) -> {
            int[] r = GuestContexts.range(pool, this.config);
            return asid >= r[0] && asid <= r[1];
        });
    }

    /**
     * Hands the running guests to the next revision of this bundle (an update, a stop and start, or the AMD feature
     * uninstalled and installed again).
     */
    @Deactivate
    synchronized void handOver() {
        byte[] snapshot = snapshot();
        if (snapshot != null && context != null) {
            SpHandoff.put(context, snapshot);
        }
    }

    /**
     * @param config the configuration
     * @param state the machine's state: the chip seed is made there on first start and kept, unless the
     *            configuration gives one
     */
    AmdSecureProcessorImpl(AmdSpConfig config, PlatformState state) {
        AmdSpConfigs.check(config);
        this.config = config;
        byte[] chipSeed;
        if (!config.chipSeed().isEmpty()) {
            chipSeed = config.chipSeed().getBytes(StandardCharsets.UTF_8);
        } else if (state != null) {
            chipSeed = state.secret("amd", "chip-seed", 32);
        } else {
            throw new IllegalArgumentException("io.teebox.amd.sp: no chipSeed is configured and no platform state "
                    + "keeps one");
        }
        // the certificates carry the API version of the firmware running when they are first asked for
        this.platformKeys = Lazy.of(() -> new SevPlatformKeys(chipSeed, apiMajor(), apiMinor()));
        this.chipKeys = new ChipKeys(chipSeed, state, () -> this.config.productLine());
    }

    /**
     * @param next the new configuration
     * @throws IllegalArgumentException if it is out of range or would take an ASID from a guest; nothing of it
     *             applies then
     */
    @Modified
    void modified(AmdSpConfig next) {
        AmdSpConfigs.check(next);
        synchronized (this) {
            int lost = contexts.asidLostUnder(config, next);
            if (lost >= 0) {
                // refused as a whole: nothing of the new configuration applies, and the exception tells DS (and the
                // platform's configuration guard, which puts the previous configuration back) why
                throw new IllegalArgumentException("io.teebox.amd.sp: maxAsid " + next.maxAsid() + " and minSevAsid "
                        + next.minSevAsid() + " would take ASID " + lost + " from its guest (ASIDs in force: max "
                        + config.maxAsid() + ", first SEV " + config.minSevAsid() + ")");
            }
            if (!next.chipSeed().equals(config.chipSeed())) {
                LOG.warning("io.teebox.amd.sp: chipSeed changes only when the platform restarts");
            }
            config = next;
        }
    }

    /** Applies a new configuration as ConfigAdmin would (tests of firmware updates). */
    public void modifiedForTest(Map<String, Object> values) {
        modified(AmdSpConfigs.of(values));
    }

    /** The firmware teebox's AMD backend bundles carry, in force until one of them loads its image. */
    static final SpFirmwareImage BUILT_IN = new SpFirmwareImage(1, 55, 21, 8);

    @Override
    public synchronized void loadFirmware(SpFirmwareImage next, String source) {
        java.util.Objects.requireNonNull(next, "image");
        SpFirmwareImage running = image == null ? BUILT_IN : image;
        if (next.equals(image)) {
            return;
        }
        if (image != null && next.compareTo(running) < 0) {
            // the SEV, SEV-ES and SEV-SNP bundles each carry the image; one that was not updated restarting must not
            // take the secure processor back to the firmware it carries (as SNP firmware refuses an image below
            // the committed one)
            LOG.warning("io.teebox.amd.sp: SEV firmware " + next.header() + " from " + source + " is older than the "
                    + "running " + running.header() + "; not loaded");
            return;
        }
        image = next;
        List<String> overrides = AmdSpConfigs.firmwareOverrides(config);
        LOG.info("io.teebox.amd.sp: SEV firmware " + next.header() + " loaded from " + source + " (was "
                + running.header() + ")" + (overrides.isEmpty() ? "" : "; the configuration overrides " + overrides));
    }

    @Override
    public SpFirmwareImage loadedFirmware() {
        return image;
    }

    /** The value in force: a configured one (not -1), else the loaded image's, else the built-in firmware's. */
    private int firmware(int configured, java.util.function.ToIntFunction<SpFirmwareImage> fromImage) {
        SpFirmwareImage i = image;
        return configured >= 0 ? configured : fromImage.applyAsInt(i == null ? BUILT_IN : i);
    }

    private int apiMajor() {
        return firmware(config.apiMajor(), SpFirmwareImage::apiMajor);
    }

    private int apiMinor() {
        return firmware(config.apiMinor(), SpFirmwareImage::apiMinor);
    }

    private int build() {
        return firmware(config.build(), SpFirmwareImage::build);
    }

    private int snpSpl() {
        return firmware(config.snpSpl(), SpFirmwareImage::snpSpl);
    }

    // ------------------------------------------------------------------ identity, versions, keys

    @Override
    public String productLine() {
        return config.productLine();
    }

    @Override
    public FirmwareVersion firmwareVersion() {
        return FirmwareVersion.of(apiMajor(), apiMinor(), build());
    }

    @Override
    public TcbVersion tcb() {
        // one chip, one TCB: what SEV's descriptor shows is what an SNP report carries as CURRENT_TCB
        return snpTcb();
    }

    @Override
    public TcbVersion snpTcb() {
        AmdSpConfig c = config;
        return TcbVersions.encode(c.productLine(), "Turin".equals(c.productLine()) ? 1 : 0, 3, 0, snpSpl(),
                c.microcodeSpl());
    }

    @Override
    public String vlekCspId() {
        AmdSpConfig c = config;
        return "VLEK".equals(c.signingKey()) ? c.cspId() : null;
    }

    @Override
    public synchronized PlatformStatus platformStatus() {
        return new PlatformStatus(apiMajor(), apiMinor(), PLATFORM_WORKING, CONFIG_ES, build(),
                contexts.size());
    }

    @Override
    public Map<String, byte[]> platformCertificates() {
        return platformKeys.get().certificates();
    }

    @Override
    public byte[] pdhSharedSecret(PublicKey ownerKey) {
        return platformKeys.get().pdhSharedSecret(ownerKey);
    }

    @Override
    public BigInteger[] pekSign(byte[] data) {
        return platformKeys.get().pekSign(data);
    }

    @Override
    public AmdKeyHierarchy keys() {
        return chipKeys.get();
    }

    @Override
    public Rmp rmp() {
        return rmp;
    }

    // ------------------------------------------------------------------ guest contexts

    @Override
    public synchronized KeySlotLimits asidLimits(AsidPool pool) {
        return contexts.limits(pool, config);
    }

    @Override
    public synchronized SevGuestContext createSevContext(AsidPool pool, long policy) {
        SevContext c = contexts.create(pool, config, (handle, asid) -> new SevContext(handle, pool, asid, policy));
        memory.newKey(c.handle(), 128);
        return c;
    }

    @Override
    public synchronized SnpGuestContext createSnpContext(long policy) {
        SnpContext c = contexts.create(AsidPool.SEV_ES_SNP, config, (handle, asid) -> new SnpContext(handle, asid,
                policy));
        memory.newKey(c.handle(), 256);
        return c;
    }

    @Override
    public synchronized GuestContext context(long handle) {
        return contexts.get(handle);
    }

    @Override
    public synchronized SevGuestContext sevContext(long handle) {
        return contexts.get(handle, SevContext.class, "an SEV or SEV-ES");
    }

    @Override
    public synchronized SnpGuestContext snpContext(long handle) {
        return contexts.get(handle, SnpContext.class, "an SEV-SNP");
    }

    // ------------------------------------------------------------------ the memory controller

    @Override
    public synchronized void activate(long handle) {
        memory.install(handle, contexts.get(handle).asid());
    }

    @Override
    public synchronized void deactivate(long handle) {
        memory.uninstall(handle, contexts.get(handle).asid());
    }

    @Override
    public synchronized boolean isActive(long handle) {
        return memory.installed(handle, contexts.get(handle).asid());
    }

    @Override
    public synchronized void decommission(long handle) {
        GuestContext c = contexts.get(handle);
        if (isActive(handle)) {
            throw SevStatus.ACTIVE.error("guest " + handle + " is still active on ASID " + c.asid()
                    + "; DEACTIVATE it first");
        }
        contexts.remove(handle);
        memory.forget(handle);
        rmp.release(c.asid());
    }

    private synchronized io.teebox.kit.crypto.PageCipher key(int asid) {
        return memory.key(asid);
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
