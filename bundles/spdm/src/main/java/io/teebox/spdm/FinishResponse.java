package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * FINISH_RSP (1.1): header (Param1, Param2 reserved), then ResponderVerifyData H only when the handshake is in the
 * clear; inside a secured session (this library's case) it is the 4-byte header alone.
 *
 * @param version the SPDMVersion byte
 * @param verifyData ResponderVerifyData, empty unless the handshake is in the clear
 */
public record FinishResponse(int version, byte[] verifyData) {

    /** Checks the size. */
    public FinishResponse {
        verifyData = verifyData.clone();
        if (verifyData.length != 0 && verifyData.length != Spdm.HASH_SIZE) {
            throw new IllegalArgumentException("FINISH_RSP ResponderVerifyData is " + verifyData.length
                    + " bytes, expected 0 or 48");
        }
    }

    /** @return the bytes */
    public byte[] encode() {
        return new Writer().u8(version).u8(Spdm.FINISH_RSP).u16(0).bytes(verifyData).toByteArray();
    }

    /**
     * Parses a FINISH_RSP.
     *
     * @param b the bytes
     * @param withVerifyData whether ResponderVerifyData is present (HANDSHAKE_IN_THE_CLEAR)
     * @return the response
     * @throws MalformedStructureException if it is truncated or too long
     */
    public static FinishResponse parse(byte[] b, boolean withVerifyData) {
        Reader r = new Reader("FINISH_RSP", b);
        int v = r.header(Spdm.FINISH_RSP);
        r.reserved("Param1/Param2", 2);
        byte[] verify = r.bytes("ResponderVerifyData", withVerifyData ? Spdm.HASH_SIZE : 0);
        r.end();
        return new FinishResponse(v, verify);
    }

    /** @return a copy of verifyData */
    @Override
    public byte[] verifyData() {
        return verifyData.clone();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FinishResponse other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
