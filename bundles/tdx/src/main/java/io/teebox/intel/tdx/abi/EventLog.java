package io.teebox.intel.tdx.abi;

import io.teebox.kit.codec.LittleEndian;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The TD event log in the CCEL format (ACPI CCEL table; canonical/tdx {@code tdeventlog.py}): the TCG crypto-agile
 * log. It opens with a TCG_PCR_EVENT whose event is the "Spec ID Event03" header naming SHA-384 (algorithm 0x000C,
 * 48-byte digests), followed by TCG_PCR_EVENT2 entries: {@code u32 MR index, u32 event type, u32 digest count,
 * {u16 algorithm, digest}..., u32 event size, event}. MR index 0 is MRTD and index i (1..4) is RTMR[i-1]. A verifier
 * replays it: starting from 48 zero bytes, {@code RTMR = SHA-384(RTMR || digest)} for each event of that register.
 */
public final class EventLog {

    /** TPM_ALG_SHA384. */
    public static final int ALG_SHA384 = 0x000C;
    /** EV_NO_ACTION. */
    public static final long EV_NO_ACTION = 0x3;
    /** EV_SEPARATOR. */
    public static final long EV_SEPARATOR = 0x4;
    /** EV_EVENT_TAG. */
    public static final long EV_EVENT_TAG = 0x6;
    /** EV_IPL: what a boot loader or OS measures (teebox's type for TDG.MR.RTMR.EXTEND from the guest). */
    public static final long EV_IPL = 0xD;
    /** The signature of the Spec ID event. */
    public static final String SPEC_ID_SIGNATURE = "Spec ID Event03";

    /**
     * One measured event.
     *
     * @param mrIndex the CCEL MR index: 1..4 for RTMR0..3
     * @param eventType the TCG event type
     * @param digest the SHA-384 digest extended into the register (48 bytes)
     * @param data the event data (here: a UTF-8 description)
     */
    public record Event(int mrIndex, long eventType, byte[] digest, byte[] data) {
        /** Creates an event; arrays are copied. */
        public Event {
            if (mrIndex < 0) {
                throw new IllegalArgumentException("MR index must not be negative, got " + mrIndex);
            }
            if (Objects.requireNonNull(digest, "digest").length != TdMeasurement.DIGEST_SIZE) {
                throw new IllegalArgumentException("event digest is " + digest.length + " bytes, expected 48");
            }
            digest = digest.clone();
            data = Objects.requireNonNull(data, "data").clone();
        }

        /** @return the RTMR index (mrIndex - 1), or -1 for MRTD */
        public int rtmr() {
            return mrIndex - 1;
        }

        /** @return a copy of the digest */
        @Override
        public byte[] digest() {
            return digest.clone();
        }

        /** @return a copy of the event data */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /** @return the event data as UTF-8 text */
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Event e && e.mrIndex == mrIndex && e.eventType == eventType
                    && Arrays.equals(e.digest, digest) && Arrays.equals(e.data, data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(mrIndex, eventType, Arrays.hashCode(digest), Arrays.hashCode(data));
        }
    }

    private EventLog() {
    }

