package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * A SHA-1 event log of {@link TcgPcrEvent} records only, as TPM 1.2 firmware and the TCG EFI protocol's SHA-1 log
 * format write it.
 *
 * @param events the records, in log order
 */
public record LegacyEventLog(List<TcgPcrEvent> events) {

    /** The log's name in messages. */
    public static final String STRUCT = "TCG SHA-1 event log";

    /** Copies the list. */
    public LegacyEventLog {
        events = List.copyOf(events);
    }

    /**
     * Parses a SHA-1 log; the records must fill {@code log} exactly.
     *
     * @param log the bytes
     * @return the log
     * @throws EventLogException if a record is truncated or its eventDataSize runs past the buffer, or the log is a
     *         crypto-agile one (its first record a Spec ID event)
     */
    public static LegacyEventLog parse(byte[] log) {
        Reader r = new Reader(STRUCT, log);
        List<TcgPcrEvent> events = new ArrayList<>();
        while (r.remaining() > 0) {
            TcgPcrEvent e = TcgPcrEvent.read(r);
            if (events.isEmpty() && e.eventType() == EventType.EV_NO_ACTION.value()
                    && SpecIdEvent.isSpecIdEvent(e.event())) {
                throw new EventLogException(STRUCT, "event", STRUCT
                        + " starts with a Spec ID Event03, expected SHA-1 records (a crypto-agile log goes to EventLog)");
            }
            events.add(e);
        }
        return new LegacyEventLog(events);
    }

    /**
     * Writes the log.
     *
     * @return its bytes
     */
    public byte[] write() {
        Writer w = new Writer();
        for (TcgPcrEvent e : events) {
            e.write(w);
        }
        return w.toByteArray();
    }

    /**
     * Replays the log into the SHA-1 bank: PCRs start at zero and every record that is not EV_NO_ACTION extends its
     * digest.
     *
     * @return the PCR values, SHA-1 bank only
     * @throws EventLogException if a record's pcrIndex is beyond 23
     */
    public PcrBanks replay() {
        PcrBanks pcrs = new PcrBanks(List.of(HashAlgorithm.SHA1));
        for (TcgPcrEvent e : events) {
            int pcr = PcrBanks.checkPcr(TcgPcrEvent.STRUCT, e.pcrIndex());
            if (e.eventType() != EventType.EV_NO_ACTION.value()) {
                pcrs.extend(HashAlgorithm.SHA1, pcr, e.digest());
            }
        }
        return pcrs;
    }
}
