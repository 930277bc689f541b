package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * DIGESTS: header (Param1 reserved, Param2 = slot mask), then one H-byte digest per set bit of the mask, lowest slot
 * first. A digest is the hash of the slot's whole SPDM certificate chain ({@link CertificateChain#digest()}).
 *
 * @param version the SPDMVersion byte
 * @param slotMask the slots that hold a chain
 * @param digests the digests, one per slot in the mask
 */
public record Digests(int version, int slotMask, List<byte[]> digests) {

    /** Checks the digests match the mask. */
    public Digests {
        digests = digests.stream().map(byte[]::clone).toList();
        Writer.fit("Param2 (slot mask)", slotMask, 8);
        if (Integer.bitCount(slotMask) != digests.size()) {
            throw new IllegalArgumentException("slot mask 0x" + Integer.toHexString(slotMask) + " names "
                    + Integer.bitCount(slotMask) + " slots, but " + digests.size() + " digests are given");
        }
        for (byte[] d : digests) {
            if (d.length != Spdm.HASH_SIZE) {
                throw new IllegalArgumentException("digest is " + d.length + " bytes, expected " + Spdm.HASH_SIZE);
            }
        }
    }

    /** @return the bytes */
    public byte[] encode() {
        Writer w = new Writer().u8(version).u8(Spdm.DIGESTS).u8(0).u8(slotMask);
        digests.forEach(w::bytes);
        return w.toByteArray();
    }

    /**
     * Parses a DIGESTS.
     *
     * @param b the bytes
     * @return the response
     * @throws MalformedStructureException if its length does not match the slot mask
     */
    public static Digests parse(byte[] b) {
        Reader r = new Reader("DIGESTS", b);
        int v = r.header(Spdm.DIGESTS);
        r.reserved("Param1", 1);
        int mask = r.u8("Param2");
        List<byte[]> d = new ArrayList<>();
        for (int i = 0; i < Integer.bitCount(mask); i++) {
            d.add(r.bytes("Digest[" + i + "]", Spdm.HASH_SIZE));
        }
        r.end();
        return new Digests(v, mask, d);
    }

    /** @return copies of the digests */
    @Override
    public java.util.List<byte[]> digests() {
        return digests.stream().map(byte[]::clone).toList();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Digests other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
