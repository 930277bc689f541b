package io.teebox.intel.tdx.module.internal;

import io.teebox.api.tee.FirmwareVersion;
import io.teebox.kit.hex.Hex;
import java.util.Arrays;
import java.util.Dictionary;

/**
 * The TDX module image this bundle carries, named in its manifest: {@code Teebox-Tdx-Module:
 * 1.5.06;tee-tcb-svn=05010300000000000000000000000000} (the module's version, from which MRSEAM follows, and the
 * TEE_TCB_SVN it reports: byte 0 the module's SVN, byte 1 its major version, byte 2 the TDX late microcode SVN). The
 * SEAM loader loads it when the bundle activates, so updating the bundle from a jar with another image is a TDX
 * module update; the values of pid {@code io.teebox.intel.tdx}, when set, override it.
 *
 * @param version major.minor.build
 * @param teeTcbSvn TEE_TCB_SVN, 16 bytes
 */
record ModuleImage(String version, byte[] teeTcbSvn) {

    static final String HEADER = "Teebox-Tdx-Module";
    /** The image of this revision of the bundle (its manifest header, written from this constant). */
    static final String BUILT_IN = "1.5.06;tee-tcb-svn=05010300000000000000000000000000";

    ModuleImage {
        try {
            FirmwareVersion.parse(version);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(HEADER + ": the version must be major.minor.build, got '" + version
                    + "'", e);
        }
        if (teeTcbSvn.length != 16) {
            throw new IllegalArgumentException(HEADER + ": tee-tcb-svn must be 32 hex digits, got "
                    + 2 * teeTcbSvn.length);
        }
        teeTcbSvn = teeTcbSvn.clone();
    }

    @Override
    public byte[] teeTcbSvn() {
        return teeTcbSvn.clone();
    }

    /**
     * @param header {@code version;tee-tcb-svn=hex}
     * @return the image
     * @throws IllegalArgumentException naming what is malformed
     */
    static ModuleImage parse(String header) {
        String[] parts = header.split(";");
        byte[] svn = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2 || !kv[0].trim().equals("tee-tcb-svn")) {
                throw new IllegalArgumentException(HEADER + ": unknown attribute '" + parts[i].trim()
                        + "' (expected tee-tcb-svn=hex)");
            }
            try {
                svn = Hex.decode(kv[1].trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(HEADER + ": tee-tcb-svn is not hex: " + e.getMessage(), e);
            }
        }
        if (svn == null) {
            throw new IllegalArgumentException(HEADER + ": tee-tcb-svn=hex is missing in '" + header + "'");
        }
        return new ModuleImage(parts[0].trim(), svn);
    }

    /**
     * @param headers the bundle's manifest headers
     * @return the image they name, or the built-in one when they name none
     */
    static ModuleImage of(Dictionary<String, String> headers) {
        String h = headers.get(HEADER);
        return parse(h == null ? BUILT_IN : h);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModuleImage m && m.version.equals(version) && Arrays.equals(m.teeTcbSvn, teeTcbSvn);
    }

    @Override
    public int hashCode() {
        return version.hashCode() * 31 + Arrays.hashCode(teeTcbSvn);
    }

    @Override
    public String toString() {
        return version + ";tee-tcb-svn=" + Hex.encode(teeTcbSvn);
    }
}
