package io.teebox.nvidia.abi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.teebox.kit.codec.MalformedStructureException;

/**
 * The opaque data of the H100's MEASUREMENTS response: NVIDIA's fields {type u16 LE, size u16 LE, value} back to
 * back, in the order the GPU writes them (kept, so that encoding gives back the same bytes), with typed readers of
 * the fields the verifier uses.
 *
 * @param fields the fields, in order
 */
public record OpaqueData(List<OpaqueField> fields) {

    /** The length of an FWID, a SHA-384 digest. */
    public static final int FWID_LENGTH = 48;
    /** The length of VBIOS_VERSION. */
    public static final int VBIOS_VERSION_LENGTH = 8;
    /** NVDEC0_STATUS when the decoder is enabled. */
    public static final int NVDEC0_ENABLED = 0xAA;
    /** NVDEC0_STATUS when the decoder is disabled. */
    public static final int NVDEC0_DISABLED = 0x55;

    /** Copies the list. */
    public OpaqueData {
        fields = List.copyOf(Objects.requireNonNull(fields, "fields"));
    }

    /**
     * Parses opaque data.
     *
     * @param bytes the opaque data
     * @return the fields
     * @throws MalformedStructureException if a field's header or value runs past the end
     */
    public static OpaqueData parse(byte[] bytes) {
        return read(bytes, 0);
    }

    /**
     * @param bytes the opaque data
     * @param base its absolute offset in the report, for messages
     */
    static OpaqueData read(byte[] bytes, int base) {
        Bytes in = new Bytes(OpaqueField.STRUCT, bytes, base);
        List<OpaqueField> out = new ArrayList<>();
        while (in.remaining() > 0) {
            int type = in.u16("field[" + out.size() + "].type");
            int size = in.u16(OpaqueField.name(type) + ".size");
            out.add(new OpaqueField(type, in.take(OpaqueField.name(type) + ".value", size)));
        }
        return new OpaqueData(out);
    }

