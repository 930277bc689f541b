package io.teebox.nvidia.abi;

import java.util.Arrays;
import java.util.Objects;

import io.teebox.kit.codec.MalformedStructureException;

/**
 * The SPDM 1.1 GET_MEASUREMENTS request (DSP0274 1.1 §10.11) with which a verifier asks the GPU for its signed
 * measurements: SPDMVersion, RequestResponseCode 0xE0, Param1 (bit 0: a signature is requested), Param2 (the
 * measurement index, 0xFF for all), then, because a signature is requested, the verifier's 32-byte nonce and the
 * certificate slot. NVIDIA's report always asks for a signature over all blocks from slot 0, 37 bytes.
 *
 * @param version SPDMVersion, 0x11 for SPDM 1.1
 * @param param1 Param1: bit 0 set requests a signature
 * @param param2 Param2: 0xFF requests all measurement blocks
 * @param nonce the verifier's nonce, 32 bytes
 * @param slotId the certificate slot whose key signs, 0..7
 */
public record GetMeasurementsRequest(int version, int param1, int param2, byte[] nonce, int slotId) {

    /** The request's length when a signature is requested. */
    public static final int LENGTH = 37;
    /** SPDMVersion 1.1. */
    public static final int SPDM_1_1 = 0x11;
    /** The GET_MEASUREMENTS request code. */
    public static final int CODE = 0xE0;
    /** Param1 bit 0: the responder signs the response. */
    public static final int SIGNATURE_REQUESTED = 0x01;
    /** Param2: all measurement blocks. */
    public static final int ALL_MEASUREMENTS = 0xFF;
    /** The nonce's length. */
    public static final int NONCE_LENGTH = 32;
    static final String STRUCT = "GET_MEASUREMENTS";

    /** Checks the fields and copies the nonce. */
    public GetMeasurementsRequest {
        Objects.requireNonNull(nonce, "nonce");
        Bytes.check(STRUCT, "SPDMVersion", version, 0xFF);
        Bytes.check(STRUCT, "Param1", param1, 0xFF);
        Bytes.check(STRUCT, "Param2", param2, 0xFF);
        Bytes.check(STRUCT, "SlotID", slotId, 7);
        if ((param1 & SIGNATURE_REQUESTED) == 0) {
            throw new MalformedStructureException(STRUCT, "Param1", STRUCT + ".Param1 is " + param1
                    + ": this format is the signed request (bit 0 set), which carries a nonce and a slot");
        }
        if (nonce.length != NONCE_LENGTH) {
            throw new MalformedStructureException(STRUCT, "Nonce", STRUCT + ".Nonce is " + nonce.length
                    + " bytes, expected " + NONCE_LENGTH);
        }
        nonce = nonce.clone();
    }

    /**
     * The request NVIDIA's driver sends: SPDM 1.1, signature requested, all blocks, slot 0.
     *
     * @param nonce the verifier's 32-byte nonce
     * @return the request
     */
    public static GetMeasurementsRequest of(byte[] nonce) {
        return new GetMeasurementsRequest(SPDM_1_1, SIGNATURE_REQUESTED, ALL_MEASUREMENTS, nonce, 0);
    }

    /** @return a copy of the nonce */
    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    /**
     * Parses the 37 bytes of a signed request.
     *
     * @param bytes the request
     * @return the request
     * @throws MalformedStructureException if it is not a 37-byte SPDM 1.1 GET_MEASUREMENTS request
     */
    public static GetMeasurementsRequest parse(byte[] bytes) {
        Bytes in = new Bytes(STRUCT, bytes, 0);
        GetMeasurementsRequest r = read(in);
        in.end();
        return r;
    }

    static GetMeasurementsRequest read(Bytes in) {
        int at = in.pos();
        int version = in.u8("SPDMVersion");
        in.expect("SPDMVersion", at, version, SPDM_1_1);
        int code = in.u8("RequestResponseCode");
        in.expect("RequestResponseCode", at + 1, code, CODE);
        int p1 = in.u8("Param1");
        if ((p1 & SIGNATURE_REQUESTED) == 0) {
            throw in.fault("Param1", at + 2, "is 0x" + Integer.toHexString(p1) + ": no signature requested, but "
                    + "NVIDIA's report is the signed request");
        }
        int p2 = in.u8("Param2");
        byte[] nonce = in.take("Nonce", NONCE_LENGTH);
        int slot = in.u8("SlotID");
        if (slot > 7) {
            throw in.fault("SlotID", at + 36, "is " + slot + ", expected 0..7");
        }
        return new GetMeasurementsRequest(version, p1, p2, nonce, slot);
    }

    /** @return the 37 bytes */
    public byte[] encode() {
        byte[] out = new byte[LENGTH];
        out[0] = (byte) version;
        out[1] = (byte) CODE;
        out[2] = (byte) param1;
        out[3] = (byte) param2;
        System.arraycopy(nonce, 0, out, 4, NONCE_LENGTH);
        out[36] = (byte) slotId;
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GetMeasurementsRequest r && Arrays.equals(encode(), r.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "GET_MEASUREMENTS{version=0x" + Integer.toHexString(version) + ", param1=" + param1 + ", param2=0x"
                + Integer.toHexString(param2) + ", nonce=" + io.teebox.kit.hex.Hex.encode(nonce) + ", slot=" + slotId
                + "}";
    }
}
