package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * GET_MEASUREMENTS (1.1): header (Param1 bit 0 = signature requested, Param2 = operation: 0 count, 1..0xFE one index,
 * 0xFF all), then, only when a signature is requested, Nonce 32 and SlotIDParam u8 (37 bytes in all).
 *
 * @param version the SPDMVersion byte
 * @param attributes Param1
 * @param operation Param2
 * @param nonce the requester's nonce (32 bytes) when a signature is requested, else empty
 * @param slotIdParam SlotIDParam when a signature is requested, else 0
 */
public record GetMeasurements(int version, int attributes, int operation, byte[] nonce, int slotIdParam) {

    /** Checks the sizes. */
    public GetMeasurements {
        nonce = nonce.clone();
        Writer.fit("Param1", attributes, 8);
        Writer.fit("Param2", operation, 8);
        Writer.fit("SlotIDParam", slotIdParam, 8);
        boolean signed = (attributes & Spdm.MEAS_ATTR_SIGNATURE) != 0;
        if (nonce.length != (signed ? Spdm.NONCE_SIZE : 0) || (!signed && slotIdParam != 0)) {
            throw new IllegalArgumentException("GET_MEASUREMENTS Nonce is " + nonce.length + " bytes, expected "
                    + (signed ? 32 : 0) + (signed ? "" : " and SlotIDParam 0"));
        }
    }

    /** @return whether a signature is requested */
    public boolean signatureRequested() {
        return (attributes & Spdm.MEAS_ATTR_SIGNATURE) != 0;
    }

    /** @return the bytes */
    public byte[] encode() {
        Writer w = new Writer().u8(version).u8(Spdm.GET_MEASUREMENTS).u8(attributes).u8(operation);
        if (signatureRequested()) {
            w.bytes(nonce).u8(slotIdParam);
        }
        return w.toByteArray();
    }

    /**
     * Parses a GET_MEASUREMENTS.
     *
     * @param b the bytes
     * @return the request
     * @throws MalformedStructureException if it is truncated or too long
     */
    public static GetMeasurements parse(byte[] b) {
        Reader r = new Reader("GET_MEASUREMENTS", b);
        int v = r.header(Spdm.GET_MEASUREMENTS);
        int p1 = r.u8("Param1");
        int p2 = r.u8("Param2");
        byte[] nonce = new byte[0];
        int slot = 0;
        if ((p1 & Spdm.MEAS_ATTR_SIGNATURE) != 0) {
            nonce = r.bytes("Nonce", Spdm.NONCE_SIZE);
            slot = r.u8("SlotIDParam");
        }
        r.end();
        return new GetMeasurements(v, p1, p2, nonce, slot);
    }

    /** @return a copy of nonce */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof GetMeasurements other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
