package io.teebox.intel.tdx.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * TD ATTRIBUTES (u64), as TD_PARAMS sets them and TDINFO and the quote body report them (Linux
 * {@code asm/shared/tdx.h}). Bits 7:0 are the TD-under-debug group (only DEBUG is defined), 31:8 the security
 * group, 63:32 the other group.
 */
public final class TdAttributes {

    /** Bit 0: the TD is debuggable; the host can read and write its memory and state (TDH.MEM.RD/WR). */
    public static final long DEBUG = 1L;
    /** Bit 4: HGS+ profiling. */
    public static final long HGS_PLUS_PROF = 1L << 4;
    /** Bit 5: performance profiling. */
    public static final long PERF_PROF = 1L << 5;
    /** Bit 6: PMT profiling. */
    public static final long PMT_PROF = 1L << 6;
    /** Bit 16: ICSSD. */
    public static final long ICSSD = 1L << 16;
    /** Bit 27: linear address space separation. */
    public static final long LASS = 1L << 27;
    /**
     * Bit 28: a TD access to a pending (not accepted) private page is an EPT violation exit to the host instead of
     * a #VE in the TD. QEMU's default TD attributes are this bit alone.
     */
    public static final long SEPT_VE_DISABLE = 1L << 28;
    /** Bit 29: the TD may be migrated. */
    public static final long MIGRATABLE = 1L << 29;
    /** Bit 30: protection keys for supervisor pages. */
    public static final long PKS = 1L << 30;
    /** Bit 31: key locker. */
    public static final long KL = 1L << 31;
    /** Bit 62: TPA. */
    public static final long TPA = 1L << 62;
    /** Bit 63: the TD may use the performance monitoring unit. */
    public static final long PERFMON = 1L << 63;

    /** Every bit this emulated TDX module accepts in TD_PARAMS.ATTRIBUTES. */
    public static final long SUPPORTED = DEBUG | HGS_PLUS_PROF | PERF_PROF | PMT_PROF | ICSSD | LASS | SEPT_VE_DISABLE
            | MIGRATABLE | PKS | KL | TPA | PERFMON;

    /** The attributes teebox launches TDs with when the owner gives none: SEPT_VE_DISABLE, as QEMU does. */
    public static final long DEFAULT = SEPT_VE_DISABLE;

    private static final long[] BITS = {DEBUG, HGS_PLUS_PROF, PERF_PROF, PMT_PROF, ICSSD, LASS, SEPT_VE_DISABLE,
        MIGRATABLE, PKS, KL, TPA, PERFMON};
    private static final String[] NAMES = {"DEBUG", "HGS_PLUS_PROF", "PERF_PROF", "PMT_PROF", "ICSSD", "LASS",
        "SEPT_VE_DISABLE", "MIGRATABLE", "PKS", "KL", "TPA", "PERFMON"};

    private TdAttributes() {
    }

    /**
     * @param attributes TD attributes
     * @return the set bits by name, for example {@code "DEBUG|SEPT_VE_DISABLE"}, unknown bits in hex, or
     *         {@code "none"}
     */
    public static String describe(long attributes) {
        List<String> out = new ArrayList<>();
        long rest = attributes;
        for (int i = 0; i < BITS.length; i++) {
            if ((attributes & BITS[i]) != 0) {
                out.add(NAMES[i]);
                rest &= ~BITS[i];
            }
        }
        if (rest != 0) {
            out.add(String.format("unknown 0x%X", rest));
        }
        return out.isEmpty() ? "none" : String.join("|", out);
    }

    /**
     * @param attributes TD attributes
     * @return whether DEBUG is set
     */
    public static boolean isDebug(long attributes) {
        return (attributes & DEBUG) != 0;
    }
}
