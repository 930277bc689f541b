package io.teebox.nvidia.abi;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

import io.teebox.kit.hex.Hex;

/**
 * One field of the opaque data NVIDIA's GPU appends to its MEASUREMENTS response: {type u16 LE, size u16 LE, value},
 * with NVIDIA's field ids (nvtrust's {@code OpaqueDataParser}).
 *
 * @param type the field id, for example {@link #DRIVER_VERSION}
 * @param value the field's value
 */
public record OpaqueField(int type, byte[] value) {

    /** CERT_ISSUER_NAME. */
    public static final int CERT_ISSUER_NAME = 1;
    /** CERT_AUTHORITY_KEY_IDENTIFIER. */
    public static final int CERT_AUTHORITY_KEY_IDENTIFIER = 2;
    /** DRIVER_VERSION: ASCII, NUL-terminated. */
    public static final int DRIVER_VERSION = 3;
    /** GPU_INFO. */
    public static final int GPU_INFO = 4;
    /** SKU. */
    public static final int SKU = 5;
    /** VBIOS_VERSION: 8 bytes. */
    public static final int VBIOS_VERSION = 6;
    /** MANUFACTURER_ID. */
    public static final int MANUFACTURER_ID = 7;
    /** TAMPER_DETECTION. */
    public static final int TAMPER_DETECTION = 8;
    /** SMC. */
    public static final int SMC = 9;
    /** VPR. */
    public static final int VPR = 10;
    /** NVDEC0_STATUS: 0xAA enabled, 0x55 disabled. */
    public static final int NVDEC0_STATUS = 11;
    /** MSRSCNT: u32 LE counters. */
    public static final int MSRSCNT = 12;
    /** CPRINFO. */
    public static final int CPRINFO = 13;
    /** BOARD_ID. */
    public static final int BOARD_ID = 14;
    /** CHIP_SKU: ASCII. */
    public static final int CHIP_SKU = 15;
    /** CHIP_SKU_MOD: ASCII. */
    public static final int CHIP_SKU_MOD = 16;
    /** PROJECT: ASCII. */
    public static final int PROJECT = 17;
    /** PROJECT_SKU: ASCII. */
    public static final int PROJECT_SKU = 18;
    /** PROJECT_SKU_MOD: ASCII. */
    public static final int PROJECT_SKU_MOD = 19;
    /** FWID: 48 bytes, equal to the device leaf certificate's FWID. */
    public static final int FWID = 20;
    /** PROTECTED_PCIE_STATUS. */
    public static final int PROTECTED_PCIE_STATUS = 21;
    /** SWITCH_PDI. */
    public static final int SWITCH_PDI = 22;
    /** FLOORSWEPT_PORTS. */
    public static final int FLOORSWEPT_PORTS = 23;
    /** POSITION_ID. */
    public static final int POSITION_ID = 24;
    /** LOCK_SWITCH_STATUS. */
    public static final int LOCK_SWITCH_STATUS = 25;
    /** GPU_LINK_CONN. */
    public static final int GPU_LINK_CONN = 32;
    /** SYS_ENABLE_STATUS. */
    public static final int SYS_ENABLE_STATUS = 33;
    /** OPAQUE_DATA_VERSION. */
    public static final int OPAQUE_DATA_VERSION = 34;
    /** CHIP_INFO. */
    public static final int CHIP_INFO = 35;
    /** FEATURE_FLAG: 0 SPT, 1 MPT, 2 PPCIE. */
    public static final int FEATURE_FLAG = 36;

    private static final Map<Integer, String> NAMES = Map.ofEntries(Map.entry(1, "CERT_ISSUER_NAME"),
            Map.entry(2, "CERT_AUTHORITY_KEY_IDENTIFIER"), Map.entry(3, "DRIVER_VERSION"), Map.entry(4, "GPU_INFO"),
            Map.entry(5, "SKU"), Map.entry(6, "VBIOS_VERSION"), Map.entry(7, "MANUFACTURER_ID"),
            Map.entry(8, "TAMPER_DETECTION"), Map.entry(9, "SMC"), Map.entry(10, "VPR"),
            Map.entry(11, "NVDEC0_STATUS"), Map.entry(12, "MSRSCNT"), Map.entry(13, "CPRINFO"),
            Map.entry(14, "BOARD_ID"), Map.entry(15, "CHIP_SKU"), Map.entry(16, "CHIP_SKU_MOD"),
            Map.entry(17, "PROJECT"), Map.entry(18, "PROJECT_SKU"), Map.entry(19, "PROJECT_SKU_MOD"),
            Map.entry(20, "FWID"), Map.entry(21, "PROTECTED_PCIE_STATUS"), Map.entry(22, "SWITCH_PDI"),
            Map.entry(23, "FLOORSWEPT_PORTS"), Map.entry(24, "POSITION_ID"), Map.entry(25, "LOCK_SWITCH_STATUS"),
            Map.entry(32, "GPU_LINK_CONN"), Map.entry(33, "SYS_ENABLE_STATUS"), Map.entry(34, "OPAQUE_DATA_VERSION"),
            Map.entry(35, "CHIP_INFO"), Map.entry(36, "FEATURE_FLAG"));
    static final String STRUCT = "OpaqueData";

    /** Checks the fields and copies the value. */
    public OpaqueField {
        Objects.requireNonNull(value, "value");
        Bytes.check(STRUCT, "type", type, 0xFFFF);
        Bytes.check(STRUCT, "size", value.length, 0xFFFF);
        value = value.clone();
    }

    /**
     * @param type a field id
     * @return NVIDIA's name for it (without the {@code OPAQUE_FIELD_ID_} prefix), or {@code UNKNOWN_<id>}
     */
    public static String name(int type) {
        return NAMES.getOrDefault(type, "UNKNOWN_" + type);
    }

    /** @return NVIDIA's name of the field */
    public String name() {
        return name(type);
    }

    /** @return a copy of the value */
    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpaqueField f && f.type == type && Arrays.equals(f.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return name() + "=" + Hex.encode(value);
    }
}
