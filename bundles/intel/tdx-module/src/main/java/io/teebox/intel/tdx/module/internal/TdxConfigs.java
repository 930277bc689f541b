package io.teebox.intel.tdx.module.internal;

import io.teebox.api.platform.PlatformState;
import io.teebox.kit.hex.Hex;

/** The platform a configuration of pid {@code io.teebox.intel.tdx} describes, checked field by field. */
final class TdxConfigs {

    private TdxConfigs() {
    }

    static TdxPlatform platform(TdxConfig c, PlatformState state, ModuleImage image) {
        String seed = c.platformSeed().isEmpty() ? Hex.encode(state.secret("intel", "platform-seed", 32))
                : c.platformSeed();
        return platform(c, seed, image);
    }

    static TdxPlatform platform(TdxConfig c, String seed) {
        return platform(c, seed, ModuleImage.parse(ModuleImage.BUILT_IN));
    }

    /**
     * @param c the configuration: its moduleVersion and teeTcbSvn, when set, override the image's
     * @param seed the platform seed
     * @param image the module image the bundle carries
     */
    static TdxPlatform platform(TdxConfig c, String seed, ModuleImage image) {
        // each check names the keys it is about: the configuration guard drops exactly those
        if (c.hkidCount() < 1) {
            throw new IllegalArgumentException("io.teebox.intel.tdx: hkidCount must be at least 1, got "
                    + c.hkidCount());
        }
        if (c.firstHkid() < 1) {
            throw new IllegalArgumentException("io.teebox.intel.tdx: firstHkid must be at least 1 (KeyID 0 is the"
                    + " host's), got " + c.firstHkid());
        }
        if ((long) c.firstHkid() + c.hkidCount() - 1 > 1023) {
            throw new IllegalArgumentException("io.teebox.intel.tdx: firstHkid + hkidCount - 1 must be at most 1023,"
                    + " the largest KeyID, got " + ((long) c.firstHkid() + c.hkidCount() - 1));
        }
        String version = c.moduleVersion().isBlank() ? image.version() : c.moduleVersion().trim();
        byte[] teeTcbSvn = c.teeTcbSvn().isBlank() ? image.teeTcbSvn() : hex(c.teeTcbSvn(), 16, "teeTcbSvn");
        try {
            io.teebox.api.tee.FirmwareVersion.parse(version);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("io.teebox.intel.tdx: moduleVersion must be major.minor.build, got '"
                    + version + "'", e);
        }
        return new TdxPlatform(version, teeTcbSvn, hex(c.cpuSvn(), 16, "cpuSvn"),
                c.pceSvn(), hex(c.fmspc(), 6, "fmspc"), c.firstHkid(), c.firstHkid() + c.hkidCount() - 1, seed);
    }

    private static byte[] hex(String text, int n, String what) {
        byte[] b;
        try {
            b = Hex.decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("io.teebox.intel.tdx: " + what + " is not hex: " + e.getMessage(), e);
        }
        if (b.length != n) {
            throw new IllegalArgumentException("io.teebox.intel.tdx: " + what + " must be " + (2 * n)
                    + " hex digits, got " + text.trim().length());
        }
        return b;
    }
}
