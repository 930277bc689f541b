package io.teebox.spdm;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.internal.Reader;
import io.teebox.spdm.internal.Writer;

/**
 * KEY_EXCHANGE (1.1): header (Param1 = measurement summary hash type, Param2 = SlotID), ReqSessionID u16, Reserved
 * u16, RandomData 32, ExchangeData D (secp384r1: X || Y, 96 bytes), OpaqueDataLength u16, OpaqueData.
 *
 * @param version the SPDMVersion byte
 * @param summaryHashType Param1: 0 none, 1 TCB, 0xFF all
 * @param slot Param2: the certificate slot
 * @param reqSessionId ReqSessionID
 * @param random RandomData (32 bytes)
 * @param exchangeData the requester's ephemeral public key (96 bytes)
 * @param opaque OpaqueData
 */
public record KeyExchange(int version, int summaryHashType, int slot, int reqSessionId, byte[] random,
        byte[] exchangeData, byte[] opaque) {

    /** Checks the sizes. */
    public KeyExchange {
        random = random.clone();
        exchangeData = exchangeData.clone();
        opaque = opaque.clone();
        Writer.fit("Param1", summaryHashType, 8);
        Writer.fit("Param2 (SlotID)", slot, 8);
        Writer.fit("ReqSessionID", reqSessionId, 16);
        Writer.fit("OpaqueDataLength", opaque.length, 16);
        if (random.length != Spdm.NONCE_SIZE || exchangeData.length != Spdm.EXCHANGE_DATA_SIZE) {
            throw new IllegalArgumentException("RandomData is " + random.length + " bytes, ExchangeData "
                    + exchangeData.length + ", expected 32 and 96");
        }
    }

    /** @return the bytes */
    public byte[] encode() {
        return new Writer().u8(version).u8(Spdm.KEY_EXCHANGE).u8(summaryHashType).u8(slot).u16(reqSessionId).u16(0)
                .bytes(random).bytes(exchangeData).u16(opaque.length).bytes(opaque).toByteArray();
    }

    /**
     * Parses a KEY_EXCHANGE.
     *
     * @param b the bytes
     * @return the request
     * @throws MalformedStructureException if it is truncated or too long
     */
    public static KeyExchange parse(byte[] b) {
        Reader r = new Reader("KEY_EXCHANGE", b);
        int v = r.header(Spdm.KEY_EXCHANGE);
        int p1 = r.u8("Param1");
        int p2 = r.u8("Param2");
        int sid = r.u16("ReqSessionID");
        r.reserved("Reserved", 2);
        byte[] random = r.bytes("RandomData", Spdm.NONCE_SIZE);
        byte[] ex = r.bytes("ExchangeData", Spdm.EXCHANGE_DATA_SIZE);
        int ol = r.u16("OpaqueDataLength");
        byte[] opaque = r.bytes("OpaqueData", ol);
        r.end();
        return new KeyExchange(v, p1, p2, sid, random, ex, opaque);
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

    /** @return a copy of opaque */
    @Override
    public byte[] opaque() {
        return opaque.clone();
    }

    /** Equal when the encodings are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyExchange other && java.util.Arrays.equals(other.encode(), encode());
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encode());
    }
}
