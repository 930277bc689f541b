package io.teebox.amd.abi;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.api.tee.TcbVersion;

/**
 * The 8-byte SNP TCB_VERSION. Milan and Genoa: byte 0 BOOT_LOADER, 1 TEE, 6 SNP, 7 MICROCODE; Turin: byte 0 FMC,
 * 1 BOOT_LOADER, 2 TEE, 3 SNP, 7 MICROCODE. Other bytes are reserved.
 */
public final class TcbVersions {

    private TcbVersions() {
    }

    private static boolean turin(String productLine) {
        return "Turin".equals(productLine);
    }

    /**
     * @param productLine Milan, Genoa or Turin
     * @param raw the TCB_VERSION as a little-endian long
     * @return the named components
     * @throws IllegalArgumentException if a reserved byte is set
     */
    public static TcbVersion decode(String productLine, long raw) {
        Map<String, Integer> c = new LinkedHashMap<>();
        int[] used = turin(productLine) ? new int[] {0, 1, 2, 3, 7} : new int[] {0, 1, 6, 7};
        String[] names = turin(productLine) ? new String[] {"FMC", "BOOT_LOADER", "TEE", "SNP", "MICROCODE"}
                : new String[] {"BOOT_LOADER", "TEE", "SNP", "MICROCODE"};
        long reserved = raw;
        for (int i = 0; i < used.length; i++) {
            c.put(names[i], (int) (raw >>> (8 * used[i])) & 0xFF);
            reserved &= ~(0xFFL << (8 * used[i]));
        }
        if (reserved != 0) {
            throw new IllegalArgumentException(String.format("%s TCB_VERSION 0x%016X sets reserved bytes (0x%016X)",
                    productLine, raw, reserved));
        }
        return TcbVersion.ofLong(raw, c);
    }

    /**
     * @param productLine Milan, Genoa or Turin
     * @param fmc FMC SPL (Turin only; must be 0 otherwise)
     * @param bootLoader boot loader SPL
     * @param tee TEE SPL
     * @param snp SNP SPL
     * @param microcode microcode SPL
     * @return the encoded TCB_VERSION
     */
    public static TcbVersion encode(String productLine, int fmc, int bootLoader, int tee, int snp, int microcode) {
        for (int v : new int[] {fmc, bootLoader, tee, snp, microcode}) {
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("TCB components are bytes, got " + v);
            }
        }
        long raw;
        if (turin(productLine)) {
            raw = fmc | (long) bootLoader << 8 | (long) tee << 16 | (long) snp << 24 | (long) microcode << 56;
        } else {
            if (fmc != 0) {
                throw new IllegalArgumentException(productLine + " has no FMC component");
            }
            raw = bootLoader | (long) tee << 8 | (long) snp << 48 | (long) microcode << 56;
        }
        return decode(productLine, raw);
    }
}
