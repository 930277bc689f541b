package io.teebox.amd.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * The 64-bit SEV-SNP guest policy: ABI_MINOR in bits 7:0, ABI_MAJOR in 15:8, flags in 25:16 (bit 17 must be one),
 * bits 63:26 must be zero.
 *
 * @param value the policy
 */
public record SnpPolicy(long value) {

    /** SMT allowed. */
    public static final long SMT = 1L << 16;
    /** Reserved, must be one. */
    public static final long RSVD_MBO = 1L << 17;
    /** Migration agent allowed. */
    public static final long MIGRATE_MA = 1L << 18;
    /** Debugging allowed. */
    public static final long DEBUG = 1L << 19;
    /** Single socket only. */
    public static final long SINGLE_SOCKET = 1L << 20;
    /** CXL may be populated. */
    public static final long CXL_ALLOW = 1L << 21;
    /** AES-256-XTS required. */
    public static final long MEM_AES_256_XTS = 1L << 22;
    /** RAPL must be disabled. */
    public static final long RAPL_DIS = 1L << 23;
    /** Ciphertext hiding must be enabled. */
    public static final long CIPHERTEXT_HIDING = 1L << 24;
    /** Page swap disabled. */
    public static final long PAGE_SWAP_DISABLE = 1L << 25;
    private static final String[] NAMES = {"SMT", "RSVD_MBO", "MIGRATE_MA", "DEBUG", "SINGLE_SOCKET", "CXL_ALLOW",
        "MEM_AES_256_XTS", "RAPL_DIS", "CIPHERTEXT_HIDING", "PAGE_SWAP_DISABLE"};

    /**
     * @throws io.teebox.api.tee.TeeException INVALID_PARAM naming the offending bits
     */
    public SnpPolicy {
        if ((value & RSVD_MBO) == 0) {
            throw SevStatus.INVALID_PARAM.error(String.format("SNP policy 0x%X has bit 17 clear; it must be one",
                    value));
        }
        if ((value >>> 26) != 0) {
            throw SevStatus.INVALID_PARAM.error(String.format("SNP policy 0x%X sets must-be-zero bits 63:26 (0x%X)",
                    value, value & ~((1L << 26) - 1)));
        }
    }

    /** @return whether the flag is set */
    public boolean has(long flag) {
        return (value & flag) != 0;
    }

    /** @return the minimum ABI major */
    public int abiMajor() {
        return (int) (value >>> 8) & 0xFF;
    }

    /** @return the minimum ABI minor */
    public int abiMinor() {
        return (int) value & 0xFF;
    }

    @Override
    public String toString() {
        List<String> f = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) {
            if (has(1L << (16 + i))) {
                f.add(NAMES[i]);
            }
        }
        return String.format("0x%X %s abi>=%d.%d", value, f, abiMajor(), abiMinor());
    }
}
