package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * GET_CERTIFICATE: header (Param1 bits 3:0 = SlotID, Param2 reserved), Offset u16, Length u16.
 *
 * @param version the SPDMVersion byte
 * @param slot the slot
 * @param offset the offset into the certificate chain
 * @param length the number of bytes asked for
 */
public record GetCertificate(int version, int slot, int offset, int length) {

    /** Checks the fields fit. */
    public GetCertificate {
        Writer.fit("SlotID", slot, 4);
        Writer.fit("Offset", offset, 16);
        Writer.fit("Length", length, 16);
    }

    /** @return the 8 bytes */
    public byte[] encode() {
        return new Writer().u8(version).u8(Spdm.GET_CERTIFICATE).u8(slot).u8(0).u16(offset).u16(length)
                .toByteArray();
    }

    /**
     * Parses a GET_CERTIFICATE.
     *
     * @param b the bytes
     * @return the request
     * @throws MalformedStructureException if it is not 8 bytes or a reserved bit is set
     */
    public static GetCertificate parse(byte[] b) {
        Reader r = new Reader("GET_CERTIFICATE", b);
        int v = r.header(Spdm.GET_CERTIFICATE);
        int p1 = r.u8("Param1");
        if ((p1 & 0xF0) != 0) {
            throw new MalformedStructureException("GET_CERTIFICATE", "Param1", "GET_CERTIFICATE Param1 is 0x"
                    + Integer.toHexString(p1) + ", bits 7:4 are reserved");
        }
        r.reserved("Param2", 1);
        int off = r.u16("Offset");
        int len = r.u16("Length");
        r.end();
        return new GetCertificate(v, p1, off, len);
    }
}
