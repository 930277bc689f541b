package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import java.util.Arrays;
import java.util.Objects;

/**
 * TDREPORT_STRUCT (1024 bytes), what TDG.MR.REPORT returns (DCAP {@code sgx_report2.h}): REPORTMACSTRUCT
 * (0x000..0x0FF) whose MAC the CPU computes with a platform key, TEE_TCB_INFO (0x100..0x1EE), 17 reserved bytes and
 * TDINFO (0x200..0x3FF). The MAC covers REPORTMACSTRUCT up to the MAC; the two hashes in it bind TEE_TCB_INFO and
 * TDINFO. Parsing checks the sizes, the report type (0x81, subtype 0) and every reserved range.
 */
public final class TdReport {

    /** The structure's size. */
    public static final int SIZE = 1024;
    /** REPORTTYPE.TYPE of a TDX report (TEE report type 2). */
    public static final int TYPE_TDX = 0x81;
    /** How many bytes of REPORTMACSTRUCT the MAC covers: everything before it. */
    public static final int MACED_LENGTH = 0xE0;

    /** REPORTMACSTRUCT (256 bytes). */
    public static final Layout REPORTMACSTRUCT = Layout.define("REPORTMACSTRUCT", 256)
            .u8("REPORTTYPE.TYPE", 0x00)
            .u8("REPORTTYPE.SUBTYPE", 0x01)
            .u8("REPORTTYPE.VERSION", 0x02)
            .reserved(0x03, 1)
            .reserved(0x04, 12)
            .bytes("CPUSVN", 0x10, 16)
            .bytes("TEE_TCB_INFO_HASH", 0x20, 48)
            .bytes("TEE_INFO_HASH", 0x50, 48)
            .bytes("REPORTDATA", 0x80, 64)
            .reserved(0xC0, 32)
            .bytes("MAC", 0xE0, 32)
            .build();

    /** TEE_TCB_INFO (239 bytes), in its TDX 1.5 form (TEE_TCB_SVN2 at 0x80). */
    public static final Layout TEE_TCB_INFO = Layout.define("TEE_TCB_INFO", 239)
            .u64("VALID", 0x00)
            .bytes("TEE_TCB_SVN", 0x08, 16)
            .bytes("MRSEAM", 0x18, 48)
            .bytes("MRSIGNERSEAM", 0x48, 48)
            .u64("ATTRIBUTES", 0x78)
            .bytes("TEE_TCB_SVN2", 0x80, 16)
            .reserved(0x90, 95)
            .build();

    /** TDINFO (512 bytes), in its TDX 1.5 form (SERVTD_HASH at 0x190). */
    public static final Layout TDINFO = Layout.define("TDINFO", 512)
            .u64("ATTRIBUTES", 0x000)
            .u64("XFAM", 0x008)
            .bytes("MRTD", 0x010, 48)
            .bytes("MRCONFIGID", 0x040, 48)
            .bytes("MROWNER", 0x070, 48)
            .bytes("MROWNERCONFIG", 0x0A0, 48)
            .bytes("RTMR0", 0x0D0, 48)
            .bytes("RTMR1", 0x100, 48)
            .bytes("RTMR2", 0x130, 48)
            .bytes("RTMR3", 0x160, 48)
            .bytes("SERVTD_HASH", 0x190, 48)
            .reserved(0x1C0, 64)
            .build();

    /** TDREPORT_STRUCT: the three parts and the reserved gap. */
    public static final Layout LAYOUT = Layout.define("TDREPORT_STRUCT", SIZE)
            .bytes("REPORTMACSTRUCT", 0x000, 256)
            .bytes("TEE_TCB_INFO", 0x100, 239)
            .reserved(0x1EF, 17)
            .bytes("TDINFO", 0x200, 512)
            .build();

    private final Struct macStruct;
    private final Struct teeTcbInfo;
    private final Struct tdInfo;

    private TdReport(Struct macStruct, Struct teeTcbInfo, Struct tdInfo) {
        this.macStruct = macStruct;
        this.teeTcbInfo = teeTcbInfo;
        this.tdInfo = tdInfo;
    }

    /**
     * Parses a TDREPORT_STRUCT.
     *
     * @param bytes exactly 1024 bytes
     * @return the report
     * @throws MalformedStructureException naming the size, the non-zero reserved byte or the wrong report type
     */
    public static TdReport parse(byte[] bytes) {
        Struct outer = LAYOUT.parse(bytes);
        Struct mac = REPORTMACSTRUCT.parse(outer.bytes("REPORTMACSTRUCT"));
        if (mac.u8("REPORTTYPE.TYPE") != TYPE_TDX || mac.u8("REPORTTYPE.SUBTYPE") != 0) {
            throw new MalformedStructureException("REPORTMACSTRUCT", "REPORTTYPE", String.format(
                    "REPORTMACSTRUCT.REPORTTYPE is type 0x%02X subtype %d, expected type 0x81 (TDX) subtype 0",
                    mac.u8("REPORTTYPE.TYPE"), mac.u8("REPORTTYPE.SUBTYPE")));
        }
        return new TdReport(mac, TEE_TCB_INFO.parse(outer.bytes("TEE_TCB_INFO")), TDINFO.parse(outer.bytes("TDINFO")));
    }

