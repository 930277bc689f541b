package io.teebox.hypervisor.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.kit.codec.LittleEndian;

/**
 * The GHCB page (Linux {@code struct ghcb}): a shared page through which an SEV-ES guest's #VC handler passes the
 * operands of an intercepted instruction to the host. Only fields whose bit is set in VALID_BITMAP (bit = offset / 8)
 * are meant for the other side.
 */
final class Ghcb {

    static final int RAX = 0x1F8;
    static final int RCX = 0x308;
    static final int RDX = 0x310;
    static final int RBX = 0x318;
    static final int SW_EXIT_CODE = 0x390;
    static final int SW_EXIT_INFO_1 = 0x398;
    static final int SW_EXIT_INFO_2 = 0x3A0;
    static final int SW_SCRATCH = 0x3A8;
    static final int XCR0 = 0x3E8;
    static final int VALID_BITMAP = 0x3F0;
    static final int SHARED_BUFFER = 0x800;
    static final int PROTOCOL_VERSION = 0xFFA;
    static final int USAGE = 0xFFC;

    static final long EXIT_CPUID = 0x72;
    static final long EXIT_IOIO = 0x7B;
    static final long EXIT_MSR = 0x7C;
    static final long EXIT_MMIO_READ = 0x8000_0001L;
    static final long EXIT_MMIO_WRITE = 0x8000_0002L;

    /** SW_EXITINFO2 error codes when SW_EXITINFO1 = 2 (Linux GHCB_ERR_*). */
    static final long ERR_MISSING_INPUT = 4;
    static final long ERR_INVALID_INPUT = 5;
    static final long ERR_INVALID_EVENT = 6;

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

    final byte[] page;

    Ghcb(byte[] page) {
        this.page = page;
    }

    static Ghcb fresh() {
        Ghcb g = new Ghcb(new byte[GuestPages.PAGE_SIZE]);
        LittleEndian.put16(g.page, PROTOCOL_VERSION, 2);
        return g;
    }

    boolean valid(int offset) {
        int bit = offset / 8;
        return (page[VALID_BITMAP + bit / 8] & (1 << (bit % 8))) != 0;
    }

    Ghcb set(int offset, long value) {
        LittleEndian.put64(page, offset, value);
        int bit = offset / 8;
        page[VALID_BITMAP + bit / 8] |= (byte) (1 << (bit % 8));
        return this;
    }

    long get(int offset) {
        return LittleEndian.u64(page, offset);
    }

    void clearValid() {
        java.util.Arrays.fill(page, VALID_BITMAP, VALID_BITMAP + 16, (byte) 0);
    }

    /** @return the fields the guest marked valid, by name: all the host may read */
    Map<String, Long> visible() {
        Map<String, Long> out = new LinkedHashMap<>();
        NAMES.forEach((off, name) -> {
            if (valid(off)) {
                out.put(name, get(off));
            }
        });
        return out;
    }
}
