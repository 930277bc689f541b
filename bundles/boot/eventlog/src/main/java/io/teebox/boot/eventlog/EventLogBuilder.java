package io.teebox.boot.eventlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a crypto-agile log as a firmware's TCG2 protocol would while a boot model measures: each
 * {@link #extend(int, EventType, byte[], Measured)} appends a TCG_PCR_EVENT2 with the digest in every bank. Not
 * thread-safe.
 */
public final class EventLogBuilder {

    /** The separator's event data and measured bytes in a normal boot (PFP section 10.4.4). */
    public static final byte[] SEPARATOR = new byte[4];
    /** The separator of a boot that hit an error before it (PFP section 10.4.4). */
    public static final byte[] SEPARATOR_ERROR = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    private final SpecIdEvent specId;
    private final List<HashAlgorithm> banks;
    private final List<TcgPcrEvent2> events = new ArrayList<>();

    private EventLogBuilder(SpecIdEvent specId, List<HashAlgorithm> banks) {
        this.specId = specId;
        this.banks = banks;
    }

    /**
     * A builder for a log with these banks and edk2's Spec ID event ({@link SpecIdEvent#forBanks(List)}).
     *
     * @param banks the PCR banks, in the order the Spec ID event lists them
     * @return the builder
     * @throws IllegalArgumentException if there is no bank or one appears twice
     */
    public static EventLogBuilder forBanks(HashAlgorithm... banks) {
        return withSpecId(SpecIdEvent.forBanks(List.of(banks)));
    }

    /**
     * A builder for a log with this Spec ID event.
     *
     * @param specId the Spec ID event; every algorithm it lists must be a {@link HashAlgorithm}
     * @return the builder
     * @throws IllegalArgumentException if it lists an algorithm this builder cannot compute
     */
    public static EventLogBuilder withSpecId(SpecIdEvent specId) {
        List<HashAlgorithm> banks = new ArrayList<>();
        for (SpecIdEvent.AlgorithmSize a : specId.digestSizes()) {
            banks.add(HashAlgorithm.of(a.algorithmId()).orElseThrow(() -> new IllegalArgumentException(
                    String.format("cannot compute digests of algorithm 0x%04x", a.algorithmId()))));
        }
        return new EventLogBuilder(specId, List.copyOf(banks));
    }

    /**
     * Logs the StartupLocality EV_NO_ACTION event on PCR 0; it must come before PCR 0 is extended.
     *
     * @param locality the locality TPM2_Startup came from
     * @return this builder
     * @throws IllegalStateException if PCR 0 was already extended
     */
    public EventLogBuilder startupLocality(int locality) {
        if (events.stream().anyMatch(e -> e.pcrIndex() == 0 && e.eventType() != EventType.EV_NO_ACTION.value())) {
            throw new IllegalStateException("StartupLocality must come before PCR 0 is extended");
        }
        return noAction(0, new StartupLocalityEvent(locality).write());
    }

    /**
     * Logs an EV_NO_ACTION event: zero digests in every bank, nothing extended.
     *
     * @param pcr the PCR the record names
     * @param eventData the event data
     * @return this builder
     */
    public EventLogBuilder noAction(int pcr, byte[] eventData) {
        List<TcgPcrEvent2.Digest> digests = new ArrayList<>();
        for (HashAlgorithm a : banks) {
            digests.add(new TcgPcrEvent2.Digest(a.algorithmId(), new byte[a.digestSize()]));
        }
        events.add(new TcgPcrEvent2(checkPcr(pcr), EventType.EV_NO_ACTION.value(), digests, eventData));
        return this;
    }

    /**
     * Measures the event data itself into {@code pcr}.
     *
     * @param pcr the PCR
     * @param type the event type
     * @param eventData the event data, which is also what is digested
     * @return this builder
     * @throws IllegalArgumentException if the PCR is out of range or the type is EV_NO_ACTION
     */
    public EventLogBuilder extend(int pcr, EventType type, byte[] eventData) {
        return extend(pcr, type, eventData, Measured.eventData());
    }

    /**
     * Measures into {@code pcr}: computes the digest of {@code what} in every bank and logs the event.
     *
     * @param pcr the PCR
     * @param type the event type
     * @param eventData the event data logged
     * @param what what the digests are of
     * @return this builder
     * @throws IllegalArgumentException if the PCR is out of range, the type is EV_NO_ACTION (use
     *         {@link #noAction(int, byte[])}), or precomputed digests lack a bank or have the wrong size
     */
    public EventLogBuilder extend(int pcr, EventType type, byte[] eventData, Measured what) {
        if (type == EventType.EV_NO_ACTION) {
            throw new IllegalArgumentException("EV_NO_ACTION extends nothing; use noAction");
        }
        List<TcgPcrEvent2.Digest> digests = new ArrayList<>();
        for (HashAlgorithm a : banks) {
            byte[] d;
            if (what instanceof Measured.Digests given) {
                d = given.digests().get(a);
                if (d == null || d.length != a.digestSize()) {
                    throw new IllegalArgumentException("the precomputed digests need a " + a.digestSize()
                            + "-byte " + a + " digest, got " + (d == null ? "none" : d.length + " bytes"));
                }
            } else if (what instanceof Measured.Bytes bytes) {
                d = a.digest(bytes.measured());
            } else {
                d = a.digest(eventData);
            }
            digests.add(new TcgPcrEvent2.Digest(a.algorithmId(), d));
        }
        events.add(new TcgPcrEvent2(checkPcr(pcr), type.value(), digests, eventData));
        return this;
    }

    /**
     * Logs EV_SEPARATOR with four zero bytes, digested as they are.
     *
     * @param pcr the PCR
     * @return this builder
     */
    public EventLogBuilder separator(int pcr) {
        return extend(pcr, EventType.EV_SEPARATOR, SEPARATOR);
    }

    /**
     * Logs an EV_EFI_ACTION string (no terminating NUL), digested as it is; see {@link EfiActions}.
     *
     * @param pcr the PCR, 4 or 5 for the actions of the profile
     * @param action the action string
     * @return this builder
     */
    public EventLogBuilder efiAction(int pcr, String action) {
        return extend(pcr, EventType.EV_EFI_ACTION, action.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The log so far.
     *
     * @return the log
     */
    public EventLog build() {
        return new EventLog(specId, events);
    }

    private static int checkPcr(int pcr) {
        if (pcr < 0 || pcr >= PcrBanks.PCR_COUNT) {
            throw new IllegalArgumentException("PCR " + pcr + " is out of range 0.." + (PcrBanks.PCR_COUNT - 1));
        }
        return pcr;
    }
}
