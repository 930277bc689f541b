package io.teebox.nvidia.abi;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;

/**
 * The SPDM 1.1 MEASUREMENTS response (DSP0274 1.1 §10.11) to a GET_MEASUREMENTS request that asked for a signature:
 * SPDMVersion, code 0x60, Param1, Param2, NumberOfBlocks, MeasurementRecordLength (u24 LE), the measurement record,
 * the responder's 32-byte nonce, OpaqueLength (u16 LE), the opaque data and the 96-byte signature (r ‖ s, 48 bytes
 * each, big-endian; ECDSA P-384, SHA-384, over the request and this response up to the signature).
 *
 * @param version SPDMVersion, 0x11
 * @param param1 Param1
 * @param param2 Param2
 * @param blocks the measurement blocks, in order
 * @param nonce the responder's nonce, 32 bytes
 * @param opaqueData NVIDIA's opaque data
 * @param signature the signature, 96 bytes (zero in a response not yet signed)
 */
public record MeasurementsResponse(int version, int param1, int param2, List<MeasurementBlock> blocks, byte[] nonce,
        OpaqueData opaqueData, byte[] signature) {

    /** The MEASUREMENTS response code. */
    public static final int CODE = 0x60;
    /** The length of the raw ECDSA P-384 signature r ‖ s. */
    public static final int SIGNATURE_LENGTH = 96;
    /** The responder nonce's length. */
    public static final int NONCE_LENGTH = 32;
    /** The bytes before the measurement record. */
    static final int HEADER = 8;
    static final String STRUCT = "MEASUREMENTS";

    /** Checks the fields and copies the arrays and the list. */
    public MeasurementsResponse {
        Objects.requireNonNull(opaqueData, "opaqueData");
        blocks = List.copyOf(Objects.requireNonNull(blocks, "blocks"));
        Bytes.check(STRUCT, "SPDMVersion", version, 0xFF);
        Bytes.check(STRUCT, "Param1", param1, 0xFF);
        Bytes.check(STRUCT, "Param2", param2, 0xFF);
        Bytes.check(STRUCT, "NumberOfBlocks", blocks.size(), 0xFF);
        Bytes.check(STRUCT, "MeasurementRecordLength", blocks.stream().mapToLong(MeasurementBlock::length).sum(),
                0xFFFFFF);
        if (nonce.length != NONCE_LENGTH) {
            throw new MalformedStructureException(STRUCT, "Nonce", STRUCT + ".Nonce is " + nonce.length
                    + " bytes, expected " + NONCE_LENGTH);
        }
        if (signature.length != SIGNATURE_LENGTH) {
            throw new MalformedStructureException(STRUCT, "Signature", STRUCT + ".Signature is " + signature.length
                    + " bytes, expected " + SIGNATURE_LENGTH);
        }
        nonce = nonce.clone();
        signature = signature.clone();
    }

    /**
     * An unsigned response (a zero signature), for {@link ReportSigner} to sign.
     *
     * @param blocks the measurement blocks
     * @param nonce the responder's 32-byte nonce
     * @param opaqueData the opaque data
     * @return the response, SPDM 1.1, Param1 and Param2 zero
     */
    public static MeasurementsResponse unsigned(List<MeasurementBlock> blocks, byte[] nonce, OpaqueData opaqueData) {
        return new MeasurementsResponse(GetMeasurementsRequest.SPDM_1_1, 0, 0, blocks, nonce, opaqueData,
                new byte[SIGNATURE_LENGTH]);
    }

    /** @return a copy of the responder's nonce */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /** @return a copy of the signature */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * @param sig a 96-byte r ‖ s signature
     * @return this response carrying it
     */
    public MeasurementsResponse withSignature(byte[] sig) {
        return new MeasurementsResponse(version, param1, param2, blocks, nonce, opaqueData, sig);
    }

    /**
     * Parses a response.
     *
     * @param bytes the response
     * @return the response
     * @throws MalformedStructureException naming the field and its offset if it is not a signed MEASUREMENTS
     *             response
     */
    public static MeasurementsResponse parse(byte[] bytes) {
        return read(bytes, 0);
    }

    /**
     * @param bytes the response
     * @param base its absolute offset in the report, for messages
     */
    static MeasurementsResponse read(byte[] bytes, int base) {
        Bytes in = new Bytes(STRUCT, bytes, base);
        int version = in.u8("SPDMVersion");
        in.expect("SPDMVersion", 0, version, GetMeasurementsRequest.SPDM_1_1);
        in.expect("RequestResponseCode", 1, in.u8("RequestResponseCode"), CODE);
        int p1 = in.u8("Param1");
        int p2 = in.u8("Param2");
        int count = in.u8("NumberOfBlocks");
        int l1 = in.u24("MeasurementRecordLength");
        byte[] record = in.take("MeasurementRecord", l1);
        Bytes rec = new Bytes(STRUCT, record, base + HEADER);
        List<MeasurementBlock> blocks = new ArrayList<>();
        while (rec.remaining() > 0) {
            blocks.add(MeasurementBlock.read(rec));
        }
        if (blocks.size() != count) {
            throw in.fault("NumberOfBlocks", 4, "is " + count + ", but the " + l1 + "-byte measurement record holds "
                    + blocks.size() + " blocks");
        }
        byte[] nonce = in.take("Nonce", NONCE_LENGTH);
        int l2 = in.u16("OpaqueLength");
        int opaqueAt = in.pos();
        byte[] opaque = in.take("OpaqueData", l2);
        OpaqueData od = OpaqueData.read(opaque, base + opaqueAt);
        byte[] sig = in.take("Signature", SIGNATURE_LENGTH);
        in.end();
        return new MeasurementsResponse(version, p1, p2, blocks, nonce, od, sig);
    }

    /** @return the response up to (without) the signature */
    public byte[] encodeUnsigned() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(version);
        out.write(CODE);
        out.write(param1);
        out.write(param2);
        out.write(blocks.size());
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        blocks.forEach(b -> b.write(rec));
        Bytes.u24(out, rec.size());
        out.writeBytes(rec.toByteArray());
        out.writeBytes(nonce);
        byte[] opaque = opaqueData.encode();
        Bytes.check(STRUCT, "OpaqueLength", opaque.length, 0xFFFF);
        Bytes.u16(out, opaque.length);
        out.writeBytes(opaque);
        return out.toByteArray();
    }

    /** @return the whole response */
    public byte[] encode() {
        byte[] head = encodeUnsigned();
        byte[] out = Arrays.copyOf(head, head.length + SIGNATURE_LENGTH);
        System.arraycopy(signature, 0, out, head.length, SIGNATURE_LENGTH);
        return out;
    }

    /**
     * @param index a block's index
     * @return the block of that index, or null
     */
    public MeasurementBlock block(int index) {
        return blocks.stream().filter(b -> b.index() == index).findFirst().orElse(null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MeasurementsResponse r && Arrays.equals(r.encode(), encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "MEASUREMENTS{" + blocks.size() + " blocks, nonce=" + Hex.encode(nonce) + ", opaque="
                + opaqueData.types() + "}";
    }
}