    /**
     * Assembles a report from its parts. The hashes in {@code macStruct} are not recomputed here.
     *
     * @param macStruct a REPORTMACSTRUCT
     * @param teeTcbInfo a TEE_TCB_INFO
     * @param tdInfo a TDINFO
     * @return the report
     */
    public static TdReport of(Struct macStruct, Struct teeTcbInfo, Struct tdInfo) {
        requireLayout(macStruct, REPORTMACSTRUCT);
        requireLayout(teeTcbInfo, TEE_TCB_INFO);
        requireLayout(tdInfo, TDINFO);
        return new TdReport(REPORTMACSTRUCT.parse(macStruct.toBytes()), TEE_TCB_INFO.parse(teeTcbInfo.toBytes()),
                TDINFO.parse(tdInfo.toBytes()));
    }

    private static void requireLayout(Struct s, Layout l) {
        if (Objects.requireNonNull(s, "struct").layout() != l) {
            throw new IllegalArgumentException("expected a " + l.name() + ", got a " + s.layout().name());
        }
    }

    /** @return the 1024 bytes */
    public byte[] toBytes() {
        Struct outer = LAYOUT.create();
        outer.set("REPORTMACSTRUCT", macStruct.toBytes());
        outer.set("TEE_TCB_INFO", teeTcbInfo.toBytes());
        outer.set("TDINFO", tdInfo.toBytes());
        return outer.toBytes();
    }

    /** @return a copy of REPORTMACSTRUCT */
    public Struct macStruct() {
        return REPORTMACSTRUCT.parse(macStruct.toBytes());
    }

    /** @return a copy of TEE_TCB_INFO */
    public Struct teeTcbInfo() {
        return TEE_TCB_INFO.parse(teeTcbInfo.toBytes());
    }

    /** @return a copy of TDINFO */
    public Struct tdInfo() {
        return TDINFO.parse(tdInfo.toBytes());
    }

    /** @return the bytes the MAC covers: REPORTMACSTRUCT[0x00..0xDF] */
    public byte[] macedBytes() {
        return Arrays.copyOf(macStruct.toBytes(), MACED_LENGTH);
    }

    /** @return the MAC (32 bytes) */
    public byte[] mac() {
        return macStruct.bytes("MAC");
    }

    /** @return REPORTDATA (64 bytes) */
    public byte[] reportData() {
        return macStruct.bytes("REPORTDATA");
    }

    /** @return CPUSVN (16 bytes) */
    public byte[] cpuSvn() {
        return macStruct.bytes("CPUSVN");
    }

    /**
     * @return whether TEE_TCB_INFO_HASH is SHA-384(TEE_TCB_INFO) and TEE_INFO_HASH is SHA-384(TDINFO)
     */
    public boolean hashesMatch() {
        return Arrays.equals(macStruct.bytes("TEE_TCB_INFO_HASH"), Digests.sha384(teeTcbInfo.toBytes()))
                && Arrays.equals(macStruct.bytes("TEE_INFO_HASH"), Digests.sha384(tdInfo.toBytes()));
    }

    /** @return TEE_TCB_SVN (16 bytes) */
    public byte[] teeTcbSvn() {
        return teeTcbInfo.bytes("TEE_TCB_SVN");
    }

    /** @return MRSEAM (48 bytes) */
    public byte[] mrSeam() {
        return teeTcbInfo.bytes("MRSEAM");
    }

    /** @return MRSIGNERSEAM (48 bytes) */
    public byte[] mrSignerSeam() {
        return teeTcbInfo.bytes("MRSIGNERSEAM");
    }

    /** @return the SEAM module's ATTRIBUTES */
    public long seamAttributes() {
        return teeTcbInfo.u64("ATTRIBUTES");
    }

    /** @return TD ATTRIBUTES */
    public long attributes() {
        return tdInfo.u64("ATTRIBUTES");
    }

    /** @return XFAM */
    public long xfam() {
        return tdInfo.u64("XFAM");
    }

    /** @return MRTD (48 bytes) */
    public byte[] mrtd() {
        return tdInfo.bytes("MRTD");
    }

    /** @return MRCONFIGID (48 bytes) */
    public byte[] mrConfigId() {
        return tdInfo.bytes("MRCONFIGID");
    }

    /** @return MROWNER (48 bytes) */
    public byte[] mrOwner() {
        return tdInfo.bytes("MROWNER");
    }

    /** @return MROWNERCONFIG (48 bytes) */
    public byte[] mrOwnerConfig() {
        return tdInfo.bytes("MROWNERCONFIG");
    }

    /**
     * @param index 0..3
     * @return RTMR[index] (48 bytes)
     */
    public byte[] rtmr(int index) {
        if (index < 0 || index > 3) {
            throw new IllegalArgumentException("RTMR index must be 0..3, got " + index);
        }
        return tdInfo.bytes("RTMR" + index);
    }

    /** @return SERVTD_HASH (48 bytes) */
    public byte[] servTdHash() {
        return tdInfo.bytes("SERVTD_HASH");
    }

    /** @return the three parts listed field by field */
    public String describe() {
        return "REPORTMACSTRUCT\n" + macStruct.describe() + "TEE_TCB_INFO\n" + teeTcbInfo.describe() + "TDINFO\n"
                + tdInfo.describe();
    }
}
