package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * FINISH (1.1): header (Param1 bit 0 = a requester signature is included, Param2 = the requester's SlotID), Signature
 * (S bytes, only with bit 0), RequesterVerifyData H.
 *
 * @param version the SPDMVersion byte
 * @param attributes Param1
 * @param slot Param2
 * @param signature the requester's signature (mutual authentication), empty without
 * @param verifyData RequesterVerifyData (48 bytes)
 */
public record Finish(int version, int attributes, int slot, byte[] signature, byte[] verifyData) {

    /** Checks the sizes. */
    public Finish {
        signature = signature.clone();
        verifyData = verifyData.clone();
        Writer.fit("Param1", attributes, 8);
        Writer.fit("Param2", slot, 8);
        int expected = (attributes & 1) != 0 ? Spdm.SIGNATURE_SIZE : 0;
        if (signature.length != expected || verifyData.length != Spdm.HASH_SIZE) {
            throw new IllegalArgumentException("FINISH Signature is " + signature.length + " bytes and "
                    + "RequesterVerifyData " + verifyData.length + ", expected " + expected + " and 48");
        }
    }

    /** @return the header and signature: what RequesterVerifyData covers (with the transcript before it) */
    public byte[] macedPart() {
        return new Writer().u8(version).u8(Spdm.FINISH).u8(attributes).u8(slot).bytes(signature).toByteArray();
    }

    /** @return the bytes */
    public byte[] encode() {
        return new Writer().bytes(macedPart()).bytes(verifyData).toByteArray();
    }

    /**
     * Parses a FINISH.
     *
     * @param b the bytes
     * @return the request
     * @throws MalformedStructureException if it is truncated or too long
     */
    public static Finish parse(byte[] b) {
        Reader r = new Reader("FINISH", b);
        int v = r.header(Spdm.FINISH);
        int p1 = r.u8("Param1");
        int p2 = r.u8("Param2");
        byte[] sig = r.bytes("Signature", (p1 & 1) != 0 ? Spdm.SIGNATURE_SIZE : 0);
        byte[] verify = r.bytes("RequesterVerifyData", Spdm.HASH_SIZE);
        r.end();
        return new Finish(v, p1, p2, sig, verify);
    }

    /** @return a copy of signature */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** @return a copy of verifyData */
    @Override
    public byte[] verifyData() {
        return verifyData.clone();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Finish other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
