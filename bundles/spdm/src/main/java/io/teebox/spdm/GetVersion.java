package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * GET_VERSION: the 4-byte header, SPDMVersion always 0x10, Param1 and Param2 reserved.
 *
 * @param version the SPDMVersion byte (0x10)
 */
public record GetVersion(int version) {

    /** @return the request as it is always sent: 10 84 00 00 */
    public static GetVersion of() {
        return new GetVersion(Spdm.VERSION_10);
    }

    /** @return the 4 bytes */
    public byte[] encode() {
        return new Writer().u8(version).u8(Spdm.GET_VERSION).u16(0).toByteArray();
    }

    /**
     * Parses a GET_VERSION.
     *
     * @param b the bytes
     * @return the request
     * @throws MalformedStructureException if it is not 4 bytes or the code or reserved bytes are wrong
     */
    public static GetVersion parse(byte[] b) {
        Reader r = new Reader("GET_VERSION", b);
        int v = r.header(Spdm.GET_VERSION);
        r.reserved("Param1/Param2", 2);
        r.end();
        return new GetVersion(v);
    }
}
