package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * GET_DIGESTS: the 4-byte header, Param1 and Param2 reserved.
 *
 * @param version the SPDMVersion byte
 */
public record GetDigests(int version) {

    /** @return the bytes */
    public byte[] encode() {
        return new Writer().u8(version).u8(Spdm.GET_DIGESTS).u16(0).toByteArray();
    }

    /**
     * Parses a GET_DIGESTS.
     *
     * @param b the bytes
     * @return the request
     * @throws MalformedStructureException if it is not the 4-byte header
     */
    public static GetDigests parse(byte[] b) {
        Reader r = new Reader("GET_DIGESTS", b);
        int v = r.header(Spdm.GET_DIGESTS);
        r.reserved("Param1/Param2", 2);
        r.end();
        return new GetDigests(v);
    }
}
