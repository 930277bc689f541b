package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;
import java.util.Objects;

/**
 * TD_PARAMS, the 1024-byte input of TDH.MNG.INIT (Linux {@code arch/x86/kvm/vmx/tdx_arch.h} {@code struct
 * td_params}): the TD's attributes, XFAM, vCPU limit, GPA width, TSC frequency, the owner-chosen MRCONFIGID,
 * MROWNER and MROWNERCONFIG, and the CPUID values the VMM configures. Reserved ranges are must-be-zero.
 */
public final class TdParams {

    /** The structure's size. */
    public static final int SIZE = 1024;
    /** The layout, with the field names of the Linux structure. */
    public static final Layout LAYOUT = Layout.define("TD_PARAMS", SIZE)
            .u64("ATTRIBUTES", 0x000)
            .u64("XFAM", 0x008)
            .u16("MAX_VCPUS", 0x010)
            .reserved(0x012, 6)
            .u64("EPTP_CONTROLS", 0x018)
            .u64("CONFIG_FLAGS", 0x020)
            .u16("TSC_FREQUENCY", 0x028)
            .reserved(0x02A, 38)
            .bytes("MRCONFIGID", 0x050, 48)
            .bytes("MROWNER", 0x080, 48)
            .bytes("MROWNERCONFIG", 0x0B0, 48)
            .reserved(0x0E0, 32)
            .bytes("CPUID_VALUES", 0x100, 768)
            .build();

    /** CONFIG_FLAGS bit 0: the guest physical address width is 52 bits (shared bit 51) instead of 48 (bit 47). */
    public static final long CONFIG_MAX_GPAW = 1L;
    /** CONFIG_FLAGS bit 2: RBP is not modified by TDH.VP.ENTER. */
    public static final long CONFIG_NO_RBP_MOD = 1L << 2;
    /** XFAM teebox uses by default: x87, SSE, AVX, AVX-512 (opmask, ZMM_Hi256, Hi16_ZMM). */
    public static final long DEFAULT_XFAM = 0xE7L;
    /** EPTP_CONTROLS for a 4-level Secure EPT with write-back memory type: (4 - 1) &lt;&lt; 3 | 6. */
    public static final long DEFAULT_EPTP_CONTROLS = 0x1EL;
    /** TSC frequency in units of 25 MHz: 2.5 GHz. */
    public static final int DEFAULT_TSC_FREQUENCY = 100;

    private final Struct s;

    private TdParams(Struct s) {
        this.s = s;
    }

    /**
     * Parses TD_PARAMS, checking the size and the reserved ranges.
     *
     * @param bytes exactly 1024 bytes
     * @return the parameters
     * @throws io.teebox.kit.codec.MalformedStructureException naming the size or the non-zero reserved byte
     */
    public static TdParams parse(byte[] bytes) {
        return new TdParams(LAYOUT.parse(bytes));
    }

    /**
     * The parameters teebox builds when the owner gives none: the given attributes, {@link #DEFAULT_XFAM}, a
     * 48-bit GPA width, 2.5 GHz TSC, zero MRCONFIGID/MROWNER/MROWNERCONFIG and no CPUID configuration.
     *
     * @param attributes TD attributes
     * @param maxVcpus the vCPU limit, 1..65535
     * @return the parameters
     */
    public static TdParams defaults(long attributes, int maxVcpus) {
        return builder().attributes(attributes).maxVcpus(maxVcpus).build();
    }

    /** @return a builder starting from the defaults of {@link #defaults(long, int)} with one vCPU */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a copy of the 1024 bytes */
    public byte[] toBytes() {
        return s.toBytes();
    }

    /** @return ATTRIBUTES */
    public long attributes() {
        return s.u64("ATTRIBUTES");
    }

    /** @return XFAM */
    public long xfam() {
        return s.u64("XFAM");
    }

    /** @return MAX_VCPUS */
    public int maxVcpus() {
        return s.u16("MAX_VCPUS");
    }

    /** @return EPTP_CONTROLS */
    public long eptpControls() {
        return s.u64("EPTP_CONTROLS");
    }

    /** @return CONFIG_FLAGS */
    public long configFlags() {
        return s.u64("CONFIG_FLAGS");
    }

    /** @return TSC_FREQUENCY in units of 25 MHz */
    public int tscFrequency() {
        return s.u16("TSC_FREQUENCY");
    }

    /** @return MRCONFIGID (48 bytes) */
    public byte[] mrConfigId() {
        return s.bytes("MRCONFIGID");
    }

    /** @return MROWNER (48 bytes) */
    public byte[] mrOwner() {
        return s.bytes("MROWNER");
    }

    /** @return MROWNERCONFIG (48 bytes) */
    public byte[] mrOwnerConfig() {
        return s.bytes("MROWNERCONFIG");
    }

    /** @return the bit position of the shared GPA bit: 51 with CONFIG_FLAGS.MAX_GPAW, else 47 */
    public int sharedBit() {
        return (configFlags() & CONFIG_MAX_GPAW) != 0 ? 51 : 47;
    }

    /** @return a field-by-field listing */
    public String describe() {
        return s.describe();
    }

    /** Builds TD_PARAMS field by field. */
    public static final class Builder {
        private final Struct s = LAYOUT.create();

        private Builder() {
            s.set("XFAM", DEFAULT_XFAM).set("MAX_VCPUS", 1).set("EPTP_CONTROLS", DEFAULT_EPTP_CONTROLS)
                    .set("TSC_FREQUENCY", DEFAULT_TSC_FREQUENCY).set("ATTRIBUTES", TdAttributes.DEFAULT);
        }

        /**
         * @param attributes TD attributes
         * @return this builder
         */
        public Builder attributes(long attributes) {
            s.set("ATTRIBUTES", attributes);
            return this;
        }

        /**
         * @param xfam XFAM
         * @return this builder
         */
        public Builder xfam(long xfam) {
            s.set("XFAM", xfam);
            return this;
        }

        /**
         * @param maxVcpus the vCPU limit
         * @return this builder
         */
        public Builder maxVcpus(int maxVcpus) {
            s.set("MAX_VCPUS", maxVcpus);
            return this;
        }

        /**
         * @param flags CONFIG_FLAGS
         * @return this builder
         */
        public Builder configFlags(long flags) {
            s.set("CONFIG_FLAGS", flags);
            return this;
        }

        /**
         * @param mrConfigId 48 bytes
         * @return this builder
         */
        public Builder mrConfigId(byte[] mrConfigId) {
            s.set("MRCONFIGID", Objects.requireNonNull(mrConfigId, "mrConfigId"));
            return this;
        }

        /**
         * @param mrOwner 48 bytes
         * @return this builder
         */
        public Builder mrOwner(byte[] mrOwner) {
            s.set("MROWNER", Objects.requireNonNull(mrOwner, "mrOwner"));
            return this;
        }

        /**
         * @param mrOwnerConfig 48 bytes
         * @return this builder
         */
        public Builder mrOwnerConfig(byte[] mrOwnerConfig) {
            s.set("MROWNERCONFIG", Objects.requireNonNull(mrOwnerConfig, "mrOwnerConfig"));
            return this;
        }

        /** @return the parameters */
        public TdParams build() {
            return new TdParams(LAYOUT.parse(s.toBytes()));
        }
    }
}
