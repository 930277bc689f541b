package io.teebox.nvidia.h100.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.teebox.kit.crypto.Digests;
import io.teebox.nvidia.abi.OpaqueData;
import io.teebox.nvidia.abi.OpaqueField;
import io.teebox.nvidia.rim.GoldenMeasurement;
import io.teebox.nvidia.rim.RimContent;

/**
 * The firmware an H100 runs and what it measures: 64 SHA-384 measurement blocks (indices 1..64; NVIDIA's RIMs
 * number the same entries 0..63), each the digest of one modelled firmware component or configuration, and the
 * opaque data of its MEASUREMENTS response in NVIDIA's order. The FSP and the VBIOS measure RIM indices 0..6 and
 * 8..12 (the VBIOS RIM's active entries, as in NVIDIA's test VBIOS RIM); the GSP measures 7 and 21..40 (the driver
 * RIM's, as in NVIDIA's test driver RIM); the other indices are not populated and read as zero, as in the genuine
 * sample. RIM index 12 is the CC configuration (mode, debugging, performance counters), so its value in
 * {@code devtools} and {@code off} differs from the {@code on} value the VBIOS RIM holds. RIM index 4 is the GSP FMC,
 * whose digest is the FWID the "GH100 A01 GSP FMC LF" certificate carries.
 *
 * @param driverVersion the driver (GSP-RM firmware) version, for example {@code 550.90.07}
 * @param vbiosVersion the VBIOS version, for example {@code 96.00.9F.00.01}
 * @param project the board project, for example {@code 1010}
 * @param projectSku the board project SKU, for example {@code 0200}
 * @param chipSku the chip SKU, for example {@code 882}
 */
record GpuFirmware(String driverVersion, String vbiosVersion, String project, String projectSku, String chipSku) {

    /** The measurement blocks an H100 reports. */
    static final int BLOCKS = 64;
    /** DMTFSpecMeasurementValueType of the blocks: a digest of mutable firmware, as in the genuine sample. */
    static final int VALUE_TYPE = 0x01;
    /** The RIM index (0-based) of the CC configuration. */
    static final int CC_CONFIGURATION = 12;
    /** The RIM index (0-based) of the GSP FMC, whose digest is the FWID. */
    static final int GSP_FMC = 4;
    /** The RIM index NVIDIA's verifier skips when NVDEC0 is disabled. */
    static final int NVDEC0 = 35;
    /** BOARD_ID of the genuine sample. */
    static final int BOARD_ID = 0x3B1;

    /** Who measures a component, and so which RIM holds it. */
    enum Owner {
        /** The FSP and VBIOS: the VBIOS RIM. */
        VBIOS,
        /** The GSP's RM firmware, shipped with the driver: the driver RIM. */
        DRIVER,
        /** Not populated: zero, inactive in both RIMs. */
        NONE
    }

    /**
     * One modelled component.
     *
     * @param rimIndex the RIM's index (block index − 1)
     * @param name the component
     * @param owner which RIM holds it
     */
    record Component(int rimIndex, String name, Owner owner) {
    }

    private static final String[] VBIOS_PARTS = {"FSP ROM patch", "FSP firmware", "FSP manifest", "FRTS",
        "GSP FMC", "SEC2 boot ucode", "VBIOS IFR", null, "VBIOS image", "VBIOS ucode", "VBIOS devinit scripts",
        "PCI expansion ROM", "CC configuration (mode, debugging, performance counters)"};
    private static final String[] DRIVER_PARTS = {"GSP-RM boot arguments", "GSP-RM image", "GSP-RM signature",
        "GSP bootloader", "SEC2 RTOS", "SEC2 signature", "PMU firmware", "LCE configuration", "copy engine ucode",
        "FECS firmware", "GPCCS firmware", "GSP-RM text", "GSP-RM data", "GSP-RM libos", "NVDEC0 firmware",
        "NVJPG firmware", "OFA firmware", "MMU firewall configuration", "PRI firewall configuration",
        "SPDM responder"};

