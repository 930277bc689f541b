package io.teebox.amd.guest;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.kit.codec.LittleEndian;

/**
 * The GHCB page (Linux {@code struct ghcb}): a shared page through which an SEV-ES guest's #VC handler passes the
 * operands of an intercepted instruction to the host. Only fields whose bit is set in VALID_BITMAP (bit = offset / 8)
 * are meant for the other side.
 */
public final class Ghcb {

    public static final int RAX = 0x1F8;
    public static final int RCX = 0x308;
    public static final int RDX = 0x310;
    public static final int RBX = 0x318;
    public static final int SW_EXIT_CODE = 0x390;
    public static final int SW_EXIT_INFO_1 = 0x398;
    public static final int SW_EXIT_INFO_2 = 0x3A0;
    public static final int SW_SCRATCH = 0x3A8;
    public static final int XCR0 = 0x3E8;
    public static final int VALID_BITMAP = 0x3F0;
    public static final int SHARED_BUFFER = 0x800;
    public static final int PROTOCOL_VERSION = 0xFFA;
    public static final int USAGE = 0xFFC;

    public static final long EXIT_CPUID = 0x72;
    public static final long EXIT_IOIO = 0x7B;
    public static final long EXIT_MSR = 0x7C;
    public static final long EXIT_MMIO_READ = 0x8000_0001L;
    public static final long EXIT_MMIO_WRITE = 0x8000_0002L;

    /** SW_EXITINFO2 error codes when SW_EXITINFO1 = 2 (Linux GHCB_ERR_*). */
    public static final long ERR_MISSING_INPUT = 4;
    public static final long ERR_INVALID_INPUT = 5;
    public static final long ERR_INVALID_EVENT = 6;

    private static final Map<Integer, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put(RAX, "rax");
        NAMES.put(RBX, "rbx");
        NAMES.put(RCX, "rcx");
        NAMES.put(RDX, "rdx");
        NAMES.put(SW_EXIT_CODE, "sw_exit_code");
        NAMES.put(SW_EXIT_INFO_1, "sw_exit_info_1");
        NAMES.put(SW_EXIT_INFO_2, "sw_exit_info_2");
        NAMES.put(SW_SCRATCH, "sw_scratch");
        NAMES.put(XCR0, "xcr0");
    }

    /** The page's bytes. */
    public final byte[] page;

    /** @param page a GHCB page */
    public Ghcb(byte[] page) {
        this.page = page;
    }

    /** @return an empty GHCB of protocol version 2 */
    public static Ghcb fresh() {
        Ghcb g = new Ghcb(new byte[4096]);
        LittleEndian.put16(g.page, PROTOCOL_VERSION, 2);
        return g;
    }

    /** @return whether the field at the offset is marked valid */
    public boolean valid(int offset) {
        int bit = offset / 8;
        return (page[VALID_BITMAP + bit / 8] & (1 << (bit % 8))) != 0;
    }

    /** Sets a field and marks it valid. @return this */
    public Ghcb set(int offset, long value) {
        LittleEndian.put64(page, offset, value);
        int bit = offset / 8;
        page[VALID_BITMAP + bit / 8] |= (byte) (1 << (bit % 8));
        return this;
    }

    /** @return the field at the offset */
    public long get(int offset) {
        return LittleEndian.u64(page, offset);
    }

    /** Clears VALID_BITMAP. */
    public void clearValid() {
        java.util.Arrays.fill(page, VALID_BITMAP, VALID_BITMAP + 16, (byte) 0);
    }

    /** @return the fields the guest marked valid, by name: all the host may read */
    public Map<String, Long> visible() {
        Map<String, Long> out = new LinkedHashMap<>();
        NAMES.forEach((off, name) -> {
            if (valid(off)) {
                out.put(name, get(off));
            }
        });
        return out;
    }
}
