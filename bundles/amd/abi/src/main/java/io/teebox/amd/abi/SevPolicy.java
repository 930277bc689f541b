package io.teebox.amd.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * The 32-bit SEV guest policy: flags in bits 5:0, bits 15:6 reserved, minimum firmware API major in 23:16 and
 * minor in 31:24.
 *
 * @param value the policy as the firmware reads it
 */
public record SevPolicy(long value) {

    /** Debugging (DBG_DECRYPT/ENCRYPT) disallowed. */
    public static final int NODBG = 1;
    /** Key sharing disallowed. */
    public static final int NOKS = 1 << 1;
    /** SEV-ES required. */
    public static final int ES = 1 << 2;
    /** SEND_* disallowed. */
    public static final int NOSEND = 1 << 3;
    /** Send only within the domain. */
    public static final int DOMAIN = 1 << 4;
    /** Send only to SEV platforms. */
    public static final int SEV = 1 << 5;
    private static final long RESERVED = 0xFFC0L;

    /**
     * @throws io.teebox.api.tee.TeeException INVALID_PARAM if the value is not 32 bits or has reserved bits set
     */
    public SevPolicy {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw SevStatus.INVALID_PARAM.error(String.format("SEV policy 0x%X does not fit 32 bits", value));
        }
        if ((value & RESERVED) != 0) {
            throw SevStatus.INVALID_PARAM.error(String.format(
                    "SEV policy 0x%08X sets reserved bits 15:6 (0x%X); they must be zero", value, value & RESERVED));
        }
    }

    /** @return whether the flag bit is set */
    public boolean has(int flag) {
        return (value & flag) != 0;
    }

    /** @return the minimum API major version */
    public int apiMajor() {
        return (int) (value >>> 16) & 0xFF;
    }

    /** @return the minimum API minor version */
    public int apiMinor() {
        return (int) (value >>> 24) & 0xFF;
    }

    /** @return the policy as 4 little-endian bytes */
    public byte[] bytes() {
        return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
    }

    @Override
    public String toString() {
        List<String> f = new ArrayList<>();
        String[] names = {"NODBG", "NOKS", "ES", "NOSEND", "DOMAIN", "SEV"};
        for (int i = 0; i < names.length; i++) {
            if (has(1 << i)) {
                f.add(names[i]);
            }
        }
        return String.format("0x%08X %s api>=%d.%d", value, f, apiMajor(), apiMinor());
    }
}
