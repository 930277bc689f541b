package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;

/**
 * TCG_PCR_EVENT (PFP section 10.2.1), the SHA-1 record: pcrIndex, eventType, a SHA-1 digest, eventDataSize and the
 * event data. It makes the whole of a legacy log and the first record of a crypto-agile one.
 *
 * @param pcrIndex the PCR
 * @param eventType the raw event type (see {@link EventType})
 * @param digest the 20-byte SHA-1 digest
 * @param event the event data
 */
public record TcgPcrEvent(long pcrIndex, long eventType, byte[] digest, byte[] event) {

    /** The struct name in messages. */
    public static final String STRUCT = "TCG_PCR_EVENT";
    /** pcrIndex, eventType, digest and eventDataSize. */
    public static final int HEADER_SIZE = 4 + 4 + 20 + 4;

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if the digest is not 20 bytes or a field does not fit 32 bits
     */
    public TcgPcrEvent {
        if (digest.length != 20) {
            throw new IllegalArgumentException(STRUCT + ".digest is " + digest.length + " bytes, expected 20");
        }
        if ((pcrIndex >>> 32) != 0 || (eventType >>> 32) != 0) {
            throw new IllegalArgumentException(STRUCT + ".pcrIndex and eventType must fit 32 bits");
        }
        digest = digest.clone();
        event = event.clone();
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    @Override
    public byte[] event() {
        return event.clone();
    }

    /**
     * Reads one record at the reader's position.
     *
     * @param r the reader
     * @return the record
     * @throws EventLogException if the header is truncated or eventDataSize runs past the buffer
     */
    public static TcgPcrEvent read(Reader r) {
        long pcr = r.u32("pcrIndex");
        long type = r.u32("eventType");
        byte[] digest = r.bytes("digest", 20);
        long size = r.u32("eventDataSize");
        return new TcgPcrEvent(pcr, type, digest, r.bytes("event", size));
    }

    /**
     * Writes the record.
     *
     * @param w the destination
     */
    public void write(Writer w) {
        w.u32(pcrIndex).u32(eventType).bytes(digest).u32(event.length).bytes(event);
    }

    /**
     * Writes the record.
     *
     * @return its bytes
     */
    public byte[] write() {
        Writer w = new Writer();
        write(w);
        return w.toByteArray();
    }
}
