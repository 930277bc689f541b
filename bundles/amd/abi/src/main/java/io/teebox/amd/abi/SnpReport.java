package io.teebox.amd.abi;

import java.math.BigInteger;
import java.util.Arrays;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;

/**
 * The SEV-SNP ATTESTATION_REPORT (0x4A0 bytes, versions 2 to 5), bit-exact to the SNP ABI: the fields are named
 * offsets, the always-reserved ranges are checked zero by the layout, the version-dependent ones by
 * {@link #parse(byte[])}. The signature is ECDSA P-384 over SHA-384 of bytes 0x000..0x29F, with R and S as 72-byte
 * little-endian integers at 0x2A0 and 0x2E8.
 */
public final class SnpReport {

    /** Report size. */
    public static final int SIZE = 0x4A0;
    /** Bytes covered by the signature. */
    public static final int SIGNED = 0x2A0;
    /** SIGNATURE_ALGO: ECDSA P-384 with SHA-384. */
    public static final int ALGO_ECDSA_P384_SHA384 = 1;

    /** The named-offset layout. */
    public static final Layout LAYOUT = Layout.define("ATTESTATION_REPORT", SIZE)
            .u32("VERSION", 0x000).u32("GUEST_SVN", 0x004).u64("POLICY", 0x008).bytes("FAMILY_ID", 0x010, 16)
            .bytes("IMAGE_ID", 0x020, 16).u32("VMPL", 0x030).u32("SIGNATURE_ALGO", 0x034).u64("CURRENT_TCB", 0x038)
            .u64("PLATFORM_INFO", 0x040).u32("KEY_INFO", 0x048).reserved(0x04C, 4)
            .bytes("REPORT_DATA", 0x050, 64).bytes("MEASUREMENT", 0x090, 48).bytes("HOST_DATA", 0x0C0, 32)
            .bytes("ID_KEY_DIGEST", 0x0E0, 48).bytes("AUTHOR_KEY_DIGEST", 0x110, 48).bytes("REPORT_ID", 0x140, 32)
            .bytes("REPORT_ID_MA", 0x160, 32).u64("REPORTED_TCB", 0x180).u8("CPUID_FAM_ID", 0x188)
            .u8("CPUID_MOD_ID", 0x189).u8("CPUID_STEP", 0x18A).bytes("RSVD_18B", 0x18B, 21)
            .bytes("CHIP_ID", 0x1A0, 64).u64("COMMITTED_TCB", 0x1E0).u8("CURRENT_BUILD", 0x1E8)
            .u8("CURRENT_MINOR", 0x1E9).u8("CURRENT_MAJOR", 0x1EA).reserved(0x1EB, 1).u8("COMMITTED_BUILD", 0x1EC)
            .u8("COMMITTED_MINOR", 0x1ED).u8("COMMITTED_MAJOR", 0x1EE).reserved(0x1EF, 1)
            .u64("LAUNCH_TCB", 0x1F0).u64("LAUNCH_MIT_VECTOR", 0x1F8).u64("CURRENT_MIT_VECTOR", 0x200)
            .reserved(0x208, 0x98).bytes("SIGNATURE_R", 0x2A0, 72).bytes("SIGNATURE_S", 0x2E8, 72)
            .reserved(0x330, 0x170).build();

    private final Struct struct;

    private SnpReport(Struct struct) {
        this.struct = struct;
    }

    /** @return an all-zero report of the given version, to be filled */
    public static SnpReport create(int version) {
        if (version < 2 || version > 5) {
            throw new IllegalArgumentException("report version must be 2..5, got " + version);
        }
        return new SnpReport(LAYOUT.create().set("VERSION", version));
    }

    /**
     * Parses a report and checks every must-be-zero field for its version.
     *
     * @param bytes 0x4A0 bytes
     * @return the report
     * @throws MalformedStructureException naming the field that is wrong
     */
    public static SnpReport parse(byte[] bytes) {
        Struct s = LAYOUT.parse(bytes);
        long v = s.u32("VERSION");
        if (v < 2 || v > 5) {
            throw new MalformedStructureException("ATTESTATION_REPORT", "VERSION",
                    String.format("ATTESTATION_REPORT VERSION is %d, expected 2..5", v));
        }
        mbz(s, "RSVD_18B");
        if (v == 2) {
            mbzBytes(s, 0x188, 3, "CPUID_FAM_ID..CPUID_STEP (version 2)");
        }
        if (v < 5) {
            mbzBytes(s, 0x1F8, 16, "LAUNCH_MIT_VECTOR/CURRENT_MIT_VECTOR (version " + v + ")");
        }
        if ((s.u32("KEY_INFO") >>> 5) != 0) {
            throw new MalformedStructureException("ATTESTATION_REPORT", "KEY_INFO",
                    String.format("ATTESTATION_REPORT KEY_INFO 0x%X sets must-be-zero "
                    + "bits 31:5", s.u32("KEY_INFO")));
        }
        if ((s.u64("PLATFORM_INFO") & ~0xBFL) != 0) {
            throw new MalformedStructureException("ATTESTATION_REPORT", "PLATFORM_INFO",
                    String.format("ATTESTATION_REPORT PLATFORM_INFO 0x%X sets reserved "
                    + "bits (6, 63:8)", s.u64("PLATFORM_INFO")));
        }
        return new SnpReport(s);
    }

    private static void mbz(Struct s, String field) {
        byte[] b = s.bytes(field);
        for (byte x : b) {
            if (x != 0) {
                throw new MalformedStructureException("ATTESTATION_REPORT", field,
                        "ATTESTATION_REPORT " + field + " must be zero");
            }
        }
    }

    private static void mbzBytes(Struct s, int offset, int length, String what) {
        byte[] all = s.toBytes();
        for (int i = offset; i < offset + length; i++) {
            if (all[i] != 0) {
                throw new MalformedStructureException("ATTESTATION_REPORT", what,
                        String.format("ATTESTATION_REPORT %s must be zero, found 0x%02X "
                        + "at 0x%X", what, all[i] & 0xFF, i));
            }
        }
    }

    /** @return the underlying named-offset view, for reading and setting fields */
    public Struct fields() {
        return struct;
    }

    /** @return the version */
    public int version() {
        return (int) struct.u32("VERSION");
    }

    /** @return bytes 0x000..0x29F, which the signature covers */
    public byte[] signedBytes() {
        return Arrays.copyOf(struct.toBytes(), SIGNED);
    }

    /**
     * @param r signature R
     * @param s signature S
     * @return this report with the signature set
     */
    public SnpReport sign(BigInteger r, BigInteger s) {
        struct.set("SIGNATURE_R", SevCertificate.le(r)).set("SIGNATURE_S", SevCertificate.le(s));
        return this;
    }

    /** @return {R, S} of the signature */
    public BigInteger[] signature() {
        return new BigInteger[] {SevCertificate.fromLe(struct.bytes("SIGNATURE_R"), 0, 72),
            SevCertificate.fromLe(struct.bytes("SIGNATURE_S"), 0, 72)};
    }

    /** @return the 0x4A0 bytes */
    public byte[] bytes() {
        return struct.toBytes();
    }
}
