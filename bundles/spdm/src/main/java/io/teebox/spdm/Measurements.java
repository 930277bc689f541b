package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * MEASUREMENTS (1.1): header (Param1 = the number of indices when the request's Param2 was 0, else reserved;
 * Param2 = SlotID), NumberOfBlocks u8, MeasurementRecordLength u24, MeasurementRecord, Nonce 32, OpaqueLength u16,
 * OpaqueData, Signature (S bytes, present only if the request asked for one).
 *
 * @param version the SPDMVersion byte
 * @param param1 Param1
 * @param param2 Param2
 * @param blocks the measurement blocks
 * @param nonce the responder's nonce (32 bytes)
 * @param opaque OpaqueData
 * @param signature the signature (96 bytes) or empty
 */
public record Measurements(int version, int param1, int param2, List<MeasurementBlock> blocks, byte[] nonce,
        byte[] opaque, byte[] signature) {

    /** Checks the sizes. */
    public Measurements {
        blocks = List.copyOf(blocks);
        nonce = nonce.clone();
        opaque = opaque.clone();
        signature = signature.clone();
        Writer.fit("Param1", param1, 8);
        Writer.fit("Param2", param2, 8);
        Writer.fit("NumberOfBlocks", blocks.size(), 8);
        Writer.fit("OpaqueLength", opaque.length, 16);
        if (nonce.length != Spdm.NONCE_SIZE || (signature.length != 0 && signature.length != Spdm.SIGNATURE_SIZE)) {
            throw new IllegalArgumentException("MEASUREMENTS Nonce is " + nonce.length + " bytes and Signature "
                    + signature.length + ", expected 32 and 0 or 96");
        }
    }

    /** @return the bytes before the Signature: what the signature covers (after the request) */
    public byte[] signedPart() {
        Writer rec = new Writer();
        blocks.forEach(b -> rec.bytes(b.encode()));
        byte[] record = rec.toByteArray();
        return new Writer().u8(version).u8(Spdm.MEASUREMENTS).u8(param1).u8(param2).u8(blocks.size())
                .u24(Writer.fit("MeasurementRecordLength", record.length, 24)).bytes(record).bytes(nonce)
                .u16(opaque.length).bytes(opaque).toByteArray();
    }

    /** @return the bytes */
    public byte[] encode() {
        return new Writer().bytes(signedPart()).bytes(signature).toByteArray();
    }

    /**
     * Parses a MEASUREMENTS.
     *
     * @param b the bytes
     * @param withSignature whether the request asked for a signature
     * @return the response
     * @throws MalformedStructureException if it is truncated, too long, or the record does not hold NumberOfBlocks
     *         blocks
     */
    public static Measurements parse(byte[] b, boolean withSignature) {
        Reader r = new Reader("MEASUREMENTS", b);
        int v = r.header(Spdm.MEASUREMENTS);
        int p1 = r.u8("Param1");
        int p2 = r.u8("Param2");
        int n = r.u8("NumberOfBlocks");
        int recordLength = r.u24("MeasurementRecordLength");
        Reader rec = new Reader("MEASUREMENTS", r.bytes("MeasurementRecord", recordLength));
        List<MeasurementBlock> blocks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            blocks.add(MeasurementBlock.read(rec));
        }
        if (rec.remaining() != 0) {
            throw new MalformedStructureException("MEASUREMENTS", "MeasurementRecordLength", "MEASUREMENTS record is "
                    + recordLength + " bytes but its " + n + " blocks take " + rec.position());
        }
        byte[] nonce = r.bytes("Nonce", Spdm.NONCE_SIZE);
        int ol = r.u16("OpaqueLength");
        byte[] opaque = r.bytes("OpaqueData", ol);
        byte[] sig = r.bytes("Signature", withSignature ? Spdm.SIGNATURE_SIZE : 0);
        r.end();
        return new Measurements(v, p1, p2, blocks, nonce, opaque, sig);
    }

    /** @return a copy of nonce */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** @return a copy of opaque */
    @Override
    public byte[] opaque() {
        return opaque.clone();
    }

    /** @return a copy of signature */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Measurements other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
