package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * TCG_PCR_EVENT2 (PFP section 10.2.2), the crypto-agile record: pcrIndex, eventType, a TPML_DIGEST_VALUES with one
 * TPMT_HA (TPM_ALG_ID and digest) per bank, eventSize and the event data.
 *
 * @param pcrIndex the PCR
 * @param eventType the raw event type (see {@link EventType})
 * @param digests the TPMT_HA entries, in log order
 * @param event the event data
 */
public record TcgPcrEvent2(long pcrIndex, long eventType, List<Digest> digests, byte[] event) {

    /** The struct name in messages. */
    public static final String STRUCT = "TCG_PCR_EVENT2";

    /**
     * One TPMT_HA.
     *
     * @param hashAlg the TPM_ALG_ID
     * @param digest the digest bytes
     */
    public record Digest(int hashAlg, byte[] digest) {
        /** Copies the digest. */
        public Digest {
            digest = digest.clone();
        }

        @Override
        public byte[] digest() {
            return digest.clone();
        }
    }

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if an algorithm appears twice or a field does not fit 32 bits
     */
    public TcgPcrEvent2 {
        digests = List.copyOf(digests);
        event = event.clone();
        Set<Integer> seen = new HashSet<>();
        for (Digest d : digests) {
            if (!seen.add(d.hashAlg())) {
                throw new IllegalArgumentException(String.format("%s has two digests of algorithm 0x%04x", STRUCT,
                        d.hashAlg()));
            }
        }
        if ((pcrIndex >>> 32) != 0 || (eventType >>> 32) != 0) {
            throw new IllegalArgumentException(STRUCT + ".pcrIndex and eventType must fit 32 bits");
        }
    }

    @Override
    public byte[] event() {
        return event.clone();
    }

    /**
     * This record's digest for a bank.
     *
     * @param alg the bank
     * @return the digest, or empty if the record has none for it
     */
    public Optional<byte[]> digest(HashAlgorithm alg) {
        return digests.stream().filter(d -> d.hashAlg() == alg.algorithmId()).map(Digest::digest).findFirst();
    }

    /**
     * Reads one record at the reader's position; the digest sizes come from the log's Spec ID event, and the record
     * must carry exactly one digest for each of its banks.
     *
     * @param r the reader
     * @param specId the log's Spec ID event
     * @return the record
     * @throws EventLogException if the record is truncated, a size runs past the buffer, the digest count differs
     *         from the log's banks, or an algorithm is not one of them or appears twice
     */
    public static TcgPcrEvent2 read(Reader r, SpecIdEvent specId) {
        int start = r.position();
        long pcr = r.u32("pcrIndex");
        long type = r.u32("eventType");
        long count = r.u32("digests.count");
        if (count != specId.digestSizes().size()) {
            throw new EventLogException(STRUCT, "digests.count", STRUCT + " at offset " + start + " has "
                    + count + " digests, expected " + specId.digestSizes().size()
                    + " (numberOfAlgorithms of the Spec ID event)");
        }
        List<Digest> digests = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int alg = r.u16("digests[" + i + "].hashAlg");
            Optional<Integer> size = specId.digestSize(alg);
            if (size.isEmpty()) {
                throw new EventLogException(STRUCT, "digests[" + i + "].hashAlg", String.format(
                        "%s at offset %d has a digest of algorithm 0x%04x, expected one of the Spec ID event's %s",
                        STRUCT, start, alg, specId.digestSizes().stream()
                                .map(a -> String.format("0x%04x", a.algorithmId())).toList()));
            }
            if (!seen.add(alg)) {
                throw new EventLogException(STRUCT, "digests[" + i + "].hashAlg", String.format(
                        "%s at offset %d has two digests of algorithm 0x%04x, expected one per bank", STRUCT, start,
                        alg));
            }
            digests.add(new Digest(alg, r.bytes("digests[" + i + "].digest", size.get())));
        }
        long size = r.u32("eventSize");
        return new TcgPcrEvent2(pcr, type, digests, r.bytes("event", size));
    }

    /**
     * Writes the record.
     *
     * @param w the destination
     */
    public void write(Writer w) {
        w.u32(pcrIndex).u32(eventType).u32(digests.size());
        for (Digest d : digests) {
            w.u16(d.hashAlg()).bytes(d.digest);
        }
        w.u32(event.length).bytes(event);
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
