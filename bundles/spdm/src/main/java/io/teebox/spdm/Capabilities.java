package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * GET_CAPABILITIES (request) or CAPABILITIES (response), the same 12-byte layout in 1.1: header, Reserved u8,
 * CTExponent u8, Reserved u16, Flags u32. A 1.0 GET_CAPABILITIES is the header alone.
 *
 * @param request true for GET_CAPABILITIES, false for CAPABILITIES
 * @param version the SPDMVersion byte
 * @param ctExponent the CTExponent
 * @param flags the capability flags ({@link Spdm#CAP_CERT} ...)
 */
public record Capabilities(boolean request, int version, int ctExponent, int flags) {

    /** Checks the fields fit. */
    public Capabilities {
        Writer.fit("SPDMVersion", version, 8);
        Writer.fit("CTExponent", ctExponent, 8);
    }

    private int code() {
        return request ? Spdm.GET_CAPABILITIES : Spdm.CAPABILITIES;
    }

    /** @return the bytes */
    public byte[] encode() {
        Writer w = new Writer().u8(version).u8(code()).u16(0);
        if (request && version == Spdm.VERSION_10) {
            return w.toByteArray();
        }
        return w.u8(0).u8(ctExponent).u16(0).u32(flags).toByteArray();
    }

    /**
     * Parses a GET_CAPABILITIES or CAPABILITIES.
     *
     * @param request true to parse GET_CAPABILITIES
     * @param b the bytes
     * @return the message
     * @throws MalformedStructureException if it is truncated, too long or a reserved byte is set
     */
    public static Capabilities parse(boolean request, byte[] b) {
        String name = request ? "GET_CAPABILITIES" : "CAPABILITIES";
        Reader r = new Reader(name, b);
        int v = r.header(request ? Spdm.GET_CAPABILITIES : Spdm.CAPABILITIES);
        r.reserved("Param1/Param2", 2);
        if (request && v == Spdm.VERSION_10) {
            r.end();
            return new Capabilities(true, v, 0, 0);
        }
        r.reserved("Reserved", 1);
        int ct = r.u8("CTExponent");
        r.reserved("Reserved", 2);
        int flags = r.u32("Flags");
        r.end();
        return new Capabilities(request, v, ct, flags);
    }
}
