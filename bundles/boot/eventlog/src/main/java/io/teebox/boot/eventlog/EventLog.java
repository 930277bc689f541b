package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A crypto-agile event log (PFP section 10.2): a first TCG_PCR_EVENT on PCR 0 of type EV_NO_ACTION with a zero
 * digest carrying the {@link SpecIdEvent}, then {@link TcgPcrEvent2} records with a digest for each bank it declares.
 *
 * @param specId the Spec ID event
 * @param events the records after it, in log order
 */
public record EventLog(SpecIdEvent specId, List<TcgPcrEvent2> events) {

    /** The log's name in messages. */
    public static final String STRUCT = "TCG crypto-agile event log";

    /**
     * Copies the list.
     *
     * @throws IllegalArgumentException if a record does not carry exactly the Spec ID event's banks
     */
    public EventLog {
        events = List.copyOf(events);
        for (int i = 0; i < events.size(); i++) {
            TcgPcrEvent2 e = events.get(i);
            if (e.digests().size() != specId.digestSizes().size()) {
                throw new IllegalArgumentException("event " + i + " has " + e.digests().size()
                        + " digests, expected " + specId.digestSizes().size());
            }
            for (TcgPcrEvent2.Digest d : e.digests()) {
                Optional<Integer> size = specId.digestSize(d.hashAlg());
                if (size.isEmpty() || size.get() != d.digest().length) {
                    throw new IllegalArgumentException(String.format(
                            "event %d has a %d-byte digest of algorithm 0x%04x, which the Spec ID event does not declare",
                            i, d.digest().length, d.hashAlg()));
                }
            }
        }
    }

    /**
     * The first record, in SHA-1 format, that carries the Spec ID event.
     *
     * @return the record
     */
    public TcgPcrEvent specIdRecord() {
        return new TcgPcrEvent(0, EventType.EV_NO_ACTION.value(), new byte[20], specId.write());
    }

    /**
     * Parses a crypto-agile log; the records must fill {@code log} exactly.
     *
     * @param log the bytes, as the firmware's TCG2 protocol hands them over
     * @return the log
     * @throws EventLogException if the first record is not a Spec ID event on PCR 0 with a zero digest, or any record
     *         is truncated, has sizes beyond the buffer, a digest count other than the log's banks, or an algorithm it
     *         did not declare
     */
    public static EventLog parse(byte[] log) {
        Reader r = new Reader(STRUCT, log);
        TcgPcrEvent first = TcgPcrEvent.read(new Reader(TcgPcrEvent.STRUCT + " (Spec ID)", log));
        if (first.eventType() != EventType.EV_NO_ACTION.value() || !SpecIdEvent.isSpecIdEvent(first.event())) {
            throw new EventLogException(STRUCT, "eventType", STRUCT + "'s first record is "
                    + EventType.name(first.eventType())
                    + ", expected EV_NO_ACTION carrying a Spec ID Event03 (a SHA-1 log goes to LegacyEventLog)");
        }
        if (first.pcrIndex() != 0) {
            throw new EventLogException(STRUCT, "pcrIndex", "Spec ID event's pcrIndex is " + first.pcrIndex()
                    + ", expected 0");
        }
        for (byte b : first.digest()) {
            if (b != 0) {
                throw new EventLogException(STRUCT, "digest", "Spec ID event's digest is not zero, expected 20 zero bytes");
            }
        }
        SpecIdEvent specId = SpecIdEvent.parse(first.event());
        r.bytes("Spec ID event", TcgPcrEvent.HEADER_SIZE + first.event().length);
        List<TcgPcrEvent2> events = new ArrayList<>();
        while (r.remaining() > 0) {
            events.add(TcgPcrEvent2.read(r, specId));
        }
        return new EventLog(specId, events);
    }

    /**
     * Writes the log.
     *
     * @return its bytes
     */
    public byte[] write() {
        Writer w = new Writer();
        specIdRecord().write(w);
        for (TcgPcrEvent2 e : events) {
            e.write(w);
        }
        return w.toByteArray();
    }

    /**
     * Replays the log: each bank's PCRs start at zero, PCR 0 at the locality of a StartupLocality EV_NO_ACTION
     * event if there is one, and every record that is not EV_NO_ACTION extends its digest into its PCR in each bank.
     * Banks whose algorithm is not a {@link HashAlgorithm} are not replayed.
     *
     * @return the PCR values
     * @throws EventLogException if a record's pcrIndex is beyond 23, or a StartupLocality event comes after PCR 0 was
     *         extended
     */
    public PcrBanks replay() {
        List<HashAlgorithm> banks = specId.digestSizes().stream()
                .flatMap(a -> HashAlgorithm.of(a.algorithmId()).stream()).toList();
        PcrBanks pcrs = new PcrBanks(banks);
        for (TcgPcrEvent2 e : events) {
            int pcr = PcrBanks.checkPcr(TcgPcrEvent2.STRUCT, e.pcrIndex());
            if (e.eventType() == EventType.EV_NO_ACTION.value()) {
                if (pcr == 0 && StartupLocalityEvent.isStartupLocality(e.event())) {
                    if (pcrs.extended().contains(0)) {
                        throw new EventLogException(STRUCT, "StartupLocality",
                                "StartupLocality event comes after PCR 0 was extended, expected it before");
                    }
                    pcrs.startupLocality(StartupLocalityEvent.parse(e.event()).startupLocality());
                }
                continue;
            }
            for (HashAlgorithm alg : banks) {
                pcrs.extend(alg, pcr, e.digest(alg).orElseThrow());
            }
        }
        return pcrs;
    }
}
