package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * CERTIFICATE: header (Param1 bits 3:0 = SlotID, Param2 reserved), PortionLength u16, RemainderLength u16, then
 * PortionLength bytes of the certificate chain.
 *
 * @param version the SPDMVersion byte
 * @param slot the slot
 * @param portion the bytes of the chain in this response
 * @param remainder the number of bytes of the chain after this portion
 */
public record Certificate(int version, int slot, byte[] portion, int remainder) {

    /** Checks the fields fit. */
    public Certificate {
        portion = portion.clone();
        Writer.fit("SlotID", slot, 4);
        Writer.fit("PortionLength", portion.length, 16);
        Writer.fit("RemainderLength", remainder, 16);
    }

    /** @return the bytes */
    public byte[] encode() {
        return new Writer().u8(version).u8(Spdm.CERTIFICATE).u8(slot).u8(0).u16(portion.length).u16(remainder)
                .bytes(portion).toByteArray();
    }

    /**
     * Parses a CERTIFICATE.
     *
     * @param b the bytes
     * @return the response
     * @throws MalformedStructureException if the portion is not PortionLength bytes
     */
    public static Certificate parse(byte[] b) {
        Reader r = new Reader("CERTIFICATE", b);
        int v = r.header(Spdm.CERTIFICATE);
        int p1 = r.u8("Param1");
        if ((p1 & 0xF0) != 0) {
            throw new MalformedStructureException("CERTIFICATE", "Param1", "CERTIFICATE Param1 is 0x"
                    + Integer.toHexString(p1) + ", bits 7:4 are reserved");
        }
        r.reserved("Param2", 1);
        int portionLength = r.u16("PortionLength");
        int remainder = r.u16("RemainderLength");
        byte[] portion = r.bytes("CertChain", portionLength);
        r.end();
        return new Certificate(v, p1, portion, remainder);
    }

    /** @return a copy of portion */
    @Override
    public byte[] portion() {
        return portion.clone();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Certificate other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
