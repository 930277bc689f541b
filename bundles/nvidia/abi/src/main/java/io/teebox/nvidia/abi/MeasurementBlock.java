package io.teebox.nvidia.abi;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Objects;

import io.teebox.kit.hex.Hex;

/**
 * One measurement block of a MEASUREMENTS response (DSP0274 1.1 §10.11.1): Index, MeasurementSpecification (bit 0,
 * value 1: DMTF), MeasurementSize, then the DMTF measurement: DMTFSpecMeasurementValueType (bit 7 set for a raw bit
 * stream, else a digest), DMTFSpecMeasurementValueSize and the value. The H100's 64 blocks are SHA-384 digests.
 *
 * @param index the block's index, 1..254
 * @param valueType DMTFSpecMeasurementValueType
 * @param value the measurement value (48 bytes for a SHA-384 digest)
 */
public record MeasurementBlock(int index, int valueType, byte[] value) {

    /** MeasurementSpecification DMTF, the only one the H100 uses. */
    public static final int SPEC_DMTF = 0x01;
    /** DMTFSpecMeasurementValueType bit 7: the value is a raw bit stream rather than a digest. */
    public static final int RAW_BIT_STREAM = 0x80;
    /** The bytes before the DMTF measurement: Index, MeasurementSpecification, MeasurementSize. */
    static final int HEADER = 4;
    /** The DMTF measurement's own header: value type and value size. */
    static final int DMTF_HEADER = 3;
    static final String STRUCT = "MeasurementBlock";

    /** Checks the fields and copies the value. */
    public MeasurementBlock {
        Objects.requireNonNull(value, "value");
        Bytes.check(STRUCT, "Index", index, 0xFF);
        Bytes.check(STRUCT, "DMTFSpecMeasurementValueType", valueType, 0xFF);
        Bytes.check(STRUCT, "DMTFSpecMeasurementValueSize", value.length, 0xFFFF - DMTF_HEADER);
        value = value.clone();
    }

    /** @return a copy of the value */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** @return true if every byte of the value is zero (a block the GPU does not populate) */
    public boolean isZero() {
        for (byte b : value) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** @return the block's encoded length */
    public int length() {
        return HEADER + DMTF_HEADER + value.length;
    }

    static MeasurementBlock read(Bytes in) {
        int at = in.pos();
        int index = in.u8("Index");
        int spec = in.u8("MeasurementSpecification");
        in.expect("MeasurementSpecification", at + 1, spec, SPEC_DMTF);
        int size = in.u16("MeasurementSize");
        int type = in.u8("DMTFSpecMeasurementValueType");
        int valueSize = in.u16("DMTFSpecMeasurementValueSize");
        if (size != DMTF_HEADER + valueSize) {
            throw in.fault("MeasurementSize", at + 2, "of block " + index + " is " + size + ", but its DMTF value "
                    + "size " + valueSize + " makes it " + (DMTF_HEADER + valueSize));
        }
        return new MeasurementBlock(index, type, in.take("DMTFSpecMeasurementValue", valueSize));
    }

    void write(ByteArrayOutputStream out) {
        out.write(index);
        out.write(SPEC_DMTF);
        Bytes.u16(out, DMTF_HEADER + value.length);
        out.write(valueType);
        Bytes.u16(out, value.length);
        out.writeBytes(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeasurementBlock b && b.index == index && b.valueType == valueType
                && Arrays.equals(b.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * index + valueType) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "block " + index + " (type 0x" + Integer.toHexString(valueType) + "): " + Hex.encode(value);
    }
}
