package org.example.cca.rmm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * RmiRealmParams, the 4 KiB structure the host passes to RMI_REALM_CREATE (DEN0137 1.0 B3.4.x; TF-RMM
 * {@code struct rmi_realm_params}): flags at 0x0, s2sz 0x8, sve_vl 0x10, num_bps 0x18, num_wps 0x20, pmu_num_ctrs
 * 0x28, hash_algo 0x30, rpv (64 bytes) 0x400, vmid 0x800, rtt_base 0x808, rtt_level_start 0x810, rtt_num_start
 * 0x818. Little-endian.
 *
 * @param flags RmiRealmFlags: bit 0 LPA2, bit 1 SVE, bit 2 PMU
 * @param s2sz the requested IPA width in bits
 * @param sveVl the SVE vector length (in units of 128 bits, minus one)
 * @param numBps breakpoints
 * @param numWps watchpoints
 * @param pmuNumCtrs PMU counters
 * @param hashAlgo the measurement algorithm
 * @param rpv the Realm Personalization Value, 64 bytes
 * @param vmid the VMID the host chose
 * @param rttBase the host's starting-level RTT granule
 */
public record RealmParams(long flags, int s2sz, int sveVl, int numBps, int numWps, int pmuNumCtrs,
        HashAlgorithm hashAlgo, byte[] rpv, int vmid, long rttBase) {

    /** The size of the structure. */
    public static final int SIZE = 0x1000;
    /** The RPV's size. */
    public static final int RPV_SIZE = 64;

    /** @throws IllegalArgumentException naming a field out of range */
    public RealmParams {
        Objects.requireNonNull(hashAlgo, "hashAlgo");
        rpv = rpv == null ? new byte[RPV_SIZE] : rpv.clone();
        if (rpv.length != RPV_SIZE) {
            throw new IllegalArgumentException("rpv must be " + RPV_SIZE + " bytes, got " + rpv.length);
        }
        if (s2sz < 32 || s2sz > 52) {
            throw new IllegalArgumentException("s2sz must be 32..52 bits, got " + s2sz);
        }
        if ((flags & ~0x7L) != 0) {
            throw new IllegalArgumentException(String.format("flags 0x%X has bits other than LPA2, SVE and PMU",
                    flags));
        }
    }

    /** @return a copy of the RPV */
    @Override
    public byte[] rpv() {
        return rpv.clone();
    }

    /** @return the structure as the host writes it */
    public byte[] toBytes() {
        ByteBuffer b = measuredFields();
        b.put(0x400, rpv);
        b.putShort(0x800, (short) vmid);
        b.putLong(0x808, rttBase);
        b.putLong(0x810, 0);
        b.putInt(0x818, 1);
        return b.array();
    }

    /**
     * The structure the RMM measures into the initial RIM: a zeroed RmiRealmParams with flags, s2sz, sve_vl,
     * num_bps, num_wps, pmu_num_ctrs and hash_algo copied (TF-RMM {@code measurement_realm_params_measure}); the RPV,
     * VMID and RTT fields are not measured.
     *
     * @return the 4 KiB the RMM hashes
     */
    public byte[] measuredBytes() {
        return measuredFields().array();
    }

    private ByteBuffer measuredFields() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0x0, flags);
        b.putInt(0x8, s2sz);
        b.putInt(0x10, sveVl);
        b.putInt(0x18, numBps);
        b.putInt(0x20, numWps);
        b.putInt(0x28, pmuNumCtrs);
        b.put(0x30, (byte) hashAlgo.encoding());
        return b;
    }

    /**
     * @param flags RmiRealmFlags
     * @param hashAlgo the measurement algorithm
     * @param rpv the RPV or null for zeros
     * @return the parameters a host (Linux KVM's defaults) passes: IPA width 40, no SVE, 6 breakpoints and 4
     *         watchpoints as the FVP has, no PMU counters
     */
    public static RealmParams defaults(long flags, HashAlgorithm hashAlgo, byte[] rpv) {
        return new RealmParams(flags, 40, 0, 6, 4, 0, hashAlgo, rpv, 0, 0);
    }
}
