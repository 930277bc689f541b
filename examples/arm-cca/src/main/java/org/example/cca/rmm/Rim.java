package org.example.cca.rmm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The Realm Initial Measurement as the RMM computes it (DEN0137 1.0 C1.x "Realm measurements"; TF-RMM
 * {@code lib/measurement} and {@code measurement_descs.h}). It starts as the hash of the measured realm parameters
 * and is extended, for each measured host command in order, by hashing a 0x100-byte measurement descriptor that
 * carries the current RIM:
 *
 * <pre>
 * RmmMeasurementDescriptorData  (RMI_DATA_CREATE)      RmmMeasurementDescriptorRec (RMI_REC_CREATE)
 *   0x00 desc_type = 0 (u8)                               0x00 desc_type = 1
 *   0x08 len = 0x100 (u64)                                0x08 len = 0x100
 *   0x10 rim[64]                                          0x10 rim[64]
 *   0x50 ipa (u64)                                        0x50 content[64] = H(measured RmiRecParams)
 *   0x58 flags (u64): RMI_MEASURE_CONTENT = 1
 *   0x60 content[64] = H(granule) or zero
 * RmmMeasurementDescriptorRipas (RMI_RTT_INIT_RIPAS)
 *   0x00 desc_type = 2, 0x08 len = 0x100, 0x10 rim[64], 0x50 base (u64), 0x58 top (u64)
 * </pre>
 *
 * A digest shorter than 64 bytes (SHA-256) fills the start of its field, the rest is zero; the RIM is the digest.
 */
public final class Rim {

    /** The size of a measurement descriptor. */
    public static final int DESCRIPTOR_SIZE = 0x100;
    /** RMI_MEASURE_CONTENT: DATA_CREATE measures the granule's content. */
    public static final long MEASURE_CONTENT = 1;
    /** RMI_NO_MEASURE_CONTENT: DATA_CREATE measures the address and flags only. */
    public static final long NO_MEASURE_CONTENT = 0;
    static final int DESC_DATA = 0;
    static final int DESC_REC = 1;
    static final int DESC_RIPAS = 2;

    private final HashAlgorithm algorithm;
    private byte[] value;

    private Rim(HashAlgorithm algorithm, byte[] value) {
        this.algorithm = algorithm;
        this.value = value;
    }

    /**
     * RMI_REALM_CREATE: the initial RIM, the hash of the measured RmiRealmParams.
     *
     * @param params the realm's parameters
     * @return the RIM
     */
    public static Rim start(RealmParams params) {
        return new Rim(params.hashAlgo(), params.hashAlgo().hash(params.measuredBytes()));
    }

    /**
     * @param algorithm the algorithm
     * @param value a RIM value to continue from
     * @return the RIM
     */
    public static Rim resume(HashAlgorithm algorithm, byte[] value) {
        if (value.length != algorithm.size()) {
            throw new IllegalArgumentException("a " + algorithm + " RIM is " + algorithm.size() + " bytes, got "
                    + value.length);
        }
        return new Rim(algorithm, value.clone());
    }

    /** @return the algorithm */
    public HashAlgorithm algorithm() {
        return algorithm;
    }

    /** @return the current value */
    public byte[] value() {
        return value.clone();
    }

    /**
     * RMI_DATA_CREATE of one granule.
     *
     * @param ipa the IPA the granule is mapped at
     * @param flags {@link #MEASURE_CONTENT} or {@link #NO_MEASURE_CONTENT}
     * @param granule the 4 KiB content
     * @return this RIM, extended
     */
    public Rim data(long ipa, long flags, byte[] granule) {
        return extend(dataDescriptor(ipa, flags, granule));
    }

    /**
     * RMI_REC_CREATE.
     *
     * @param params the REC's parameters
     * @return this RIM, extended
     */
    public Rim rec(RecParams params) {
        return extend(recDescriptor(params));
    }

    /**
     * RMI_RTT_INIT_RIPAS of an IPA range.
     *
     * @param base the range's base
     * @param top the range's top (exclusive)
     * @return this RIM, extended
     */
    public Rim ripas(long base, long top) {
        return extend(ripasDescriptor(base, top));
    }

    private Rim extend(byte[] descriptor) {
        value = algorithm.hash(descriptor);
        return this;
    }

    /** @return the data descriptor for the current RIM */
    byte[] dataDescriptor(long ipa, long flags, byte[] granule) {
        if (granule.length != 4096) {
            throw new IllegalArgumentException("a granule is 4096 bytes, got " + granule.length);
        }
        ByteBuffer b = header(DESC_DATA);
        b.putLong(0x50, ipa);
        b.putLong(0x58, flags);
        if ((flags & MEASURE_CONTENT) != 0) {
            b.put(0x60, algorithm.hash(granule));
        }
        return b.array();
    }

    byte[] recDescriptor(RecParams params) {
        ByteBuffer b = header(DESC_REC);
        b.put(0x50, algorithm.hash(params.measuredBytes()));
        return b.array();
    }

    byte[] ripasDescriptor(long base, long top) {
        ByteBuffer b = header(DESC_RIPAS);
        b.putLong(0x50, base);
        b.putLong(0x58, top);
        return b.array();
    }

    private ByteBuffer header(int type) {
        ByteBuffer b = ByteBuffer.allocate(DESCRIPTOR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x0, (byte) type);
        b.putLong(0x8, DESCRIPTOR_SIZE);
        b.put(0x10, value);
        return b;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(algorithm + " ");
        for (byte x : value) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rim r && r.algorithm == algorithm && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }
}