    /** The 64 components, by RIM index. */
    static final List<Component> COMPONENTS = components();

    GpuFirmware {
        Objects.requireNonNull(driverVersion, "driverVersion");
        Objects.requireNonNull(vbiosVersion, "vbiosVersion");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(projectSku, "projectSku");
        Objects.requireNonNull(chipSku, "chipSku");
        if (!driverVersion.matches("[0-9]{1,4}(\\.[0-9]{1,4}){1,3}")) {
            throw new IllegalArgumentException("driverVersion '" + driverVersion + "' is not dotted decimal, "
                    + "for example 550.90.07");
        }
        OpaqueData.vbiosVersionBytes(vbiosVersion);
        check("project", project, 4);
        check("projectSku", projectSku, 4);
        check("chipSku", chipSku, 8);
    }

    private static void check(String field, String v, int max) {
        if (!v.matches("[A-Z0-9]{1," + max + "}")) {
            throw new IllegalArgumentException(field + " '" + v + "' must be 1.." + max + " characters A-Z0-9");
        }
    }

    private static List<Component> components() {
        List<Component> out = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            if (i < VBIOS_PARTS.length && VBIOS_PARTS[i] != null) {
                out.add(new Component(i, VBIOS_PARTS[i], Owner.VBIOS));
            } else if (i == 7) {
                out.add(new Component(i, "GSP-RM boot manifest", Owner.DRIVER));
            } else if (i >= 21 && i <= 40) {
                out.add(new Component(i, DRIVER_PARTS[i - 21], Owner.DRIVER));
            } else {
                out.add(new Component(i, "Measurement_" + i, Owner.NONE));
            }
        }
        return List.copyOf(out);
    }

    /** @return the VBIOS version as the report's opaque VBIOS_VERSION holds it */
    byte[] vbiosBytes() {
        return OpaqueData.vbiosVersionBytes(vbiosVersion);
    }

    /**
     * @param rimIndex a RIM index 0..63
     * @param mode the GPU's CC mode
     * @return the 48-byte measurement of that component in that mode (zero for one not populated)
     */
    byte[] measurement(int rimIndex, CcMode mode) {
        Component c = COMPONENTS.get(rimIndex);
        return switch (c.owner()) {
            case NONE -> new byte[48];
            case VBIOS -> rimIndex == CC_CONFIGURATION
                    ? Digests.sha384(text("teebox H100 " + c.name()), text(vbiosVersion), new byte[] {
                        (byte) mode.code(), (byte) (mode.debug() ? 1 : 0), (byte) (mode.perfCounters() ? 1 : 0)})
                    : Digests.sha384(text("teebox H100 " + c.name()), text(vbiosVersion));
            case DRIVER -> Digests.sha384(text("teebox H100 " + c.name()), text(driverVersion));
        };
    }

    /** @return the FWID: the GSP FMC's digest, which the device leaf certificate carries */
    byte[] fwid() {
        return measurement(GSP_FMC, CcMode.ON);
    }

    /**
     * @param mode the GPU's CC mode
     * @return the 64 blocks, indices 1..64
     */
    List<io.teebox.spdm.MeasurementBlock> blocks(CcMode mode) {
        List<io.teebox.spdm.MeasurementBlock> out = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            out.add(new io.teebox.spdm.MeasurementBlock(i + 1, VALUE_TYPE, measurement(i, mode)));
        }
        return out;
    }

    /**
     * The opaque data of the MEASUREMENTS response, in the order of the genuine sample: VBIOS_VERSION, BOARD_ID,
     * CHIP_SKU, CHIP_SKU_MOD, PROJECT, PROJECT_SKU, PROJECT_SKU_MOD, DRIVER_VERSION, GPU_INFO, MSRSCNT, CPRINFO,
     * NVDEC0_STATUS, FWID, PROTECTED_PCIE_STATUS; text fields NUL-padded to the sample's sizes.
     *
     * @param mode the GPU's CC mode
     * @return the opaque data
     */
    OpaqueData opaqueData(CcMode mode) {
        List<OpaqueField> f = new ArrayList<>();
        f.add(new OpaqueField(OpaqueField.VBIOS_VERSION, vbiosBytes()));
        f.add(new OpaqueField(OpaqueField.BOARD_ID, u32(BOARD_ID)));
        f.add(new OpaqueField(OpaqueField.CHIP_SKU, padded(chipSku, 9)));
        f.add(new OpaqueField(OpaqueField.CHIP_SKU_MOD, padded("0", 5)));
        f.add(new OpaqueField(OpaqueField.PROJECT, padded(project, 5)));
        f.add(new OpaqueField(OpaqueField.PROJECT_SKU, padded(projectSku, 5)));
        f.add(new OpaqueField(OpaqueField.PROJECT_SKU_MOD, new byte[2]));
        f.add(new OpaqueField(OpaqueField.DRIVER_VERSION, padded(driverVersion, driverVersion.length() + 1)));
        f.add(new OpaqueField(OpaqueField.GPU_INFO, new byte[] {(byte) 0x80, 0x01, 0, 0, 0, 0, 0, 0}));
        ByteArrayOutputStream counts = new ByteArrayOutputStream();
        for (Component c : COMPONENTS) {
            counts.writeBytes(u32(c.owner() == Owner.NONE ? 0 : 1));
        }
        f.add(new OpaqueField(OpaqueField.MSRSCNT, counts.toByteArray()));
        // CPRINFO as in the genuine sample; the GPU reports it only in a CC mode
        f.add(new OpaqueField(OpaqueField.CPRINFO, mode.confidential() ? new byte[] {0, (byte) 0xC0, 0x01, 0}
                : new byte[4]));
        f.add(new OpaqueField(OpaqueField.NVDEC0_STATUS, new byte[] {(byte) OpaqueData.NVDEC0_DISABLED}));
        f.add(new OpaqueField(OpaqueField.FWID, fwid()));
        f.add(new OpaqueField(OpaqueField.PROTECTED_PCIE_STATUS, new byte[] {0x55}));
        return new OpaqueData(f);
    }

    /** @return the driver RIM's id, {@code NV_GPU_DRIVER_GH100_{driver}} */
    String driverRimId() {
        return "NV_GPU_DRIVER_GH100_" + driverVersion;
    }

    /** @return the VBIOS RIM's id, {@code NV_GPU_VBIOS_{PROJECT}_{PROJECT_SKU}_{CHIP_SKU}_{vbios without dots}} */
    String vbiosRimId() {
        return "NV_GPU_VBIOS_" + project + "_" + projectSku + "_" + chipSku + "_"
                + vbiosVersion.replace(".", "").toUpperCase(Locale.ROOT);
    }

    /** @return the driver's RIM: its active entries are the GSP's, golden values those of mode {@code on} */
    RimContent driverRim() {
        return rim(driverRimId(), RimContent.Kind.DRIVER, driverVersion, Owner.DRIVER);
    }

    /** @return the VBIOS's RIM: its active entries are the FSP's and the VBIOS's, golden values of mode on */
    RimContent vbiosRim() {
        return rim(vbiosRimId(), RimContent.Kind.VBIOS, vbiosVersion.toUpperCase(Locale.ROOT), Owner.VBIOS);
    }

    private RimContent rim(String id, RimContent.Kind kind, String version, Owner owner) {
        List<GoldenMeasurement> m = new ArrayList<>();
        for (Component c : COMPONENTS) {
            m.add(new GoldenMeasurement(c.rimIndex(), c.name(), c.owner() == owner, List.of(measurement(
                    c.rimIndex(), CcMode.ON))));
        }
        return new RimContent(id, kind, version, m);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] padded(String s, int size) {
        return Arrays.copyOf(text(s), Math.max(size, s.length() + 1));
    }

    private static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
