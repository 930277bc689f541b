package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * One measurement block in DMTF format: Index u8, MeasurementSpecification u8 (1 = DMTF), MeasurementSize u16, then
 * the DMTF measurement {DMTFSpecMeasurementValueType u8, DMTFSpecMeasurementValueSize u16, value}.
 *
 * @param index the measurement index (1..0xFE)
 * @param valueType DMTFSpecMeasurementValueType (bit 7 = raw bit stream, bits 6:0 the kind)
 * @param value the measurement value (e.g. a SHA-384 digest)
 */
public record MeasurementBlock(int index, int valueType, byte[] value) {

    /** Checks the fields fit. */
    public MeasurementBlock {
        value = value.clone();
        if (index < 1 || index > 0xFE) {
            throw new IllegalArgumentException("measurement Index is " + index + ", expected 1..254");
        }
        Writer.fit("DMTFSpecMeasurementValueType", valueType, 8);
        Writer.fit("DMTFSpecMeasurementValueSize", value.length + 3L, 16);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** @return the block's bytes */
    public byte[] encode() {
        return new Writer().u8(index).u8(Spdm.MEAS_SPEC_DMTF).u16(value.length + 3).u8(valueType).u16(value.length)
                .bytes(value).toByteArray();
    }

    /**
     * Reads one block.
     *
     * @param r the reader, at the block
     * @return the block
     * @throws MalformedStructureException if it is truncated or not a DMTF measurement
     */
    static MeasurementBlock read(Reader r) {
        int index = r.u8("Index");
        int spec = r.u8("MeasurementSpecification");
        if (spec != Spdm.MEAS_SPEC_DMTF) {
            throw new MalformedStructureException("MEASUREMENTS", "MeasurementSpecification", "measurement block "
                    + index + " MeasurementSpecification is 0x" + Integer.toHexString(spec) + ", expected 0x01 (DMTF)");
        }
        int size = r.u16("MeasurementSize");
        int type = r.u8("DMTFSpecMeasurementValueType");
        int valueSize = r.u16("DMTFSpecMeasurementValueSize");
        if (size != valueSize + 3) {
            throw new MalformedStructureException("MEASUREMENTS", "MeasurementSize", "measurement block " + index
                    + " MeasurementSize is " + size + ", expected DMTFSpecMeasurementValueSize + 3 = "
                    + (valueSize + 3));
        }
        byte[] value = r.bytes("DMTFSpecMeasurementValue", valueSize);
        if (index == 0 || index == 0xFF) {
            throw new MalformedStructureException("MEASUREMENTS", "Index", "measurement block Index is " + index
                    + ", expected 1..254");
        }
        return new MeasurementBlock(index, type, value);
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof MeasurementBlock other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
