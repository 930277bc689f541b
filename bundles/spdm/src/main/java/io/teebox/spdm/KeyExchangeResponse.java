package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * KEY_EXCHANGE_RSP (1.1): header (Param1 = HeartbeatPeriod, Param2 reserved), RspSessionID u16, MutAuthRequested u8,
 * SlotIDParam u8, RandomData 32, ExchangeData D, MeasurementSummaryHash (H bytes, present only when the request's
 * Param1 was not 0), OpaqueDataLength u16, OpaqueData, Signature S, ResponderVerifyData H (absent when the handshake
 * is in the clear).
 *
 * @param version the SPDMVersion byte
 * @param heartbeatPeriod Param1
 * @param rspSessionId RspSessionID
 * @param mutAuthRequested MutAuthRequested
 * @param slotIdParam SlotIDParam
 * @param random RandomData
 * @param exchangeData the responder's ephemeral public key
 * @param summaryHash MeasurementSummaryHash, empty if not requested
 * @param opaque OpaqueData
 * @param signature the signature over the transcript up to this field (96 bytes)
 * @param verifyData ResponderVerifyData (48 bytes), empty if the handshake is in the clear
 */
public record KeyExchangeResponse(int version, int heartbeatPeriod, int rspSessionId, int mutAuthRequested,
        int slotIdParam, byte[] random, byte[] exchangeData, byte[] summaryHash, byte[] opaque, byte[] signature,
        byte[] verifyData) {

    /** Checks the sizes. */
    public KeyExchangeResponse {
        random = random.clone();
        exchangeData = exchangeData.clone();
        summaryHash = summaryHash.clone();
        opaque = opaque.clone();
        signature = signature.clone();
        verifyData = verifyData.clone();
        Writer.fit("Param1 (HeartbeatPeriod)", heartbeatPeriod, 8);
        Writer.fit("RspSessionID", rspSessionId, 16);
        Writer.fit("MutAuthRequested", mutAuthRequested, 8);
        Writer.fit("SlotIDParam", slotIdParam, 8);
        Writer.fit("OpaqueDataLength", opaque.length, 16);
        if (random.length != Spdm.NONCE_SIZE || exchangeData.length != Spdm.EXCHANGE_DATA_SIZE
                || (summaryHash.length != 0 && summaryHash.length != Spdm.HASH_SIZE)
                || signature.length != Spdm.SIGNATURE_SIZE
                || (verifyData.length != 0 && verifyData.length != Spdm.HASH_SIZE)) {
            throw new IllegalArgumentException("KEY_EXCHANGE_RSP field sizes: RandomData " + random.length
                    + ", ExchangeData " + exchangeData.length + ", MeasurementSummaryHash " + summaryHash.length
                    + ", Signature " + signature.length + ", ResponderVerifyData " + verifyData.length
                    + "; expected 32, 96, 0 or 48, 96, 0 or 48");
        }
    }

    /** @return the bytes before the Signature: what the signature covers (with the transcript before it) */
    public byte[] signedPart() {
        return new Writer().u8(version).u8(Spdm.KEY_EXCHANGE_RSP).u8(heartbeatPeriod).u8(0).u16(rspSessionId)
                .u8(mutAuthRequested).u8(slotIdParam).bytes(random).bytes(exchangeData).bytes(summaryHash)
                .u16(opaque.length).bytes(opaque).toByteArray();
    }

    /** @return the bytes up to and including the Signature: the part TH1 covers */
    public byte[] withoutVerifyData() {
        return new Writer().bytes(signedPart()).bytes(signature).toByteArray();
    }

    /** @return the bytes */
    public byte[] encode() {
        return new Writer().bytes(withoutVerifyData()).bytes(verifyData).toByteArray();
    }

    /**
     * Parses a KEY_EXCHANGE_RSP.
     *
     * @param b the bytes
     * @param withSummaryHash whether the request's Param1 asked for a measurement summary hash
     * @param withVerifyData whether ResponderVerifyData is present (false only with HANDSHAKE_IN_THE_CLEAR)
     * @return the response
     * @throws MalformedStructureException if it is truncated or too long
     */
    public static KeyExchangeResponse parse(byte[] b, boolean withSummaryHash, boolean withVerifyData) {
        Reader r = new Reader("KEY_EXCHANGE_RSP", b);
        int v = r.header(Spdm.KEY_EXCHANGE_RSP);
        int hb = r.u8("Param1 (HeartbeatPeriod)");
        r.reserved("Param2", 1);
        int sid = r.u16("RspSessionID");
        int mut = r.u8("MutAuthRequested");
        int slot = r.u8("SlotIDParam");
        byte[] random = r.bytes("RandomData", Spdm.NONCE_SIZE);
        byte[] ex = r.bytes("ExchangeData", Spdm.EXCHANGE_DATA_SIZE);
        byte[] summary = r.bytes("MeasurementSummaryHash", withSummaryHash ? Spdm.HASH_SIZE : 0);
        int ol = r.u16("OpaqueDataLength");
        byte[] opaque = r.bytes("OpaqueData", ol);
        byte[] sig = r.bytes("Signature", Spdm.SIGNATURE_SIZE);
        byte[] verify = r.bytes("ResponderVerifyData", withVerifyData ? Spdm.HASH_SIZE : 0);
        r.end();
        return new KeyExchangeResponse(v, hb, sid, mut, slot, random, ex, summary, opaque, sig, verify);
    }

    /** @return a copy of random */
    @Override
    public byte[] random() {
        return random.clone();
    }

    /** @return a copy of exchangeData */
    @Override
    public byte[] exchangeData() {
        return exchangeData.clone();
    }

    /** @return a copy of summaryHash */
    @Override
    public byte[] summaryHash() {
        return summaryHash.clone();
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

    /** @return a copy of verifyData */
    @Override
    public byte[] verifyData() {
        return verifyData.clone();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyExchangeResponse other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