    /** @return the TCG_PCR_EVENT that opens the log, carrying the Spec ID Event03 header */
    public static byte[] specIdEvent() {
        ByteArrayOutputStream ev = new ByteArrayOutputStream();
        byte[] sig = new byte[16];
        byte[] s = SPEC_ID_SIGNATURE.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, sig, 0, s.length);
        ev.writeBytes(sig);
        ev.writeBytes(u32(0)); // platformClass
        ev.write(0); // specVersionMinor
        ev.write(2); // specVersionMajor
        ev.write(0); // specErrata
        ev.write(2); // uintnSize: 64-bit UINTN
        ev.writeBytes(u32(1)); // numberOfAlgorithms
        ev.writeBytes(u16(ALG_SHA384));
        ev.writeBytes(u16(TdMeasurement.DIGEST_SIZE));
        ev.write(0); // vendorInfoSize
        byte[] event = ev.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(u32(0));
        out.writeBytes(u32(EV_NO_ACTION));
        out.writeBytes(new byte[20]);
        out.writeBytes(u32(event.length));
        out.writeBytes(event);
        return out.toByteArray();
    }

    /**
     * @param events the events, in order
     * @return the log: the Spec ID event followed by one TCG_PCR_EVENT2 per event
     */
    public static byte[] encode(List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(specIdEvent());
        for (Event e : events) {
            out.writeBytes(u32(e.mrIndex()));
            out.writeBytes(u32(e.eventType()));
            out.writeBytes(u32(1));
            out.writeBytes(u16(ALG_SHA384));
            out.writeBytes(e.digest);
            out.writeBytes(u32(e.data.length));
            out.writeBytes(e.data);
        }
        return out.toByteArray();
    }

    /**
     * Parses a log. It must open with the Spec ID event naming SHA-384; it ends at its last byte or at an MR index
     * of 0xFFFFFFFF (unused CCEL space).
     *
     * @param log the log bytes
     * @return the events after the Spec ID event
     * @throws IllegalArgumentException naming the offset and what was wrong
     */
    public static List<Event> parse(byte[] log) {
        Objects.requireNonNull(log, "log");
        if (log.length < 32 + 16) {
            throw new IllegalArgumentException("event log is " + log.length + " bytes, too short for its Spec ID event");
        }
        if (LittleEndian.u32(log, 4) != EV_NO_ACTION || !SPEC_ID_SIGNATURE.equals(
                new String(log, 32, 15, StandardCharsets.US_ASCII)) || log[47] != 0) {
            throw new IllegalArgumentException("event log does not open with an EV_NO_ACTION \"" + SPEC_ID_SIGNATURE
                    + "\" event");
        }
        long specSize = LittleEndian.u32(log, 28);
        int pos = 32;
        need(log, pos, (int) Math.min(specSize, Integer.MAX_VALUE), "Spec ID event");
        int algorithms = (int) LittleEndian.u32(log, pos + 24);
        boolean sha384 = false;
        for (int i = 0; i < algorithms; i++) {
            int at = pos + 28 + 4 * i;
            need(log, at, 4, "Spec ID algorithm " + i);
            if (LittleEndian.u16(log, at) == ALG_SHA384 && LittleEndian.u16(log, at + 2) == TdMeasurement.DIGEST_SIZE) {
                sha384 = true;
            }
        }
        if (!sha384 || algorithms != 1) {
            throw new IllegalArgumentException("the Spec ID event lists " + algorithms
                    + " algorithms, expected exactly SHA-384 (0x000C, 48 bytes)");
        }
        pos += (int) specSize;
        List<Event> out = new ArrayList<>();
        while (pos < log.length) {
            need(log, pos, 4, "event " + out.size());
            long mr = LittleEndian.u32(log, pos);
            if (mr == 0xFFFF_FFFFL) {
                break;
            }
            need(log, pos, 12, "event " + out.size() + " header");
            long type = LittleEndian.u32(log, pos + 4);
            long count = LittleEndian.u32(log, pos + 8);
            if (count != 1) {
                throw new IllegalArgumentException(String.format("event %d at 0x%X has %d digests, expected 1 "
                        + "(SHA-384)", out.size(), pos, count));
            }
            need(log, pos + 12, 2 + 48 + 4, "event " + out.size() + " digest");
            int alg = LittleEndian.u16(log, pos + 12);
            if (alg != ALG_SHA384) {
                throw new IllegalArgumentException(String.format("event %d at 0x%X uses algorithm 0x%04X, expected "
                        + "0x000C (SHA-384)", out.size(), pos, alg));
            }
            byte[] digest = Arrays.copyOfRange(log, pos + 14, pos + 62);
            long size = LittleEndian.u32(log, pos + 62);
            need(log, pos + 66, (int) Math.min(size, Integer.MAX_VALUE), "event " + out.size() + " data");
            byte[] data = Arrays.copyOfRange(log, pos + 66, pos + 66 + (int) size);
            if (mr > 4) {
                throw new IllegalArgumentException(String.format("event %d at 0x%X names MR index %d, expected 0..4",
                        out.size(), pos, mr));
            }
            out.add(new Event((int) mr, type, digest, data));
            pos += 66 + (int) size;
        }
        return out;
    }

    /**
     * Replays events into the four RTMRs.
     *
     * @param events the events
     * @return RTMR0..3 as the events extend them from zero
     */
    public static byte[][] replay(List<Event> events) {
        byte[][] rtmr = new byte[4][TdMeasurement.DIGEST_SIZE];
        for (Event e : events) {
            if (e.rtmr() >= 0 && e.rtmr() < 4) {
                rtmr[e.rtmr()] = TdMeasurement.extendRtmr(rtmr[e.rtmr()], e.digest);
            }
        }
        return rtmr;
    }

    private static void need(byte[] log, int at, int n, String what) {
        if (at < 0 || n < 0 || at + n > log.length) {
            throw new IllegalArgumentException(String.format("event log truncated: %s needs %d bytes at 0x%X, the "
                    + "log has %d", what, n, at, log.length));
        }
    }

    private static byte[] u16(int v) {
        byte[] b = new byte[2];
        LittleEndian.put16(b, 0, v);
        return b;
    }

    private static byte[] u32(long v) {
        byte[] b = new byte[4];
        LittleEndian.put32(b, 0, v);
        return b;
    }
}