    /** @return the encoded fields, in order */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (OpaqueField f : fields) {
            Bytes.u16(out, f.type());
            Bytes.u16(out, f.value().length);
            out.writeBytes(f.value());
        }
        return out.toByteArray();
    }

    /** @return the field ids, in order */
    public List<Integer> types() {
        return fields.stream().map(OpaqueField::type).toList();
    }

    /**
     * @param type a field id
     * @return the value of the first field of that id, if there is one
     */
    public Optional<byte[]> get(int type) {
        return fields.stream().filter(f -> f.type() == type).findFirst().map(OpaqueField::value);
    }

    private byte[] required(int type) {
        return get(type).orElseThrow(() -> new MalformedStructureException(OpaqueField.STRUCT,
                OpaqueField.name(type), "the opaque data carries no " + OpaqueField.name(type) + " field"));
    }

    /**
     * @param type the id of a text field (DRIVER_VERSION, PROJECT, PROJECT_SKU, CHIP_SKU, ...)
     * @return its ASCII text up to the first NUL, if the field is present
     */
    public Optional<String> text(int type) {
        return get(type).map(v -> {
            int n = 0;
            while (n < v.length && v[n] != 0) {
                n++;
            }
            for (int i = 0; i < n; i++) {
                if (v[i] < 0x20 || v[i] > 0x7E) {
                    throw new MalformedStructureException(OpaqueField.STRUCT, OpaqueField.name(type),
                            OpaqueField.name(type) + " byte " + i + " is 0x" + Integer.toHexString(v[i] & 0xFF)
                                    + ", expected printable ASCII before the NUL");
                }
            }
            return new String(v, 0, n, StandardCharsets.US_ASCII);
        });
    }

    /** @return DRIVER_VERSION, for example {@code 550.90.07} */
    public String driverVersion() {
        required(OpaqueField.DRIVER_VERSION);
        return text(OpaqueField.DRIVER_VERSION).orElseThrow();
    }

    /** @return the raw 8 bytes of VBIOS_VERSION */
    public byte[] vbiosVersionBytes() {
        byte[] v = required(OpaqueField.VBIOS_VERSION);
        if (v.length != VBIOS_VERSION_LENGTH) {
            throw new MalformedStructureException(OpaqueField.STRUCT, "VBIOS_VERSION", "VBIOS_VERSION is "
                    + v.length + " bytes, expected " + VBIOS_VERSION_LENGTH);
        }
        return v;
    }

    /** @return VBIOS_VERSION as nvtrust's {@code format_vbios_version} renders it, for example {@code 96.00.9f.00.01} */
    public String vbiosVersion() {
        return formatVbiosVersion(vbiosVersionBytes());
    }

    /**
     * Renders VBIOS_VERSION as nvtrust's {@code format_vbios_version} does: the field read as a little-endian number
     * in hex, its low half's bytes from the most significant down, then the lowest byte of its high half, dotted, in
     * lower case. The bytes {@code 00 9f 00 96 01 00 00 00} give {@code 96.00.9f.00.01}; NVML reports the same
     * version in upper case, so compare without regard to case.
     *
     * @param raw the 8 bytes of VBIOS_VERSION
     * @return the dotted version
     */
    public static String formatVbiosVersion(byte[] raw) {
        if (raw.length != VBIOS_VERSION_LENGTH) {
            throw new MalformedStructureException(OpaqueField.STRUCT, "VBIOS_VERSION", "VBIOS_VERSION is "
                    + raw.length + " bytes, expected " + VBIOS_VERSION_LENGTH);
        }
        return String.format("%02x.%02x.%02x.%02x.%02x", raw[3] & 0xFF, raw[2] & 0xFF, raw[1] & 0xFF, raw[0] & 0xFF,
                raw[4] & 0xFF);
    }

    /**
     * The inverse of {@link #formatVbiosVersion}: the 8 bytes of VBIOS_VERSION for a dotted version.
     *
     * @param version for example {@code 96.00.9F.00.01}
     * @return the 8 bytes (the top three zero)
     * @throws IllegalArgumentException if it is not five dotted hex bytes
     */
    public static byte[] vbiosVersionBytes(String version) {
        String[] p = version.trim().split("\\.");
        if (p.length != 5) {
            throw new IllegalArgumentException("VBIOS version '" + version + "' is not five dotted hex bytes");
        }
        byte[] out = new byte[VBIOS_VERSION_LENGTH];
        int[] at = {3, 2, 1, 0, 4};
        for (int i = 0; i < 5; i++) {
            if (!p[i].matches("[0-9A-Fa-f]{2}")) {
                throw new IllegalArgumentException("VBIOS version '" + version + "' part " + (i + 1) + " '" + p[i]
                        + "' is not a hex byte");
            }
            out[at[i]] = (byte) Integer.parseInt(p[i], 16);
        }
        return out;
    }

    /** @return the 48 bytes of FWID, if the field is present */
    public Optional<byte[]> fwid() {
        return get(OpaqueField.FWID).map(v -> {
            if (v.length != FWID_LENGTH) {
                throw new MalformedStructureException(OpaqueField.STRUCT, "FWID", "FWID is " + v.length
                        + " bytes, expected " + FWID_LENGTH);
            }
            return v;
        });
    }

    /** @return whether NVDEC0 is enabled (0xAA) or disabled (0x55), if the field is present */
    public Optional<Boolean> nvdec0Enabled() {
        return get(OpaqueField.NVDEC0_STATUS).map(v -> {
            if (v.length != 1 || (v[0] & 0xFF) != NVDEC0_ENABLED && (v[0] & 0xFF) != NVDEC0_DISABLED) {
                throw new MalformedStructureException(OpaqueField.STRUCT, "NVDEC0_STATUS", "NVDEC0_STATUS is "
                        + io.teebox.kit.hex.Hex.encode(v) + ", expected one byte 0xAA (enabled) or 0x55 (disabled)");
            }
            return (v[0] & 0xFF) == NVDEC0_ENABLED;
        });
    }

    /**
     * @return MSRSCNT as its u32 LE counters (the genuine H100 writes 64), if the field is present
     * @throws MalformedStructureException if its length is not a multiple of 4 (nvtrust refuses that too)
     */
    public Optional<long[]> measurementCounts() {
        return get(OpaqueField.MSRSCNT).map(v -> {
            if (v.length % 4 != 0) {
                throw new MalformedStructureException(OpaqueField.STRUCT, "MSRSCNT", "MSRSCNT is " + v.length
                        + " bytes, not a multiple of the 4-byte counter");
            }
            long[] out = new long[v.length / 4];
            for (int i = 0; i < out.length; i++) {
                out[i] = (v[4 * i] & 0xFFL) | (v[4 * i + 1] & 0xFFL) << 8 | (v[4 * i + 2] & 0xFFL) << 16
                        | (v[4 * i + 3] & 0xFFL) << 24;
            }
            return out;
        });
    }

    /** @return PROJECT, for example {@code 1010} */
    public Optional<String> project() {
        return text(OpaqueField.PROJECT);
    }

    /** @return PROJECT_SKU, for example {@code 0200} */
    public Optional<String> projectSku() {
        return text(OpaqueField.PROJECT_SKU);
    }

    /** @return CHIP_SKU, for example {@code 882} */
    public Optional<String> chipSku() {
        return text(OpaqueField.CHIP_SKU);
    }
}
